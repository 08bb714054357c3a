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
}

/** Offsets for each request, in request order, and the total bytes needed. */
export interface Placement {
  readonly offsets: readonly number[];
  readonly totalBytes: number;
}

/** A planner is a pure function; planners are looked up by name. */
export type Planner = (buffers: readonly BufferRequest[]) => Placement;
