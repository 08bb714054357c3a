/**
 * LOG_SOFTMAX, int8 -> int8, as TFLite's `LogSoftmaxQuantized` (what TFLM runs): per row,
 * differences from the row maximum are scaled to Q5.26, their exps summed in Q12.19, the log of
 * the sum taken in Q5.26, and each output is `diff - log(sum)` rounded to Q4 (scale 16/256) plus
 * the zero point 127. Differences too negative to matter give -128.
 *
 * @module
 */

import type { LogSoftmaxNode } from "../../ir/mod.ts";
import {
  expOnNegativeValues,
  INT32_MIN,
  logSoftmaxParams,
  logXForXGreaterThanOrEqualTo1,
  multiplyByQuantizedMultiplier,
  rescale,
  roundingDivideByPOT,
} from "../../quant/mod.ts";
import { type KernelArgs, rowMax, softmaxRows } from "./_kernel.ts";

const INPUT_INTEGER_BITS = 5;
const ACCUMULATION_INTEGER_BITS = 12;
const OUTPUT_INTEGER_BITS = 4;

/** Run one LOG_SOFTMAX node. */
export function logSoftmax(args: KernelArgs<LogSoftmaxNode>): void {
  const { inData, out, depth, rows } = softmaxRows(args, {
    zeroPoint: 127,
    scale: Math.fround(16 / 256),
    scaleText: "16/256",
  });
  const p = logSoftmaxParams(args.graph, args.node);
  const toQ5 = (diff: number) =>
    multiplyByQuantizedMultiplier(diff, p.inputMultiplier, p.inputLeftShift);
  for (let r = 0; r < rows; r++) {
    const base = r * depth;
    const max = rowMax(inData, base, depth);
    let sum = 0;
    for (let c = 0; c < depth; c++) {
      const diff = inData[base + c]! - max;
      if (diff >= p.diffMin) {
        const e = expOnNegativeValues(toQ5(diff), INPUT_INTEGER_BITS);
        sum = (sum + rescale(e, 0, ACCUMULATION_INTEGER_BITS)) | 0;
      }
    }
    const logSum = logXForXGreaterThanOrEqualTo1(
      sum,
      ACCUMULATION_INTEGER_BITS,
      INPUT_INTEGER_BITS,
    );
    // The smallest Q5.26 value plus the log, back in input units: below it the output is -128.
    const adjustedDiffMin = Math.max(
      p.diffMin - 1,
      multiplyByQuantizedMultiplier(
        (logSum + INT32_MIN) | 0,
        p.reverseScalingDivisor,
        p.reverseScalingShift,
      ),
    );
    for (let c = 0; c < depth; c++) {
      const diff = inData[base + c]! - max;
      if (diff > adjustedDiffMin) {
        const v = roundingDivideByPOT(
          (toQ5(diff) - logSum) | 0,
          31 - INPUT_INTEGER_BITS - OUTPUT_INTEGER_BITS,
        ) + 127;
        out[base + c] = v > 127 ? 127 : v < -128 ? -128 : v;
      } else {
        out[base + c] = -128;
      }
    }
  }
}
