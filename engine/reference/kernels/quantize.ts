/**
 * QUANTIZE: float32 -> int8 as TFLite's `AffineQuantize` (`round(x / scale) + zp` with the
 * division in float32 and rounding half away from zero), and int8 -> int8 as
 * `reference_ops::Requantize` (integer multiplier from `in_scale / out_scale`).
 *
 * @module
 */

import type { QuantizeNode } from "../../ir/mod.ts";
import {
  multiplyByQuantizedMultiplier,
  quantizeNodeParams,
  quantizeValue,
  tensorQuant,
} from "../../quant/mod.ts";
import {
  asFloat32,
  fail,
  inputBytes,
  inputTensor,
  int8Input,
  int8Output,
  type KernelArgs,
  outputTensor,
} from "./_kernel.ts";

/** Run one QUANTIZE node. */
export function quantize(args: KernelArgs<QuantizeNode>): void {
  const input = inputTensor(args, 0);
  const output = outputTensor(args);
  if (output.dtype !== "int8") {
    fail(args, `output dtype ${output.dtype} is not supported (needs int8)`);
  }
  const out = int8Output(args);
  if (input.dtype === "float32") {
    const { scale, zeroPoint } = tensorQuant(output);
    const inData = asFloat32(inputBytes(args, 0));
    for (let i = 0; i < inData.length; i++) out[i] = quantizeValue(inData[i]!, scale, zeroPoint);
    return;
  }
  if (input.dtype === "int8") {
    const p = quantizeNodeParams(args.graph, args.node);
    const inData = int8Input(args, 0);
    for (let i = 0; i < inData.length; i++) {
      const v =
        multiplyByQuantizedMultiplier(inData[i]! - p.inputZeroPoint, p.multiplier, p.shift) +
        p.outputZeroPoint;
      out[i] = v < -128 ? -128 : v > 127 ? 127 : v;
    }
    return;
  }
  fail(args, `input dtype ${input.dtype} is not supported (needs float32 or int8)`);
}
