/**
 * DEPTHWISE_CONV_2D, int8, as TFLite's `reference_integer_ops::DepthwiseConvPerChannel`:
 * output channel `ic * depthMultiplier + m` reads input channel `ic`; the filter is
 * `[1, KH, KW, C * M]`.
 *
 * @module
 */

import type { DepthwiseConv2DNode } from "../../ir/mod.ts";
import { convParams } from "../../quant/mod.ts";
import {
  checkedConvWindow,
  dim,
  fail,
  type KernelArgs,
  requantizeChannel,
  weightedOperands,
} from "./_kernel.ts";

/** Run one DEPTHWISE_CONV_2D node. */
export function depthwiseConv2d(args: KernelArgs<DepthwiseConv2DNode>): void {
  const { graph, node } = args;
  const { input, filter, bias, inData, fData, out } = weightedOperands(args);
  const batches = dim(input.shape, 0);
  const inH = dim(input.shape, 1);
  const inW = dim(input.shape, 2);
  const inC = dim(input.shape, 3);
  const kH = dim(filter.shape, 1);
  const kW = dim(filter.shape, 2);
  const outC = dim(filter.shape, 3);
  const o = node.options;
  // The multiplier follows from the channel counts (the option is redundant and some converters
  // leave it 0).
  const mult = outC / inC;
  if (!Number.isInteger(mult) || mult < 1) {
    fail(args, `filter depth ${outC} is not a multiple of input depth ${inC}`);
  }
  const win = checkedConvWindow(args, o, { inH, inW, kH, kW, outC });
  const outH = win.outH;
  const outW = win.outW;
  const p = convParams(graph, node);
  const { inputOffset } = p;
  const { strideH, strideW, dilationH, dilationW } = o;
  // Accumulate every output channel of one pixel together, tap by tap: the inner loop walks
  // contiguous filter and input rows. The sums are exact integers in doubles (order does not
  // matter) and wrap to int32 once at the end, as before.
  const acc = new Float64Array(outC);
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const inY0 = oy * strideH - win.padTop;
      for (let ox = 0; ox < outW; ox++) {
        const inX0 = ox * strideW - win.padLeft;
        const outBase = ((b * outH + oy) * outW + ox) * outC;
        acc.fill(0);
        for (let fy = 0; fy < kH; fy++) {
          const iy = inY0 + dilationH * fy;
          if (iy < 0 || iy >= inH) continue;
          const rowBase = (b * inH + iy) * inW;
          for (let fx = 0; fx < kW; fx++) {
            const ix = inX0 + dilationW * fx;
            if (ix < 0 || ix >= inW) continue;
            const iBase = (rowBase + ix) * inC;
            const fBase = (fy * kW + fx) * outC;
            if (mult === 1) {
              for (let c = 0; c < outC; c++) {
                acc[c]! += fData[fBase + c]! * (inData[iBase + c]! + inputOffset);
              }
            } else {
              for (let ic = 0; ic < inC; ic++) {
                const x = inData[iBase + ic]! + inputOffset;
                for (let m = 0; m < mult; m++) {
                  const oc = ic * mult + m;
                  acc[oc]! += fData[fBase + oc]! * x;
                }
              }
            }
          }
        }
        for (let oc = 0; oc < outC; oc++) {
          out[outBase + oc] = requantizeChannel(acc[oc]!, oc, bias, p);
        }
      }
    }
  }
}
