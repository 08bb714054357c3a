/**
 * TANH, int8, as TFLite's `reference_integer_ops::Tanh` (the kernel TF-Lite Micro runs): inputs
 * beyond the radius saturate, others are rescaled to Q4.27 and passed through gemmlowp's
 * fixed-point tanh; the Q0.31 result is rounded to Q0.7, so the output has scale 1/128 and zero
 * point 0.
 *
 * @module
 */

import type { TanhNode } from "../../ir/graph.ts";
import { tanh as fixedTanh } from "../fixed_point.ts";
import {
  logisticParams,
  multiplyByQuantizedMultiplier,
  roundingDivideByPOT,
  tensorQuant,
} from "../quant.ts";
import {
  asInt8,
  clamp,
  fail,
  inputBytes,
  inputTensor,
  type KernelArgs,
  outputBytes,
  outputTensor,
  requireDtype,
} from "./_kernel.ts";

/** Run one TANH node. */
export function tanh(args: KernelArgs<TanhNode>): void {
  const input = inputTensor(args, 0);
  const output = outputTensor(args);
  requireDtype(args, "int8", { input, output });
  if (tensorQuant(output).zeroPoint !== 0) {
    fail(args, `int8 output must have zero point 0 (has ${tensorQuant(output).zeroPoint})`);
  }
  const p = logisticParams(args.graph, args.node);
  const x = asInt8(inputBytes(args, 0));
  const out = asInt8(outputBytes(args));
  for (let i = 0; i < x.length; i++) {
    const v = x[i]! - p.inputZeroPoint;
    if (v <= -p.inputRangeRadius) {
      out[i] = -128;
    } else if (v >= p.inputRangeRadius) {
      out[i] = 127;
    } else {
      const inQ4 = multiplyByQuantizedMultiplier(v, p.inputMultiplier, p.inputLeftShift);
      out[i] = clamp(roundingDivideByPOT(fixedTanh(inQ4, 4), 31 - 7), -128, 127);
    }
  }
}
