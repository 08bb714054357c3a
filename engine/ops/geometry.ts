/**
 * Output-shape arithmetic of convolution and pooling windows (TFLite's formulas).
 *
 * @module
 */
import type { Padding } from "../ir/mod.ts";

/** Padding of one spatial dimension, as TFLite computes it. */
export interface PaddingAmount {
  /** Output size along this dimension. */
  readonly out: number;
  /** Zero rows (or columns) added before the input (top/left). */
  readonly before: number;
  /** Zero rows (or columns) added after the input (bottom/right); `before` or `before + 1`. */
  readonly after: number;
}

/**
 * Output size and padding of one spatial dimension of a convolution or pooling window, following
 * TFLite (`ComputeOutSize` and `ComputePaddingHeightWidth`): SAME gives `ceil(in / stride)` and
 * pads the odd extra row after the input; VALID gives `floor((in - effective kernel) / stride) + 1`.
 *
 * @example
 * ```ts
 * import { convPadding } from "./geometry.ts";
 * convPadding(224, 3, 2, "SAME"); // { out: 112, before: 0, after: 1 }
 * ```
 */
export function convPadding(
  inSize: number,
  kernel: number,
  stride: number,
  padding: Padding,
  dilation = 1,
): PaddingAmount {
  if (!(inSize > 0 && kernel > 0 && stride > 0 && dilation > 0)) {
    throw new RangeError(
      `Cannot compute a convolution window: sizes must be positive: in ${inSize}, kernel ${kernel}, stride ${stride}, dilation ${dilation}`,
    );
  }
  const effective = (kernel - 1) * dilation + 1;
  if (padding === "VALID") {
    if (effective > inSize) {
      throw new RangeError(
        `Cannot apply a VALID window of ${effective} to an input of ${inSize}: the window is larger`,
      );
    }
    return { out: Math.floor((inSize - effective) / stride) + 1, before: 0, after: 0 };
  }
  const out = Math.ceil(inSize / stride);
  const total = Math.max((out - 1) * stride + effective - inSize, 0);
  const before = Math.floor(total / 2);
  return { out, before, after: total - before };
}

/**
 * Output size of one spatial dimension of a convolution or pooling window (TFLite formula).
 *
 * @example
 * ```ts
 * import { convOutputSize } from "./geometry.ts";
 * convOutputSize(96, 3, 2, "SAME"); // 48
 * convOutputSize(5, 5, 1, "VALID"); // 1
 * ```
 */
export function convOutputSize(
  inSize: number,
  kernel: number,
  stride: number,
  padding: Padding,
  dilation = 1,
): number {
  return convPadding(inSize, kernel, stride, padding, dilation).out;
}
