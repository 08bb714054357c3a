/**
 * CONV_2D (grouped too), int8 with per-channel (or per-tensor) int8 filters and int32 bias, as TFLite's
 * `reference_integer_ops::ConvPerChannel`: taps outside the image are skipped (the same as
 * padding with the input zero point), the accumulator is requantized once per output.
 *
 * @module
 */

import type { Conv2DNode } from "../../ir/mod.ts";
import { convParams } from "../../quant/mod.ts";
import {
  checkedConvWindow,
  dim,
  fail,
  type KernelArgs,
  requantizeChannel,
  weightedOperands,
} from "./_kernel.ts";

/** Run one CONV_2D node. */
export function conv2d(args: KernelArgs<Conv2DNode>): void {
  const { graph, node } = args;
  const { input, filter, bias, inData, fData, out } = weightedOperands(args);
  const [batches, inH, inW, inC] = [0, 1, 2, 3].map((i) => dim(input.shape, i)) as [
    number,
    number,
    number,
    number,
  ];
  const [outC, kH, kW, fC] = [0, 1, 2, 3].map((i) => dim(filter.shape, i)) as [
    number,
    number,
    number,
    number,
  ];
  // Grouped convolution: each group of output channels reads `fC` consecutive input channels.
  const groups = inC / fC;
  const filtersPerGroup = outC / groups;
  if (!Number.isInteger(groups) || !Number.isInteger(filtersPerGroup)) {
    fail(
      args,
      `filter depth ${fC} does not divide input depth ${inC} into groups of ${outC} outputs`,
    );
  }

  const o = node.options;
  const win = checkedConvWindow(args, o, { inH, inW, kH, kW, outC });
  const outH = win.outH;
  const outW = win.outW;
  const p = convParams(graph, node);
  const { inputOffset } = p;
  const { strideH, strideW, dilationH, dilationW } = o;
  const filterRow = kW * fC;
  const filterSize = kH * filterRow;
  if (groups === 1) {
    convolveByTaps(
      { batches, inH, inW, inC, outH, outW, outC, kH, kW, strideH, strideW, dilationH, dilationW },
      { padTop: win.padTop, padLeft: win.padLeft, inputOffset },
      inData,
      fData,
      (accs, outBase) => {
        for (let oc = 0; oc < outC; oc++) {
          out[outBase + oc] = requantizeChannel(accs[oc]!, oc, bias, p);
        }
      },
    );
    return;
  }
  let outIdx = 0;
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const inY0 = oy * strideH - win.padTop;
      for (let ox = 0; ox < outW; ox++) {
        const inX0 = ox * strideW - win.padLeft;
        for (let oc = 0; oc < outC; oc++) {
          let acc = 0;
          const fBase = oc * filterSize;
          const groupOffset = Math.floor(oc / filtersPerGroup) * fC;
          for (let fy = 0; fy < kH; fy++) {
            const iy = inY0 + dilationH * fy;
            if (iy < 0 || iy >= inH) continue;
            const rowBase = (b * inH + iy) * inW;
            const fRow = fBase + fy * filterRow;
            for (let fx = 0; fx < kW; fx++) {
              const ix = inX0 + dilationW * fx;
              if (ix < 0 || ix >= inW) continue;
              const iBase = (rowBase + ix) * inC + groupOffset;
              const fIdx = fRow + fx * fC;
              for (let ic = 0; ic < fC; ic++) {
                acc += fData[fIdx + ic]! * (inData[iBase + ic]! + inputOffset);
              }
            }
          }
          out[outIdx++] = requantizeChannel(acc, oc, bias, p);
        }
      }
    }
  }
}

interface ConvGeometry {
  readonly batches: number;
  readonly inH: number;
  readonly inW: number;
  readonly inC: number;
  readonly outH: number;
  readonly outW: number;
  readonly outC: number;
  readonly kH: number;
  readonly kW: number;
  readonly strideH: number;
  readonly strideW: number;
  readonly dilationH: number;
  readonly dilationW: number;
}

/**
 * The accumulators of an ungrouped convolution, one output pixel at a time, every output
 * channel together: the filter is transposed once to [kH][kW][inC][outC] so that the inner loop
 * walks contiguous weights, and an input tap equal to the zero point (x = 0, e.g. after ReLU)
 * adds nothing and is skipped. The sums are exact integers in doubles (their order does not
 * matter); `emit` wraps and requantizes them as the per-output loop does.
 */
function convolveByTaps(
  g: ConvGeometry,
  q: { readonly padTop: number; readonly padLeft: number; readonly inputOffset: number },
  inData: Int8Array,
  fData: Int8Array,
  emit: (accs: Float64Array, outBase: number) => void,
): void {
  const { inH, inW, inC, outC, kH, kW } = g;
  const w = new Int8Array(fData.length);
  for (let oc = 0; oc < outC; oc++) {
    for (let t = 0; t < kH * kW * inC; t++) w[t * outC + oc] = fData[oc * kH * kW * inC + t]!;
  }
  const acc = new Float64Array(outC);
  let outBase = 0;
  for (let b = 0; b < g.batches; b++) {
    for (let oy = 0; oy < g.outH; oy++) {
      const inY0 = oy * g.strideH - q.padTop;
      for (let ox = 0; ox < g.outW; ox++) {
        const inX0 = ox * g.strideW - q.padLeft;
        acc.fill(0);
        for (let fy = 0; fy < kH; fy++) {
          const iy = inY0 + g.dilationH * fy;
          if (iy < 0 || iy >= inH) continue;
          for (let fx = 0; fx < kW; fx++) {
            const ix = inX0 + g.dilationW * fx;
            if (ix < 0 || ix >= inW) continue;
            const iBase = ((b * inH + iy) * inW + ix) * inC;
            const wTap = (fy * kW + fx) * inC;
            for (let ic = 0; ic < inC; ic++) {
              const x = inData[iBase + ic]! + q.inputOffset;
              if (x === 0) continue;
              const wRow = (wTap + ic) * outC;
              for (let oc = 0; oc < outC; oc++) acc[oc]! += w[wRow + oc]! * x;
            }
          }
        }
        emit(acc, outBase);
        outBase += outC;
      }
    }
  }
}
