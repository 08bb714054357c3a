/**
 * TFLite's spatial geometry of convolution and pooling (`ComputeOutSize`,
 * `ComputePaddingHeightWidth`), shared by the reference kernels and the code generators.
 *
 * @module
 */

import type { Padding } from "../ir/mod.ts";

/**
 * Output size along one spatial axis, as TFLite's `ComputeOutSize`.
 *
 * @example
 * ```ts
 * import { computeOutSize } from "./geometry.ts";
 * computeOutSize("SAME", 7, 3, 2); // 4
 * computeOutSize("VALID", 7, 3, 2); // 3
 * ```
 */
export function computeOutSize(
  padding: Padding,
  inSize: number,
  filterSize: number,
  stride: number,
  dilation = 1,
): number {
  const effective = (filterSize - 1) * dilation + 1;
  if (stride === 0) return 0;
  return padding === "SAME"
    ? Math.floor((inSize + stride - 1) / stride)
    : Math.floor((inSize + stride - effective) / stride);
}

/**
 * Leading padding along one axis, as TFLite's `ComputePaddingWithOffset` (the extra odd pixel,
 * if any, goes to the trailing side).
 *
 * @example
 * ```ts
 * import { computePadding } from "./geometry.ts";
 * computePadding(2, 1, 7, 3, 4); // 1
 * ```
 */
export function computePadding(
  stride: number,
  dilation: number,
  inSize: number,
  filterSize: number,
  outSize: number,
): number {
  const effective = (filterSize - 1) * dilation + 1;
  const total = Math.max(0, (outSize - 1) * stride + effective - inSize);
  return Math.floor(total / 2);
}

/** Output size and leading padding of a 2-D window op over NHWC. */
export interface Window2D {
  readonly outH: number;
  readonly outW: number;
  readonly padTop: number;
  readonly padLeft: number;
}

/**
 * Spatial output size and padding of a conv or pool window, as TFLM computes them in Prepare.
 *
 * @example
 * ```ts
 * import { window2D } from "./geometry.ts";
 * window2D({ padding: "SAME", inH: 5, inW: 5, filterH: 3, filterW: 3, strideH: 1, strideW: 1 });
 * // { outH: 5, outW: 5, padTop: 1, padLeft: 1 }
 * ```
 */
export function window2D(o: {
  padding: Padding;
  inH: number;
  inW: number;
  filterH: number;
  filterW: number;
  strideH: number;
  strideW: number;
  dilationH?: number;
  dilationW?: number;
}): Window2D {
  const dh = o.dilationH ?? 1;
  const dw = o.dilationW ?? 1;
  const outH = computeOutSize(o.padding, o.inH, o.filterH, o.strideH, dh);
  const outW = computeOutSize(o.padding, o.inW, o.filterW, o.strideW, dw);
  return {
    outH,
    outW,
    padTop: computePadding(o.strideH, dh, o.inH, o.filterH, outH),
    padLeft: computePadding(o.strideW, dw, o.inW, o.filterW, outW),
  };
}
