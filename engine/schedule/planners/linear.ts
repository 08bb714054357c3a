/**
 * The trivial planner: every buffer gets its own bytes, one after another (no reuse). Every other
 * planner is checked against it.
 *
 * @module
 */
import { alignUp } from "../lifetimes.ts";
import type { BufferRequest, Placement } from "../types.ts";

/**
 * Place buffers back to back in request order.
 *
 * @example
 * ```ts
 * linearPlanner([{ id: 0, name: "a", size: 8, firstUse: 0, lastUse: 1 }]); // { offsets: [0], totalBytes: 8 }
 * ```
 */
export function linearPlanner(buffers: readonly BufferRequest[]): Placement {
  let at = 0;
  const offsets = buffers.map((b) => {
    const o = at;
    at = alignUp(at + b.size);
    return o;
  });
  let total = 0;
  buffers.forEach((b, i) => total = Math.max(total, offsets[i]! + b.size));
  return { offsets, totalBytes: total };
}
