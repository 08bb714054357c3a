/**
 * TF-Lite Micro's greedy memory planner, as a pure {@link Planner}.
 *
 * The rules (from `greedy_memory_planner.h`):
 * 1. every size is rounded up to {@link GREEDY_ALIGNMENT} (16) bytes;
 * 2. buffers are sorted by rounded size, largest first; equal sizes keep request order (callers
 *    list tensors in tensor order, then scratch buffers);
 * 3. the first buffer goes at offset 0; each next buffer walks the already placed buffers that
 *    are live at the same time as it, in offset order, and takes the first gap that is large
 *    enough (or the end of the last of them);
 * 4. the total is the largest `offset + size`.
 *
 * @module
 */
import type { BufferRequest, Placement, Planner } from "./types.ts";

/** TF-Lite Micro's arena buffer alignment: sizes are rounded up to a multiple of this. */
export const GREEDY_ALIGNMENT = 16;

/** Round `n` up to a multiple of {@link GREEDY_ALIGNMENT}. */
export function alignGreedy(n: number): number {
  return Math.ceil(n / GREEDY_ALIGNMENT) * GREEDY_ALIGNMENT;
}

interface Placed {
  readonly offset: number;
  readonly size: number;
  readonly firstUse: number;
  readonly lastUse: number;
}

/**
 * Place buffers by TF-Lite Micro's greedy rules.
 *
 * @example
 * ```ts
 * import { greedyPlanner } from "./greedy.ts";
 * const p = greedyPlanner([
 *   { id: 0, name: "a", size: 100, firstUse: 0, lastUse: 1 },
 *   { id: 1, name: "b", size: 50, firstUse: 1, lastUse: 2 },
 *   { id: 2, name: "c", size: 100, firstUse: 2, lastUse: 3 },
 * ]);
 * // p.offsets: [0, 112, 0]; p.totalBytes: 176
 * ```
 */
export const greedyPlanner: Planner = function greedyPlanner(
  buffers: readonly BufferRequest[],
): Placement {
  for (const b of buffers) {
    if (!Number.isInteger(b.size) || b.size < 0 || b.firstUse > b.lastUse) {
      throw new RangeError(
        `Cannot plan buffer '${b.name}': size ${b.size} and lifetime ${b.firstUse}..${b.lastUse} are invalid`,
      );
    }
  }
  const sizes = buffers.map((b) => alignGreedy(b.size));
  // A stable sort: largest first, request order among equals.
  const order = buffers.map((_, i) => i).sort((a, b) => (sizes[b]! - sizes[a]!) || (a - b));
  const offsets = new Array<number>(buffers.length).fill(0);
  // Placed buffers kept in offset order; a new buffer goes after those with an equal offset.
  const byOffset: Placed[] = [];
  for (const id of order) {
    const want = buffers[id]!;
    const size = sizes[id]!;
    let candidate = 0;
    for (const p of byOffset) {
      if (p.lastUse < want.firstUse || p.firstUse > want.lastUse) continue;
      if (p.offset - candidate >= size) break;
      candidate = Math.max(candidate, p.offset + p.size);
    }
    offsets[id] = candidate;
    let at = byOffset.length;
    while (at > 0 && byOffset[at - 1]!.offset > candidate) at--;
    byOffset.splice(at, 0, {
      offset: candidate,
      size,
      firstUse: want.firstUse,
      lastUse: want.lastUse,
    });
  }
  let total = 0;
  for (let i = 0; i < buffers.length; i++) total = Math.max(total, offsets[i]! + sizes[i]!);
  return { offsets, totalBytes: total };
};
