/**
 * The bit-exact TypeScript reference interpreter (the project's oracle): TensorFlow Lite's
 * reference integer kernels, and the quantization arithmetic the code generators must reuse to
 * bake identical multipliers and shifts into firmware.
 *
 * @example
 * ```ts
 * import { interpret, quantizeMultiplier } from "./mod.ts";
 * quantizeMultiplier(0.5); // { multiplier: 1073741824, shift: 0 }
 * // const { outputs } = interpret(graph, [inputBytes]);
 * ```
 *
 * @module
 */

export * from "./interpret.ts";
export * from "./quant.ts";
export * from "./fixed_point.ts";
export * from "./geometry.ts";
export * from "./errors.ts";
