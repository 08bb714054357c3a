/**
 * RESIZE_NEAREST_NEIGHBOR, as TFLite's `reference_ops::ResizeNearestNeighbor`: each output row
 * and column reads the input row and column `GetNearestNeighbor` picks, computed in float32
 * (`scale = in / out`, or `(in - 1) / (out - 1)` with align_corners; `(x + 0.5) * scale` with
 * half-pixel centers; floor, or round half away from zero with align_corners; clamped to the
 * input). Values are copied, not requantized.
 *
 * @module
 */

import { DTYPE_BYTES, type ResizeNearestNeighborNode } from "../../ir/mod.ts";
import { dim, fail, int32Values, type KernelArgs, sameDtypeInOut } from "./_kernel.ts";

const f32 = Math.fround;

/** The input index output index `v` reads along an axis of `inSize` resized to `outSize`. */
export function nearestNeighbor(
  v: number,
  inSize: number,
  outSize: number,
  alignCorners: boolean,
  halfPixelCenters: boolean,
): number {
  // Integer operands are exact in float32; each float32 operation is rounded once (a double
  // operation rounded to float32 gives the correctly rounded float32 result for + and * and /).
  const scale = alignCorners && outSize > 1
    ? f32((inSize - 1) / (outSize - 1))
    : f32(inSize / outSize);
  const x = f32(f32(v + (halfPixelCenters ? 0.5 : 0)) * scale);
  let r: number;
  if (alignCorners) {
    const t = Math.trunc(x);
    r = x - t >= 0.5 ? t + 1 : t; // x >= 0: round half away from zero
  } else {
    r = Math.floor(x);
  }
  r = Math.min(r, inSize - 1);
  return halfPixelCenters ? Math.max(0, r) : r;
}

/** Run one RESIZE_NEAREST_NEIGHBOR node. */
export function resizeNearestNeighbor(args: KernelArgs<ResizeNearestNeighborNode>): void {
  const { input, output, src, dst } = sameDtypeInOut(args);
  const size = int32Values(args, 1);
  const [n, h, w, c] = [0, 1, 2, 3].map((k) => dim(input.shape, k)) as [
    number,
    number,
    number,
    number,
  ];
  const oh = size[0]!, ow = size[1]!;
  if (dim(output.shape, 1) !== oh || dim(output.shape, 2) !== ow) {
    fail(args, `output shape [${output.shape}] does not match size [${oh}, ${ow}]`);
  }
  const { alignCorners, halfPixelCenters } = args.node.options;
  const e = DTYPE_BYTES[input.dtype];
  const rowBytes = c * e;
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      const iy = nearestNeighbor(y, h, oh, alignCorners, halfPixelCenters);
      for (let x = 0; x < ow; x++) {
        const ix = nearestNeighbor(x, w, ow, alignCorners, halfPixelCenters);
        const from = ((b * h + iy) * w + ix) * rowBytes;
        dst.set(src.subarray(from, from + rowBytes), o);
        o += rowBytes;
      }
    }
  }
}
