/**
 * One training run end to end: the PyTorch worker trains the network, the result is quantized
 * into the int8 Graph (same builder as every other graph), exported as `.tflite`, and every test
 * image is classified on the emulated board by one batch firmware (tinyengine) and by the
 * reference interpreter, whose outputs must agree byte for byte; a single-inference run gives
 * the per-inference cost (MACs, instructions, peak SRAM, Flash).
 *
 * @module
 */
import type { Board } from "../engine/target/mod.ts";
import type { Graph } from "../engine/ir/mod.ts";
import { runModel } from "../pipeline/mod.ts";
import { evaluateOnDevice } from "../pipeline/mod.ts";
import { writeTflite } from "../engine/tflite/mod.ts";
import { FASHION_MNIST, resolveDataset } from "./dataset.ts";
import { imageInput, quantizeTrained } from "./quantize.ts";
import { DEFAULT_RECIPE, type Preset, PRESETS, type Recipe } from "./recipe.ts";
import type { AccuracyReport } from "./report.ts";
import type { TrainTarget } from "./target.ts";
import { runTrainingWorker, type TrainingJob, type WorkerEvent } from "./worker.ts";

/**
 * CPU seconds used so far by this process and its reaped children (utime, stime, cutime and
 * cstime of /proc/self/stat at 100 ticks per second), or undefined where /proc is absent.
 */
export function cpuSeconds(): number | undefined {
  try {
    const stat = Deno.readTextFileSync("/proc/self/stat");
    // Fields after the parenthesized command name; utime is field 14 (index 11 here).
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = [11, 12, 13, 14].reduce((n, i) => n + Number(fields[i]), 0);
    return Number.isFinite(ticks) ? ticks / 100 : undefined;
  } catch {
    return undefined;
  }
}

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
  /** A stage started ("device", "firmware"). @default ignored */
  readonly onStage?: (stage: string) => void;
  /** Test images classified so far on the device and by the reference. @default ignored */
  readonly onEvaluation?: (done: number, total: number, phase: "device" | "reference") => void;
  /** Firmware build cache. @default none */
  readonly cacheDir?: string;
  /** Fine-tune from a super-network's weights for this subnet (see `TrainingJob.inherit`). */
  readonly inherit?: TrainingJob["inherit"];
}

/** The outcome of {@link trainAndMeasure}: the report, the int8 graph and the .tflite bytes. */
export interface TrainOutcome {
  readonly report: AccuracyReport;
  readonly graph: Graph;
  readonly tflite: Uint8Array;
  /** The reference interpreter's class for every test image. */
  readonly referencePredictions: readonly number[];
  /** The firmware's class for every test image. */
  readonly devicePredictions: readonly number[];
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
  const cpuStarted = cpuSeconds();
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
    ...(options.inherit ? { inherit: options.inherit } : {}),
  }, options.onEvent ? { onEvent: options.onEvent } : {});
  const trainedAt = performance.now();

  const graph = quantizeTrained(target.arch, trained, target.name);
  const tflite = writeTflite(graph);
  await Deno.writeFile(`${options.outDir}/model.tflite`, tflite);

  options.onStage?.("device");
  const imageBytes = target.arch.resolution ** 2 * target.arch.inputChannels;
  const count = trained.testLabels.length;
  const inputs = Array.from({ length: count }, (_, i) => {
    const pixels = trained.testImages.subarray(i * imageBytes, (i + 1) * imageBytes);
    return new Uint8Array(imageInput(graph, pixels).buffer);
  });
  const evaluation = await evaluateOnDevice(graph, inputs, {
    engine: "tinyengine",
    board: options.board,
    labels: trained.testLabels,
    referenceWorkers: threads,
    modelName: target.name,
    ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
    ...(options.onEvaluation ? { onProgress: options.onEvaluation } : {}),
  });
  const evaluatedAt = performance.now();

  options.onStage?.("firmware");
  const run = await runModel(graph, {
    engine: "tinyengine",
    board: options.board,
    input: inputs[0]!,
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
    referenceInt8TestAccuracy: evaluation.referenceAccuracy!,
    onDevice: {
      measured: true,
      accuracy: evaluation.accuracy!,
      matchesReference: evaluation.outputMismatches === 0,
      outputMismatches: evaluation.outputMismatches,
      predictionMismatches: evaluation.predictionMismatches,
      instructionsMean: evaluation.instructions.mean,
      peakSramBytes: evaluation.peakSramBytes,
    },
    engine: run.engine,
    board: run.board,
    fits: run.fits,
    peakSramBytes: run.peakSramBytes,
    flashBytes: run.flashBytes,
    macs: run.macs,
    instructions: run.instructions,
    ...(run.latencyMs !== undefined ? { latencyMs: run.latencyMs } : {}),
    referenceMatch: run.referenceMatch,
    torchVersion: r.torchVersion,
    imagesPerSecond: r.imagesPerSecond,
    wallSeconds: {
      training: (trainedAt - started) / 1000,
      evaluation: (evaluatedAt - trainedAt) / 1000,
      firmware: (done - evaluatedAt) / 1000,
      total: (done - started) / 1000,
    },
    ...(cpuStarted !== undefined ? { cpuSeconds: (cpuSeconds() ?? cpuStarted) - cpuStarted } : {}),
  };
  return {
    report,
    graph,
    tflite,
    referencePredictions: evaluation.referencePredictions,
    devicePredictions: evaluation.predictions,
    testLabels: trained.testLabels,
    testImages: trained.testImages,
  };
}
