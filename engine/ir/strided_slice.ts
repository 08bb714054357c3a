/**
 * STRIDED_SLICE geometry as TFLite's `strided_slice_logic.h` computes it (begin, end and shrink
 * axis masks, `offset`): per input axis, the first index, the end (exclusive in the direction of
 * the stride), the stride and the number of elements taken.
 *
 * @module
 */

/** The masks and flag of a STRIDED_SLICE node the IR keeps. */
export interface StridedSliceMasks {
  readonly beginMask: number;
  readonly endMask: number;
  readonly shrinkAxisMask: number;
  /** When set, `end` counts from the resolved `begin`. */
  readonly offset: boolean;
}

/** One axis of a strided slice. */
export interface SliceAxis {
  readonly start: number;
  readonly stop: number;
  readonly stride: number;
  /** Elements taken along the axis (1 for a shrunk axis that is in range). */
  readonly count: number;
  /** The axis is removed from the output shape. */
  readonly shrink: boolean;
}

function clampTo(v: number, lo: number, hi: number): number {
  return v > hi ? hi : v < lo ? lo : v;
}

/**
 * The slice of every input axis (`begin`, `end`, `strides` have one entry per axis; strides are
 * non-zero).
 *
 * @example
 * ```ts
 * import { sliceAxes } from "./strided_slice.ts";
 * const [a] = sliceAxes([10], [-1], [0], [-2], {
 *   beginMask: 0, endMask: 0, shrinkAxisMask: 0, offset: false,
 * });
 * // a: start 9, stop 0, stride -2, count 5 (indices 9, 7, 5, 3, 1)
 * ```
 */
export function sliceAxes(
  shape: readonly number[],
  begin: ArrayLike<number>,
  end: ArrayLike<number>,
  strides: ArrayLike<number>,
  m: StridedSliceMasks,
): SliceAxis[] {
  return shape.map((size, axis) => {
    const stride = strides[axis] ?? 1;
    const bit = 1 << axis;
    let start = begin[axis] ?? 0;
    if (start < 0) start += size;
    start = stride > 0 ? clampTo(start, 0, size) : clampTo(start, -1, size - 1);
    if (m.beginMask & bit) start = stride > 0 ? 0 : size - 1;
    const shrink = (m.shrinkAxisMask & bit) !== 0;
    let stop: number;
    if (shrink) {
      stop = start >= size ? start : start + 1;
    } else {
      stop = end[axis] ?? 0;
      if (m.offset) stop += start;
      if (stop < 0) stop += size;
      stop = stride > 0 ? clampTo(stop, 0, size) : clampTo(stop, -1, size - 1);
      if (m.endMask & bit) stop = stride > 0 ? size : -1;
    }
    // TFLite sizes the output with begin + 1 as the end of a shrunk axis.
    const last = shrink ? start + 1 : stop;
    const count = Math.max(0, Math.ceil((last - start) / stride));
    return { start, stop, stride, count, shrink };
  });
}

/** The output shape of a strided slice: the counts of the axes that are not shrunk. */
export function sliceOutputShape(axes: readonly SliceAxis[]): number[] {
  return axes.filter((a) => !a.shrink).map((a) => a.count);
}
