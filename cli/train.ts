/**
 * `mcu train ARCH|MODEL --dataset fashion-mnist [--epochs N] [--seed S] [--board B] [--out DIR]
 * [--preset quick|full] [--json]`: train in the PyTorch worker, quantize to int8, export
 * `model.tflite`, score with the reference interpreter and measure on the emulated board; writes
 * `report.json` and `report.txt` beside the model. Thin: the work is in `train/`.
 *
 * @module
 */
import { getBoard } from "../engine/target/mod.ts";
import { DatasetError, FASHION_MNIST } from "../train/mod.ts";
import { getPreset } from "../train/mod.ts";
import { formatReport } from "../train/mod.ts";
import { resolveTrainTarget } from "../train/mod.ts";
import { trainAndMeasure } from "../train/mod.ts";
import { TrainingError, type WorkerEvent } from "../train/mod.ts";
import { type CommandIo, CONSOLE_IO, isUserError } from "./_common.ts";

/** Options of {@link trainCommand} (CLI flags in kebab-case). */
export interface TrainCommandOptions {
  readonly dataset: string;
  /** @default "stm32f412" */
  readonly board?: string;
  readonly epochs?: number;
  /** @default 1 */
  readonly seed?: number;
  /** @default "full" */
  readonly preset?: string;
  /** @default `reports/train/<model>-seed<seed>` */
  readonly out?: string;
  readonly json?: boolean;
}

/** One progress line per worker event worth showing. */
export function progressLine(e: WorkerEvent): string | undefined {
  switch (e.event) {
    case "start":
      return `[train] ${e.trainImages} images, ${e.parameters} parameters, ${e.steps} steps`;
    case "step":
      return `[train] step ${e.step}/${e.steps} loss ${e.loss.toFixed(3)} (${
        Math.round(e.imagesPerSecond)
      } images/s)`;
    case "epoch":
      return `[train] epoch ${e.epoch}/${e.epochs} loss ${e.loss.toFixed(3)} validation ${
        (100 * e.validationAccuracy).toFixed(2)
      }% (${e.seconds.toFixed(1)} s)`;
    case "done":
      return `[train] float test accuracy ${(100 * e.floatTestAccuracy).toFixed(2)}%`;
    default:
      return undefined;
  }
}

/**
 * Run the `train` command; returns the exit code (0 ok, 1 error).
 *
 * @example
 * ```ts ignore
 * const code = await trainCommand("mbv2-w0.35-r28", { dataset: "fashion-mnist", preset: "quick" });
 * ```
 */
export async function trainCommand(
  spec: string,
  opts: TrainCommandOptions,
  io: CommandIo = CONSOLE_IO,
): Promise<number> {
  try {
    const board = getBoard(opts.board ?? "stm32f412");
    const preset = getPreset(opts.preset ?? "full");
    const target = resolveTrainTarget(spec, {
      classes: FASHION_MNIST.classes,
      inputChannels: FASHION_MNIST.channels,
    });
    const seed = opts.seed ?? 1;
    const outDir = opts.out ?? `reports/train/${target.name.replace(/[^\w.-]+/g, "_")}-seed${seed}`;
    await Deno.mkdir(outDir, { recursive: true });
    const { report } = await trainAndMeasure(target, {
      board,
      outDir,
      dataset: opts.dataset,
      preset,
      seed,
      cacheDir: ".cache/firmware",
      ...(opts.epochs !== undefined ? { epochs: opts.epochs } : {}),
      onEvent: (e) => {
        const line = progressLine(e);
        if (line) io.err(line);
      },
      onStage: (stage) =>
        io.err(
          stage === "device"
            ? `[device] every test image on ${board.name} (tinyengine batch firmware) and the reference interpreter`
            : `[firmware] one inference on ${board.name}`,
        ),
      onEvaluation: (done, total, phase) => {
        // About ten lines per phase.
        if (done === total || done % Math.max(1, Math.ceil(total / 10)) === 0) {
          io.err(`[${phase}] ${done}/${total} images`);
        }
      },
    });
    const text = formatReport(report);
    await Deno.writeTextFile(`${outDir}/report.json`, JSON.stringify(report, null, 2) + "\n");
    await Deno.writeTextFile(`${outDir}/report.txt`, text);
    if (opts.json) io.out(JSON.stringify(report));
    else for (const line of text.trimEnd().split("\n")) io.out(line);
    io.err(`[out] ${outDir}/model.tflite, report.json, report.txt`);
    return 0;
  } catch (e) {
    if (e instanceof TrainingError || e instanceof DatasetError || isUserError(e)) {
      io.err(`error: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
