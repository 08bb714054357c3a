/**
 * The planner interface (separate from any algorithm, as TF-Lite Micro's MicroMemoryPlanner is):
 * buffers with sizes and lifetimes in, offsets out.
 *
 * @module
 */

/** A buffer to place: live from `firstUse` to `lastUse` (op indices, inclusive). */
export interface BufferRequest {
  /** Stable identity used for tie-breaks and reporting (tensor index, or -1 for scratch). */
  readonly id: number;
  readonly name: string;
  readonly size: number;
  readonly firstUse: number;
  readonly lastUse: number;
  /**
   * From step `from` on, only the first `size` bytes are still needed: an in-place layer wrote a
   * smaller output over the start of this buffer (a VALID or stride-2 depthwise) and the larger
   * input died there, so the tail is free for other buffers. `size` above is the largest size.
   */
  readonly shrink?: { readonly from: number; readonly size: number };
}

/** Bytes of `b` needed at step `t` (its full size before a shrink, the smaller size after). */
export function sizeAt(b: BufferRequest, t: number): number {
  return b.shrink && t >= b.shrink.from ? b.shrink.size : b.size;
}

/**
 * The byte extents two buffers need while both are live (each at its largest over their common
 * steps: sizes only shrink, so that is its size at the first common step), or undefined when
 * their lifetimes do not meet.
 */
export function commonExtents(
  a: BufferRequest,
  b: BufferRequest,
): { readonly a: number; readonly b: number } | undefined {
  const lo = Math.max(a.firstUse, b.firstUse);
  if (lo > Math.min(a.lastUse, b.lastUse)) return undefined;
  return { a: sizeAt(a, lo), b: sizeAt(b, lo) };
}

/** Offsets for each request, in request order, and the total bytes needed. */
export interface Placement {
  readonly offsets: readonly number[];
  readonly totalBytes: number;
}

/** A planner is a pure function; planners are looked up by name. */
export type Planner = (buffers: readonly BufferRequest[]) => Placement;
