/**
 * The typed boundary to the PyTorch training worker (`train/worker/train_worker.py`, run with
 * Debian's `/usr/bin/python3`): a JSON job in, files out (BN-folded float weights, calibration
 * ranges, float accuracies, the test images at the network's resolution), progress as JSON lines
 * on the worker's stderr.
 *
 * @module
 */
import type { MbconvArch } from "../engine/builders/mod.ts";
import type {
  ActivationRangeRecord,
  LayerParameters,
  TrainedParameters,
} from "../engine/builders/mod.ts";
import type { DataSizes, Recipe } from "./recipe.ts";

/** The job the worker reads. */
export interface TrainingJob extends DataSizes {
  readonly arch: MbconvArch;
  readonly recipe: Recipe;
  /** Seed of initialization, batch order, augmentation and calibration sampling. */
  readonly seed: number;
  /** Seed of the train/validation split (fixed, so every run validates on the same images). */
  readonly splitSeed: number;
  readonly threads: number;
  readonly dataDir: string;
  readonly outDir: string;
  /**
   * Start from a trained super-network's weights for this subnet (fine-tuning a searched
   * network) instead of a fresh initialization.
   */
  readonly inherit?: { readonly checkpoint: string; readonly depths: readonly number[] };
}

/** One layer of the worker's weights file. */
export interface WorkerLayer {
  readonly name: string;
  readonly kind: "conv" | "depthwise" | "fully_connected";
  /** Shape in the Graph's layout. */
  readonly shape: readonly number[];
  readonly weightsOffset: number;
  readonly biasOffset: number;
  readonly channels: number;
}

/** `result.json` of a finished job. */
export interface WorkerResult {
  readonly layers: readonly WorkerLayer[];
  readonly activationRanges: Readonly<Record<string, ActivationRangeRecord>>;
  readonly floatValidationAccuracy: number;
  readonly floatTestAccuracy: number;
  readonly trainImages: number;
  readonly validationImages: number;
  readonly testImages: number;
  readonly calibrationImages: number;
  readonly parameters: number;
  readonly trainSeconds: number;
  readonly wallSeconds: number;
  readonly imagesPerSecond: number;
  readonly torchVersion: string;
}

/** A progress event of the worker (one JSON line on its stderr). */
export type WorkerEvent =
  | {
    readonly event: "start";
    readonly trainImages: number;
    readonly parameters: number;
    readonly steps: number;
  }
  | {
    readonly event: "step";
    readonly step: number;
    readonly steps: number;
    readonly loss: number;
    readonly imagesPerSecond: number;
  }
  | {
    readonly event: "epoch";
    readonly epoch: number;
    readonly epochs: number;
    readonly loss: number;
    readonly validationAccuracy: number;
    readonly seconds: number;
    readonly imagesPerSecond: number;
  }
  | { readonly event: "done"; readonly floatTestAccuracy: number; readonly wallSeconds: number }
  | { readonly event: "ready"; readonly seconds: number }
  | { readonly event: "error"; readonly message: string };

/** What a finished job gives back. */
export interface TrainedFloatModel {
  readonly result: WorkerResult;
  /** weights.bin as float32 values. */
  readonly weights: Float32Array;
  /** Test images at the network's resolution, uint8 pixels, image after image. */
  readonly testImages: Uint8Array;
  readonly testLabels: Uint8Array;
}

/** The worker failed: its message, or its exit code and last stderr lines. */
export class TrainingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TrainingError";
  }
}

/** Debian's interpreter, which sees `python3-torch` (the pyenv `python3` on PATH does not). */
export const WORKER_PYTHON = "/usr/bin/python3";

const WORKER_SCRIPT = decodeURIComponent(
  new URL("./worker/train_worker.py", import.meta.url).pathname,
);

/** A worker script of this folder by file name. */
export function workerScript(name: string): string {
  return decodeURIComponent(new URL(`./worker/${name}`, import.meta.url).pathname);
}

/** Options of {@link runTrainingWorker}. */
export interface RunWorkerOptions {
  /** Receives every progress event as it arrives. @default ignored */
  readonly onEvent?: (event: WorkerEvent) => void;
  /** @default WORKER_PYTHON */
  readonly python?: string;
}

/** Call `fn` with every line of a byte stream (the last one even without a newline). */
export async function forEachLine(
  stream: ReadableStream<Uint8Array>,
  fn: (line: string) => void,
): Promise<void> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of stream) {
    pending += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = pending.indexOf("\n")) >= 0) {
      fn(pending.slice(0, nl));
      pending = pending.slice(nl + 1);
    }
  }
  if (pending.trim() !== "") fn(pending);
}

/**
 * Write the job into `job.outDir`, run the worker, stream its progress and read its files back.
 *
 * @throws {TrainingError} when Python or torch is missing or the worker fails (with its message).
 *
 * @example
 * ```ts ignore
 * const trained = await runTrainingWorker(job, { onEvent: (e) => console.error(e) });
 * trained.result.floatTestAccuracy; // e.g. 0.89
 * ```
 */
export async function runTrainingWorker(
  job: TrainingJob,
  options: RunWorkerOptions = {},
): Promise<TrainedFloatModel> {
  await Deno.mkdir(job.outDir, { recursive: true });
  const jobPath = `${job.outDir}/job.json`;
  await Deno.writeTextFile(jobPath, JSON.stringify(job, null, 1));
  await runWorkerScript(WORKER_SCRIPT, [jobPath], { ...options, threads: job.threads });
  return await readWorkerOutput(job.outDir);
}

/**
 * Run one worker script (`train/worker/*.py`) with Debian's Python to completion, streaming its
 * JSON-line progress events from stderr.
 *
 * @throws {TrainingError} when Python or torch is missing or the script fails (with its message).
 */
export async function runWorkerScript(
  script: string,
  args: readonly string[],
  options: RunWorkerOptions & { readonly threads: number },
): Promise<void> {
  const python = options.python ?? WORKER_PYTHON;
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(python, {
      args: [script, ...args],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
      // Passive OpenMP waits: with spinning threads on a loaded 2-core machine one epoch took
      // 188 s instead of 21 s (measured; the results are identical).
      env: {
        OMP_NUM_THREADS: String(options.threads),
        OMP_WAIT_POLICY: "PASSIVE",
        PYTHONDONTWRITEBYTECODE: "1",
      },
    }).spawn();
  } catch (e) {
    throw new TrainingError(
      `Cannot start the training worker with ${python}: ${
        e instanceof Error ? e.message : String(e)
      }; run \`deno task setup\` (Debian package python3-torch)`,
    );
  }
  let failure: string | undefined;
  const tail: string[] = [];
  await forEachLine(child.stderr, (line) => {
    let event: WorkerEvent | undefined;
    try {
      const parsed = JSON.parse(line);
      if (parsed && typeof parsed.event === "string") event = parsed as WorkerEvent;
    } catch {
      event = undefined;
    }
    if (!event) {
      tail.push(line);
      if (tail.length > 20) tail.shift();
      return;
    }
    if (event.event === "error") failure = event.message;
    options.onEvent?.(event);
  });
  const status = await child.status;
  if (!status.success) {
    const why = failure ??
      (tail.some((l) => l.includes("No module named 'torch'"))
        ? "torch is not installed for this Python; run `deno task setup` (python3-torch)"
        : `exit code ${status.code}: ${tail.slice(-8).join("\n")}`);
    throw new TrainingError(`Cannot train: the worker failed: ${why}`);
  }
}

/** Read a finished job's files from its folder. */
export async function readWorkerOutput(dir: string): Promise<TrainedFloatModel> {
  const result = JSON.parse(await Deno.readTextFile(`${dir}/result.json`)) as WorkerResult;
  const raw = await Deno.readFile(`${dir}/weights.bin`);
  const weights = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength >> 2).slice();
  const testImages = await Deno.readFile(`${dir}/test_images.bin`);
  const testLabels = await Deno.readFile(`${dir}/test_labels.bin`);
  return { result, weights, testImages, testLabels };
}

/**
 * The worker's output as the builders' {@link TrainedParameters}: layers and activation ranges
 * looked up by the builder's names; an unknown name is a RangeError (the net and the graph differ).
 */
export function trainedParameters(model: TrainedFloatModel): TrainedParameters {
  const byName = new Map(model.result.layers.map((l) => [l.name, l]));
  const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
  return {
    layer(name: string): LayerParameters {
      const l = byName.get(name);
      if (!l) {
        throw new RangeError(`Cannot find trained layer '${name}': the worker wrote no such layer`);
      }
      const w = l.weightsOffset / 4;
      const b = l.biasOffset / 4;
      return {
        weights: model.weights.subarray(w, w + count(l.shape)),
        bias: model.weights.subarray(b, b + l.channels),
      };
    },
    range(name: string): ActivationRangeRecord {
      const r = model.result.activationRanges[name];
      if (!r) {
        throw new RangeError(
          `Cannot find the calibrated range of '${name}': the worker recorded no such tensor`,
        );
      }
      return r;
    },
  };
}
