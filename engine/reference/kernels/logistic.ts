/**
 * LOGISTIC, int8, as TFLite's `reference_integer_ops::Logistic`: inputs beyond the radius
 * saturate, others are rescaled to Q4.27 and passed through gemmlowp's fixed-point logistic;
 * the output has zero point -128 and scale 1/256.
 *
 * @module
 */

import type { LogisticNode, TanhNode } from "../../ir/mod.ts";
import {
  logistic as fixedLogistic,
  logisticParams,
  multiplyByQuantizedMultiplier,
  roundingDivideByPOT,
  tensorQuant,
} from "../../quant/mod.ts";
import { clamp, fail, int8InOut, int8Input, int8Output, type KernelArgs } from "./_kernel.ts";

/**
 * The walk LOGISTIC and TANH share: int8 in and out, the output zero point checked, inputs at or
 * beyond the radius saturate to -128 / 127, the others are rescaled to Q4.27 and mapped by
 * `fromQ4` (then clamped to int8).
 */
export function q4Activation(
  args: KernelArgs<LogisticNode | TanhNode>,
  outputZeroPoint: number,
  fromQ4: (inQ4: number) => number,
): void {
  const { output } = int8InOut(args);
  const zp = tensorQuant(output).zeroPoint;
  if (zp !== outputZeroPoint) {
    fail(args, `int8 output must have zero point ${outputZeroPoint} (has ${zp})`);
  }
  const p = logisticParams(args.graph, args.node);
  const inData = int8Input(args, 0);
  const out = int8Output(args);
  for (let i = 0; i < inData.length; i++) {
    const x = inData[i]! - p.inputZeroPoint;
    if (x <= -p.inputRangeRadius) {
      out[i] = -128;
    } else if (x >= p.inputRangeRadius) {
      out[i] = 127;
    } else {
      const inQ4 = multiplyByQuantizedMultiplier(x, p.inputMultiplier, p.inputLeftShift);
      out[i] = clamp(fromQ4(inQ4), -128, 127);
    }
  }
}

/** Run one LOGISTIC node. */
export function logistic(args: KernelArgs<LogisticNode>): void {
  q4Activation(args, -128, (inQ4) => roundingDivideByPOT(fixedLogistic(inQ4, 4), 31 - 8) - 128);
}
