/**
 * AVERAGE_POOL_2D, int8, as TFLite's `reference_integer_ops::AveragePool`: the window is
 * clipped to the image, the raw int8 values are summed and divided by the number of valid taps
 * with rounding half away from zero (`(sum ± count/2) / count`, C division), then clamped.
 * There is no requantization: input and output share scale and zero point.
 *
 * @module
 */

import type { AveragePool2DNode } from "../../ir/graph.ts";
import { window2D } from "../geometry.ts";
import { poolParams } from "../quant.ts";
import {
  asInt8,
  dim,
  fail,
  inputBytes,
  inputTensor,
  type KernelArgs,
  outputBytes,
  outputTensor,
  requireDtype,
} from "./_kernel.ts";

/** Run one AVERAGE_POOL_2D node. */
export function averagePool2d(args: KernelArgs<AveragePool2DNode>): void {
  const input = inputTensor(args, 0);
  const output = outputTensor(args);
  requireDtype(args, "int8", { input, output });
  const o = args.node.options;
  const batches = dim(input.shape, 0);
  const inH = dim(input.shape, 1);
  const inW = dim(input.shape, 2);
  const depth = dim(input.shape, 3);
  const win = window2D({
    padding: o.padding,
    inH,
    inW,
    filterH: o.filterH,
    filterW: o.filterW,
    strideH: o.strideH,
    strideW: o.strideW,
  });
  const outH = dim(output.shape, 1);
  const outW = dim(output.shape, 2);
  if (outH !== win.outH || outW !== win.outW || dim(output.shape, 3) !== depth) {
    fail(
      args,
      `output shape [${output.shape}] does not match the computed [${batches},${win.outH},${win.outW},${depth}]`,
    );
  }
  const act = poolParams(args.graph, args.node);
  const inData = asInt8(inputBytes(args, 0));
  const out = asInt8(outputBytes(args));
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
          let acc = 0;
          let count = 0;
          for (let fy = fyStart; fy < fyEnd; fy++) {
            for (let fx = fxStart; fx < fxEnd; fx++) {
              acc += inData[((b * inH + inY0 + fy) * inW + inX0 + fx) * depth + c]!;
              count++;
            }
          }
          if (count === 0) fail(args, `a pooling window at (${oy}, ${ox}) covers no input`);
          const half = Math.trunc(count / 2);
          acc = acc > 0 ? Math.trunc((acc + half) / count) : Math.trunc((acc - half) / count);
          out[((b * outH + oy) * outW + ox) * depth + c] = acc < act.min
            ? act.min
            : acc > act.max
            ? act.max
            : acc;
        }
      }
    }
  }
}
