/**
 * DEQUANTIZE: int8 -> float32 as TFLite's `reference_ops::Dequantize`:
 * `float(double(scale) * (q - zp))`.
 *
 * @module
 */

import type { DequantizeNode } from "../../ir/mod.ts";
import { dequantizeValue, tensorQuant } from "../../quant/mod.ts";
import {
  asFloat32,
  inputTensor,
  int8Input,
  type KernelArgs,
  outputBytes,
  outputTensor,
  requireDtype,
} from "./_kernel.ts";

/** Run one DEQUANTIZE node. */
export function dequantize(args: KernelArgs<DequantizeNode>): void {
  const input = inputTensor(args, 0);
  const output = outputTensor(args);
  requireDtype(args, "int8", { input });
  requireDtype(args, "float32", { output });
  const { scale, zeroPoint } = tensorQuant(input);
  const inData = int8Input(args, 0);
  const out = asFloat32(outputBytes(args));
  for (let i = 0; i < inData.length; i++) out[i] = dequantizeValue(inData[i]!, scale, zeroPoint);
}
