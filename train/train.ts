/**
 * One training run end to end: the PyTorch worker trains the network, the result is quantized
 * into the int8 Graph (same builder as every other graph), exported as `.tflite`, scored with the
 * reference interpreter on the test images, and compiled, built and emulated on the board for its
 * memory, MACs and instructions.
 *
 * @module
 */
import type { Board } from "../engine/target/boards.ts";
import type { Graph } from "../engine/ir/graph.ts";
import { runModel } from "../pipeline/run.ts";
import { writeTflite } from "../engine/tflite/write_tflite.ts";
import { FASHION_MNIST, resolveDataset } from "./dataset.ts";
import { accuracy, referencePredictions } from "./evaluate.ts";
import { imageInput, quantizeTrained } from "./quantize.ts";
import { DEFAULT_RECIPE, type Preset, PRESETS, type Recipe } from "./recipe.ts";
import type { AccuracyReport } from "./report.ts";
import type { TrainTarget } from "./target.ts";
import { runTrainingWorker, type WorkerEvent } from "./worker.ts";

/** Options of {@link trainAndMeasure}. */
export interface TrainOptions {
  readonly board: Board;
  /** Folder for model.tflite, the worker's files and the reports. */
  readonly outDir: string;
  /** @default "fashion-mnist" */
  readonly dataset?: string;
  /** @default PRESETS.full */
  readonly preset?: Preset;
  /** Overrides the preset's epochs. */
  readonly epochs?: number;
  /** @default 1 */
  readonly seed?: number;
  /** Seed of the train/validation split. @default 0 */
  readonly splitSeed?: number;
  /** @default DEFAULT_RECIPE */
  readonly recipe?: Recipe;
  /** Torch threads and reference-interpreter workers. @default 2 */
  readonly threads?: number;
  /** Dataset folder. @default see {@link resolveDataset} */
  readonly dataDir?: string;
  /** Progress of the training worker. @default ignored */
  readonly onEvent?: (event: WorkerEvent) => void;
  /** A stage started ("reference", "firmware"). @default ignored */
  readonly onStage?: (stage: string) => void;
  /** Firmware build cache. @default none */
  readonly cacheDir?: string;
}

/** The outcome of {@link trainAndMeasure}: the report, the int8 graph and the .tflite bytes. */
export interface TrainOutcome {
  readonly report: AccuracyReport;
  readonly graph: Graph;
  readonly tflite: Uint8Array;
  /** Reference predictions for the test images (for on-device comparisons). */
  readonly referencePredictions: Uint8Array;
  readonly testLabels: Uint8Array;
  readonly testImages: Uint8Array;
}

/**
 * Train, quantize, export, score and measure one network.
 *
 * @example
 * ```ts ignore
 * const { report } = await trainAndMeasure(resolveTrainTarget("mbv2-w0.35-r28", head), {
 *   board: getBoard("stm32f412"), outDir: "out", preset: PRESETS.quick,
 * });
 * ```
 */
export async function trainAndMeasure(
  target: TrainTarget,
  options: TrainOptions,
): Promise<TrainOutcome> {
  const started = performance.now();
  const dataset = options.dataset ?? "fashion-mnist";
  const dataDir = options.dataDir ?? resolveDataset(dataset);
  if (options.dataDir) resolveDataset(dataset, options.dataDir);
  const preset = options.preset ?? PRESETS.full!;
  const recipe = { ...(options.recipe ?? DEFAULT_RECIPE), epochs: options.epochs ?? preset.epochs };
  const seed = options.seed ?? 1;
  const splitSeed = options.splitSeed ?? 0;
  const threads = options.threads ?? 2;
  if (
    target.arch.inputChannels !== FASHION_MNIST.channels ||
    target.arch.classes !== FASHION_MNIST.classes
  ) {
    throw new RangeError(
      `Cannot train '${target.name}' on ${dataset}: it needs ${FASHION_MNIST.channels} input channel and ${FASHION_MNIST.classes} classes`,
    );
  }
  const trained = await runTrainingWorker({
    arch: target.arch,
    recipe,
    seed,
    splitSeed,
    threads,
    dataDir,
    outDir: `${options.outDir}/worker`,
    ...preset.data,
  }, options.onEvent ? { onEvent: options.onEvent } : {});
  const trainedAt = performance.now();

  const graph = quantizeTrained(target.arch, trained, target.name);
  const tflite = writeTflite(graph);
  await Deno.writeFile(`${options.outDir}/model.tflite`, tflite);

  options.onStage?.("reference");
  const predictions = await referencePredictions(graph, trained.testImages, { workers: threads });
  const referenceAccuracy = accuracy(predictions, trained.testLabels);
  const referencedAt = performance.now();

  options.onStage?.("firmware");
  const imageBytes = target.arch.resolution ** 2 * target.arch.inputChannels;
  const run = await runModel(graph, {
    engine: "tinyengine",
    board: options.board,
    input: new Uint8Array(imageInput(graph, trained.testImages.subarray(0, imageBytes)).buffer),
    ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
  });
  const done = performance.now();

  const r = trained.result;
  const report: AccuracyReport = {
    model: target.name,
    dataset,
    preset: preset.name,
    arch: target.arch,
    recipe,
    seed,
    splitSeed,
    images: {
      train: r.trainImages,
      validation: r.validationImages,
      test: r.testImages,
      calibration: r.calibrationImages,
    },
    parameters: r.parameters,
    floatValidationAccuracy: r.floatValidationAccuracy,
    floatTestAccuracy: r.floatTestAccuracy,
    referenceInt8TestAccuracy: referenceAccuracy,
    onDevice: {
      measured: false,
      reason: "the on-device evaluator (evaluateOnDevice, branch ondevice) has not landed yet",
    },
    engine: run.engine,
    board: run.board,
    fits: run.fits,
    peakSramBytes: run.peakSramBytes,
    flashBytes: run.flashBytes,
    macs: run.macs,
    instructions: run.instructions,
    referenceMatch: run.referenceMatch,
    torchVersion: r.torchVersion,
    imagesPerSecond: r.imagesPerSecond,
    wallSeconds: {
      training: (trainedAt - started) / 1000,
      referenceEvaluation: (referencedAt - trainedAt) / 1000,
      firmware: (done - referencedAt) / 1000,
      total: (done - started) / 1000,
    },
  };
  return {
    report,
    graph,
    tflite,
    referencePredictions: predictions,
    testLabels: trained.testLabels,
    testImages: trained.testImages,
  };
}
