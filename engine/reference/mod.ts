/**
 * The bit-exact TypeScript reference interpreter (the project's oracle): TensorFlow Lite's
 * reference integer kernels. Their quantization arithmetic lives in `engine/quant/`, shared with
 * the code generators so firmware bakes identical multipliers and shifts.
 *
 * @example
 * ```ts
 * import { interpret } from "./mod.ts";
 * // const { outputs } = interpret(graph, [inputBytes]);
 * void interpret;
 * ```
 *
 * @module
 */

export * from "./interpret.ts";
export * from "./geometry.ts";
export * from "./errors.ts";
export { interpretBatch, type InterpretBatchOptions } from "./batch.ts";
export { runKernel } from "./dispatch.ts";
export { nearestNeighbor } from "./kernels/resize_nearest_neighbor.ts";
export { interpretPatchwise, type PatchwiseOptions } from "./patchwise.ts";
