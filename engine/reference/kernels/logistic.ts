/**
 * LOGISTIC, int8, as TFLite's `reference_integer_ops::Logistic`: inputs beyond the radius
 * saturate, others are rescaled to Q4.27 and passed through gemmlowp's fixed-point logistic;
 * the output has zero point -128 and scale 1/256.
 *
 * @module
 */

import type { LogisticNode } from "../../ir/graph.ts";
import { logistic as fixedLogistic } from "../fixed_point.ts";
import {
  logisticParams,
  multiplyByQuantizedMultiplier,
  roundingDivideByPOT,
  tensorQuant,
} from "../quant.ts";
import {
  asInt8,
  fail,
  inputBytes,
  inputTensor,
  type KernelArgs,
  outputBytes,
  outputTensor,
  requireDtype,
} from "./_kernel.ts";

/** Run one LOGISTIC node. */
export function logistic(args: KernelArgs<LogisticNode>): void {
  const input = inputTensor(args, 0);
  const output = outputTensor(args);
  requireDtype(args, "int8", { input, output });
  if (tensorQuant(output).zeroPoint !== -128) {
    fail(args, `int8 output must have zero point -128 (has ${tensorQuant(output).zeroPoint})`);
  }
  const p = logisticParams(args.graph, args.node);
  const inData = asInt8(inputBytes(args, 0));
  const out = asInt8(outputBytes(args));
  for (let i = 0; i < inData.length; i++) {
    const x = inData[i]! - p.inputZeroPoint;
    if (x <= -p.inputRangeRadius) {
      out[i] = -128;
    } else if (x >= p.inputRangeRadius) {
      out[i] = 127;
    } else {
      const inQ4 = multiplyByQuantizedMultiplier(x, p.inputMultiplier, p.inputLeftShift);
      const outQ0 = fixedLogistic(inQ4, 4);
      const v = roundingDivideByPOT(outQ0, 31 - 8) - 128;
      out[i] = v < -128 ? -128 : v > 127 ? 127 : v;
    }
  }
}
