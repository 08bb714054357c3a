/**
 * Fused activations become an int8 clamp range in the producer's output domain
 * (TFLite's CalculateActivationRangeQuantized).
 *
 * @module
 */
import type { Activation, Quantization } from "../../ir/graph.ts";
import type { Clamp, Layer, Lowered } from "./types.ts";

function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/**
 * The int8 range an activation leaves in a quantized output (float32 arithmetic as TFLite does).
 *
 * @example
 * ```ts
 * activationClamp("RELU6", { scale: [6 / 255], zeroPoint: [-128], axis: 0 }); // { min: -128, max: 127 }
 * ```
 */
export function activationClamp(activation: Activation, quant: Quantization | undefined): Clamp {
  const scale = Math.fround(quant?.scale[0] ?? 1);
  const zp = quant?.zeroPoint[0] ?? 0;
  const q = (f: number) => zp + Math.trunc(roundHalfAway(Math.fround(Math.fround(f) / scale)));
  switch (activation) {
    case "NONE":
      return { min: -128, max: 127 };
    case "RELU":
      return { min: Math.max(-128, q(0)), max: 127 };
    case "RELU6":
      return { min: Math.max(-128, q(0)), max: Math.min(127, q(6)) };
    case "RELU_N1_TO_1":
      return { min: Math.max(-128, q(-1)), max: Math.min(127, q(1)) };
  }
}

/**
 * Attach each layer's fused activation as an int8 clamp range (ops without an activation option
 * get the full int8 range), so kernels clamp once at requantization.
 *
 * @example
 * ```ts
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
