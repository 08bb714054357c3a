/**
 * Quantization arithmetic shared by the reference interpreter, both code generators and the
 * graph passes: TFLite's fixed-point primitives (`quantizeMultiplier`,
 * `multiplyByQuantizedMultiplier`, ...), activation ranges, and the per-operator parameters
 * (multipliers, shifts, offsets) derived from tensor scales. Firmware bakes exactly these numbers,
 * so there is one definition of each.
 *
 * @example
 * ```ts
 * import { quantizeMultiplier } from "./mod.ts";
 * quantizeMultiplier(0.5); // { multiplier: 1073741824, shift: 0 }
 * ```
 *
 * @module
 */

export * from "./arithmetic.ts";
export * from "./params_common.ts";
export * from "./params_arithmetic.ts";
export * from "./params_activation.ts";
export * from "./fixed_point.ts";
export * from "./int16_activation.ts";
export * from "./params_recurrent.ts";
export * from "./params_elementwise.ts";
export * from "./params_transformer.ts";
