/**
 * First-fit placement in a given order: each buffer goes to the lowest aligned offset where it does
 * not overlap any already placed buffer whose lifetime intersects its own. Ordering heuristics are
 * thin wrappers around it.
 *
 * @module
 */
import { alignUp } from "../lifetimes.ts";
import { type BufferRequest, commonExtents, type Placement } from "../types.ts";

/** Whether two buffers are live at the same time. */
export function liveTogether(a: BufferRequest, b: BufferRequest): boolean {
  return a.firstUse <= b.lastUse && b.firstUse <= a.lastUse;
}

/**
 * The lowest aligned offset for `buffers[i]` that overlaps none of the `placed` buffers live at
 * the same time (each conflict compared at the sizes both need while both live, so a buffer
 * that shrank leaves its tail free).
 */
export function lowestOffset(
  buffers: readonly BufferRequest[],
  offsets: readonly number[],
  placed: readonly number[],
  i: number,
): number {
  const b = buffers[i]!;
  if (b.size === 0) return 0;
  const busy: { lo: number; hi: number; need: number }[] = [];
  let uniform = true;
  for (const j of placed) {
    const other = buffers[j]!;
    if (other.firstUse > b.lastUse || b.firstUse > other.lastUse) continue;
    const common = commonExtents(b, other)!;
    if (common.a === 0 || common.b === 0) continue;
    busy.push({ lo: offsets[j]!, hi: offsets[j]! + common.b, need: common.a });
    if (common.a !== b.size) uniform = false;
  }
  busy.sort((x, y) => x.lo - y.lo || x.hi - y.hi);
  let at = 0;
  if (uniform) {
    // Classic first fit: the first gap in offset order that holds the buffer.
    for (const c of busy) {
      if (at + c.need <= c.lo) break;
      at = Math.max(at, alignUp(c.hi));
    }
    return at;
  }
  // Needed sizes differ per conflict (this buffer shrinks): offsets only grow, and every offset
  // skipped overlaps the conflict that moved it, so the fixpoint is the lowest aligned fit.
  for (let moved = true; moved;) {
    moved = false;
    for (const c of busy) {
      if (at < c.hi && c.lo < at + c.need) {
        at = alignUp(c.hi);
        moved = true;
      }
    }
  }
  return at;
}

/**
 * Place buffers first-fit in the order given by `order` (indices into `buffers`).
 *
 * @example
 * ```ts
 * import type { BufferRequest } from "../types.ts";
 * declare const buffers: BufferRequest[];
 * placeInOrder(buffers, buffers.map((_, i) => i));
 * ```
 */
export function placeInOrder(
  buffers: readonly BufferRequest[],
  order: readonly number[],
): Placement {
  const offsets = new Array<number>(buffers.length).fill(0);
  const placed: number[] = [];
  let total = 0;
  for (const i of order) {
    const b = buffers[i]!;
    const at = lowestOffset(buffers, offsets, placed, i);
    offsets[i] = at;
    placed.push(i);
    total = Math.max(total, at + b.size);
  }
  return { offsets, totalBytes: total };
}

/** Sort indices by a comparator with the id, then index as final tie-breaks (deterministic). */
export function orderBy(
  buffers: readonly BufferRequest[],
  cmp: (a: BufferRequest, b: BufferRequest) => number,
): number[] {
  return buffers.map((_, i) => i).sort((i, j) => {
    const a = buffers[i]!;
    const b = buffers[j]!;
    return cmp(a, b) || a.id - b.id || i - j;
  });
}

/** First-fit, largest buffer first (TFLM/TVM greedy-by-size). */
export function firstFitBySize(buffers: readonly BufferRequest[]): Placement {
  return placeInOrder(
    buffers,
    orderBy(buffers, (a, b) => b.size - a.size || a.firstUse - b.firstUse),
  );
}

/** First-fit, largest size x lifetime area first. */
export function firstFitByArea(buffers: readonly BufferRequest[]): Placement {
  const area = (b: BufferRequest) => b.size * (b.lastUse - b.firstUse + 1);
  return placeInOrder(buffers, orderBy(buffers, (a, b) => area(b) - area(a)));
}

/** First-fit, longest lifetime first. */
export function firstFitByLifetime(buffers: readonly BufferRequest[]): Placement {
  const len = (b: BufferRequest) => b.lastUse - b.firstUse;
  return placeInOrder(buffers, orderBy(buffers, (a, b) => len(b) - len(a) || b.size - a.size));
}

/** First-fit, most bytes of conflicting buffers first (TVM greedy-by-conflicts). */
export function firstFitByConflicts(buffers: readonly BufferRequest[]): Placement {
  const pressure = buffers.map((b) =>
    buffers.reduce((s, o) => s + (o !== b && liveTogether(b, o) ? o.size : 0), 0) + b.size
  );
  const idx = new Map(buffers.map((b, i) => [b, i]));
  return placeInOrder(
    buffers,
    orderBy(buffers, (a, b) => pressure[idx.get(b)!]! - pressure[idx.get(a)!]! || b.size - a.size),
  );
}

/** First-fit in execution order (earliest first use first). */
export function firstFitByStart(buffers: readonly BufferRequest[]): Placement {
  return placeInOrder(
    buffers,
    orderBy(buffers, (a, b) => a.firstUse - b.firstUse || b.size - a.size),
  );
}
