/**
 * Fused activations become an int8 clamp range in the producer's output domain
 * (TFLite's CalculateActivationRangeQuantized).
 *
 * @module
 */
import type { Activation, Quantization } from "../../ir/mod.ts";
import type { Clamp, Layer, Lowered } from "./types.ts";
import { activationRange } from "../../quant/mod.ts";

/**
 * The int8 range an activation leaves in a quantized output (TFLite's float32 arithmetic, from
 * the reference interpreter's `activationRange`).
 *
 * @example
 * ```ts
 * activationClamp("RELU6", { scale: [6 / 255], zeroPoint: [-128], axis: 0 }); // { min: -128, max: 127 }
 * ```
 */
export function activationClamp(activation: Activation, quant: Quantization | undefined): Clamp {
  if (!quant) return { min: -128, max: 127 };
  return activationRange(activation, {
    scale: quant.scale[0] ?? 1,
    zeroPoint: quant.zeroPoint[0] ?? 0,
  });
}

/**
 * Attach each layer's fused activation as an int8 clamp range (ops without an activation option
 * get the full int8 range), so kernels clamp once at requantization.
 *
 * @example
 * ```ts
 * import type { Lowered } from "./types.ts";
 * declare const lowered: Lowered;
 * const l = fuseActivations(lowered); // l.layers[i].clamp = { min: -128, max: 127 }
 * ```
 */
export function fuseActivations(lowered: Lowered): Lowered {
  return {
    ...lowered,
    layers: lowered.layers.map((l): Layer => {
      const opts = l.node.options as { activation?: Activation };
      const out = lowered.graph.tensors[l.outputs[0]!];
      return { ...l, clamp: activationClamp(opts.activation ?? "NONE", out?.quant) };
    }),
  };
}
