/**
 * RELU, RELU6, RELU_N1_TO_1 and LEAKY_RELU, int8, as TFLite's quantized kernels: the input,
 * offset by its zero point, is requantized to the output's scale with
 * `MultiplyByQuantizedMultiplier` (RELU family: then clamped to the activation's bounds; LEAKY_RELU:
 * with the identity multiplier for non-negative inputs and the alpha multiplier otherwise, then
 * clamped to int8).
 *
 * @module
 */

import type { LeakyReluNode, ReluNode } from "../../ir/mod.ts";
import { leakyReluParams, multiplyByQuantizedMultiplier, reluParams } from "../../quant/mod.ts";
import { clamp, int8Elements, type KernelArgs } from "./_kernel.ts";

/** Run one RELU, RELU6 or RELU_N1_TO_1 node. */
export function relu(args: KernelArgs<ReluNode>): void {
  const { x, out } = int8Elements(args);
  const p = reluParams(args.graph, args.node);
  for (let i = 0; i < x.length; i++) {
    const v = p.outputZeroPoint +
      multiplyByQuantizedMultiplier(x[i]! - p.inputZeroPoint, p.multiplier, p.shift);
    out[i] = clamp(v, p.min, p.max);
  }
}

/** Run one LEAKY_RELU node. */
export function leakyRelu(args: KernelArgs<LeakyReluNode>): void {
  const { x, out } = int8Elements(args);
  const p = leakyReluParams(args.graph, args.node);
  for (let i = 0; i < x.length; i++) {
    const v = x[i]! - p.inputZeroPoint;
    const scaled = v >= 0
      ? multiplyByQuantizedMultiplier(v, p.identityMultiplier, p.identityShift)
      : multiplyByQuantizedMultiplier(v, p.alphaMultiplier, p.alphaShift);
    out[i] = clamp(p.outputZeroPoint + scaled, -128, 127);
  }
}
