/**
 * TinyNAS: two-stage neural architecture search under SRAM, Flash and latency constraints,
 * co-designed with the tinyengine backend.
 *
 * - {@link MCUNET_SPACE}: the search space as data; {@link sampleArch}, {@link mutateArch},
 *   {@link crossoverArch}; {@link toMbconvArch} lowers a point for the builders.
 * - Stage 1 ({@link runStage1}): per (width, resolution) pair, the MACs CDF of sampled models that
 *   fit the board under the tinyengine memory schedule; pairs ranked by mean MACs.
 * - Latency table ({@link predictLatency}): per-kernel instruction counts measured in the emulator
 *   and cached under `.cache/latency/`, keyed by layer configuration and engine code hash.
 * - Stage 2 ({@link evolve}): evolutionary search with the exact compile-time plan for parents.
 * - {@link runTinyNas}: the whole pipeline; {@link writeSearchOutputs}: its artifacts.
 *
 * @example
 * ```ts ignore
 * import { createSearchEngine, runTinyNas } from "./mod.ts";
 * import { getBoard } from "../engine/target/boards.ts";
 * const result = await runTinyNas({
 *   board: getBoard("stm32f746"), head: { classes: 1000, inputChannels: 3 }, seed: 1,
 *   engine: createSearchEngine(),
 * });
 * result.final.measured?.peakSramBytes;
 * ```
 *
 * @module
 */
export * from "./space.ts";
export * from "./layers.ts";
export * from "./cost.ts";
export * from "./calibration.ts";
export * from "./from_mbconv.ts";
export * from "./stage1.ts";
export * from "./evolution.ts";
export * from "./latency.ts";
export * from "./objective.ts";
export * from "./engine.ts";
export * from "./plot.ts";
export * from "./outputs.ts";
export * from "./tinynas.ts";
export * from "./latency_runs.ts";
export * from "./patch_cost.ts";
