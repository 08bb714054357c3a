/**
 * Accuracy in the loop: train an MBConv network on Fashion-MNIST in a PyTorch worker, quantize
 * it into the int8 Graph IR with the project's builders, export `.tflite`, and score it with the
 * reference interpreter and on the emulated board.
 *
 * @example
 * ```ts ignore
 * import { PRESETS, resolveTrainTarget, trainAndMeasure } from "./mod.ts";
 * import { getBoard } from "../engine/target/boards.ts";
 * const target = resolveTrainTarget("mbv2-w0.35-r28", { classes: 10, inputChannels: 1 });
 * const { report } = await trainAndMeasure(target, {
 *   board: getBoard("stm32f412"), outDir: "out", preset: PRESETS.quick!,
 * });
 * ```
 *
 * @module
 */
export * from "./dataset.ts";
export * from "./recipe.ts";
export * from "./worker.ts";
export * from "./quantize.ts";
export * from "./target.ts";
export * from "./report.ts";
export * from "./train.ts";
export * from "./supernet.ts";
export * from "./accuracy_search.ts";
export * from "./budgets.ts";
export * from "./best_fit.ts";
export * from "./accuracy_format.ts";
export { DEFAULT_ROWS, runAccuracyTable } from "./accuracy_table.ts";
