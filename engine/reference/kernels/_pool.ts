/**
 * The window walk shared by the int8 pooling kernels: TFLite clips each window to the image and
 * reduces the valid taps of one channel to one value, then clamps to the fused activation range.
 *
 * @module
 */

import type { AveragePool2DNode, MaxPool2DNode } from "../../ir/mod.ts";
import { poolParams } from "../../quant/mod.ts";
import {
  checkedWindow,
  dim,
  fail,
  int8InOut,
  int8Input,
  int8Output,
  type KernelArgs,
} from "./_kernel.ts";

/**
 * Run a pooling node: `reduce` gets the valid taps of one window and channel (in row order, a
 * reused array) and returns the unclamped result.
 */
export function pool2d<N extends AveragePool2DNode | MaxPool2DNode>(
  args: KernelArgs<N>,
  reduce: (taps: readonly number[], count: number) => number,
): void {
  const { input } = int8InOut(args);
  const o = args.node.options;
  const batches = dim(input.shape, 0);
  const inH = dim(input.shape, 1);
  const inW = dim(input.shape, 2);
  const depth = dim(input.shape, 3);
  const win = checkedWindow(args, {
    padding: o.padding,
    inH,
    inW,
    filterH: o.filterH,
    filterW: o.filterW,
    strideH: o.strideH,
    strideW: o.strideW,
  }, depth);
  const outH = win.outH;
  const outW = win.outW;
  const act = poolParams(args.graph, args.node);
  const inData = int8Input(args, 0);
  const out = int8Output(args);
  const taps: number[] = new Array(o.filterH * o.filterW).fill(0);
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const inY0 = oy * o.strideH - win.padTop;
      const fyStart = Math.max(0, -inY0);
      const fyEnd = Math.min(o.filterH, inH - inY0);
      for (let ox = 0; ox < outW; ox++) {
        const inX0 = ox * o.strideW - win.padLeft;
        const fxStart = Math.max(0, -inX0);
        const fxEnd = Math.min(o.filterW, inW - inX0);
        for (let c = 0; c < depth; c++) {
          let count = 0;
          for (let fy = fyStart; fy < fyEnd; fy++) {
            for (let fx = fxStart; fx < fxEnd; fx++) {
              taps[count++] = inData[((b * inH + inY0 + fy) * inW + inX0 + fx) * depth + c]!;
            }
          }
          if (count === 0) fail(args, `a pooling window at (${oy}, ${ox}) covers no input`);
          const v = reduce(taps, count);
          out[((b * outH + oy) * outW + ox) * depth + c] = v < act.min
            ? act.min
            : v > act.max
            ? act.max
            : v;
        }
      }
    }
  }
}
