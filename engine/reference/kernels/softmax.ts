/**
 * SOFTMAX, int8 -> int8, as TFLite's quantized `reference_ops::Softmax` (the gemmlowp
 * fixed-point path TFLM uses): per row, differences from the row maximum are rescaled to Q5.26,
 * exponentiated to Q0.31, summed in Q12.19, and each exp is multiplied by the reciprocal of the
 * sum. The output must have zero point -128 and scale 1/256.
 *
 * @module
 */

import type { SoftmaxNode } from "../../ir/mod.ts";
import {
  expOnNegativeValues,
  getReciprocal,
  multiplyByQuantizedMultiplierGreaterThanOne,
  rescale,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul as srdhm,
  softmaxParams,
} from "../../quant/mod.ts";
import { type KernelArgs, rowMax, softmaxRows } from "./_kernel.ts";

const SCALED_DIFF_INTEGER_BITS = 5;
const ACCUMULATION_INTEGER_BITS = 12;

/** Run one SOFTMAX node. */
export function softmax(args: KernelArgs<SoftmaxNode>): void {
  const { inData, out, depth, rows } = softmaxRows(args, {
    zeroPoint: -128,
    scale: Math.fround(1 / 256),
    scaleText: "1/256",
  });
  const p = softmaxParams(args.graph, args.node);
  const exps = new Int32Array(depth);
  for (let r = 0; r < rows; r++) {
    const base = r * depth;
    const max = rowMax(inData, base, depth);
    let sum = 0;
    for (let c = 0; c < depth; c++) {
      const diff = inData[base + c]! - max;
      if (diff >= p.diffMin) {
        const rescaled = multiplyByQuantizedMultiplierGreaterThanOne(
          diff,
          p.inputMultiplier,
          p.inputLeftShift,
        );
        const e = expOnNegativeValues(rescaled, SCALED_DIFF_INTEGER_BITS);
        exps[c] = e;
        sum = (sum + rescale(e, 0, ACCUMULATION_INTEGER_BITS)) | 0;
      }
    }
    const { reciprocal, numBitsOverUnit } = getReciprocal(sum, ACCUMULATION_INTEGER_BITS);
    const exponent = numBitsOverUnit + 31 - 8;
    for (let c = 0; c < depth; c++) {
      const diff = inData[base + c]! - max;
      if (diff >= p.diffMin) {
        const unsat = roundingDivideByPOT(srdhm(reciprocal, exps[c]!), exponent);
        const v = unsat - 128;
        out[base + c] = v > 127 ? 127 : v < -128 ? -128 : v;
      } else {
        out[base + c] = -128;
      }
    }
  }
}
