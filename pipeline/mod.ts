/**
 * The pipeline layer: compile a Graph with a backend, build the firmware with gcc, run it in the
 * emulator and compare its output with the reference interpreter (one input: `runModel`; many
 * inputs through one batch firmware: `evaluateOnDevice`). The search, the bench and the
 * CLI use the engine through this layer; the test harness and the fuzzers live here too, since
 * they drive the same four stages.
 *
 * @example
 * ```ts ignore
 * import { runModel } from "./mod.ts";
 * const report = await runModel(graph, { engine: "tinyengine", board });
 * ```
 *
 * @module
 */
export * from "./run.ts";
export * from "./evaluate.ts";
export type * from "./report.ts";
export * from "./harness.ts";
export { FUZZ_BOARDS, fuzzGraph, type FuzzOutcome, runFuzzCase } from "./fuzz_cases.ts";
export {
  RANDOM_OPS,
  randomChainGraph,
  type RandomChainOptions,
  type RandomOp,
} from "./random_graph.ts";
export { mixWeightScales, type ScaleMix } from "./scale_mix.ts";
