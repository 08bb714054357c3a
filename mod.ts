/**
 * mcunet-bench: compile int8 neural networks to Cortex-M firmware, measure them exactly in an
 * emulator, and search for the best network that fits a microcontroller.
 *
 * @example
 * ```ts
 * import { buildModel, inspectGraph } from "./mod.ts";
 * const report = inspectGraph(buildModel("mbv2-w0.35-r144"));
 * ```
 *
 * @module
 */
export * from "./engine/ir/graph.ts";
export * from "./engine/ir/errors.ts";
export { validateGraph } from "./engine/ops/validate.ts";
export * from "./engine/target/boards.ts";
// Both the board memory map and the receptive-field analysis name a `Region`: the board's wins here.
export type { Region } from "./engine/target/boards.ts";
export * from "./engine/tflite/mod.ts";
export * from "./engine/quant/mod.ts";
export * from "./engine/reference/mod.ts";
export * from "./engine/ops/mod.ts";
export * from "./engine/builders/mod.ts";
export * from "./engine/analysis/mod.ts";
export * from "./engine/build/mod.ts";
export * from "./emulator/mod.ts";
export {
  argmax,
  evaluateOnDevice,
  type EvaluateOptions,
  type EvaluationPhase,
  type InstructionStats,
  type OnDeviceEvaluation,
} from "./pipeline/evaluate.ts";
export * from "./search/mod.ts";
export type * from "./pipeline/report.ts";
export type * from "./engine/codegen/backend.ts";
