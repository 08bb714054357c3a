/**
 * `mcu search --dataset fashion-mnist --board B [--sram BYTES --flash BYTES] [--preset quick]
 * [--json]`: TinyNAS for accuracy (`train/accuracy_search.ts`). Prints the winner's float,
 * reference int8 and on-device int8 accuracy beside its measured cost, or with `--json` one
 * object (`AccuracySearchSummary`, documented in the README); writes `result.json`,
 * `model.tflite` and the worker files under `--out`.
 *
 * @module
 */
import { getBoard } from "../engine/target/mod.ts";
import { createSearchEngine, type ProgressEvent, SPACES } from "../search/mod.ts";
import {
  type AccuracySearchResult,
  getSearchPreset,
  runAccuracySearch,
  type WorkerEvent,
} from "../train/mod.ts";
import { progressLine } from "./train.ts";
import { cycleLimit, type SearchCommandOptions, type SearchIo } from "./search.ts";

/** The `--json` object of an accuracy search (stable: other tools read it). */
export interface AccuracySearchSummary {
  readonly dataset: string;
  readonly board: string;
  readonly preset: string;
  readonly seed: number;
  readonly splitSeed: number;
  readonly budget: { readonly sramBytes: number; readonly flashBytes: number };
  readonly space: string;
  readonly pair: { readonly width: number; readonly resolution: number };
  /** The winner: search key and the MbconvArch it lowers to. */
  readonly key: string;
  readonly arch: unknown;
  readonly accuracy: {
    /** Winner with inherited super-network weights, validation split. */
    readonly inheritedValidation: number;
    readonly floatValidation: number;
    readonly floatTest: number;
    readonly referenceInt8Test: number;
    readonly onDeviceInt8Test: number;
    /** Whether every on-device output byte equalled the reference interpreter's. */
    readonly onDeviceMatchesReference: boolean;
    readonly testImages: number;
  };
  readonly peakSramBytes: number;
  readonly flashBytes: number;
  readonly macs: number;
  readonly instructions: number;
  readonly latencyMs?: number;
  readonly fits: boolean;
  readonly supernet: {
    readonly epochs: number;
    readonly trainImages: number;
    readonly subnetsPerStep: number;
    readonly imagesPerSecond: number;
  };
  readonly scoring: {
    readonly subnets: number;
    readonly batches: number;
    readonly seconds: number;
    readonly workerStartSeconds: number;
  };
  readonly wallSeconds: {
    readonly stage1: number;
    readonly supernet: number;
    readonly search: number;
    readonly finetune: number;
    readonly total: number;
  };
  /** CPU seconds of this process and its finished children (the Python workers, gcc). */
  readonly cpuSeconds: number;
  readonly tflite: string;
}

/** CPU seconds of this process and its waited-for children (Linux `/proc/self/stat`). */
function cpuSeconds(): number {
  try {
    const stat = Deno.readTextFileSync("/proc/self/stat");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime, stime, cutime, cstime are fields 14-17 (1-based), i.e. 11-14 after the name.
    const ticks = [11, 12, 13, 14].reduce((s, i) => s + Number(fields[i]), 0);
    return ticks / 100;
  } catch {
    return Number.NaN;
  }
}

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

function summarizeAccuracy(
  r: AccuracySearchResult,
  extra: Pick<AccuracySearchSummary, "dataset" | "preset" | "space" | "tflite"> & {
    readonly total: number;
    readonly cpu: number;
  },
): AccuracySearchSummary {
  const rep = r.outcome.report;
  const onDevice = rep.onDevice.measured ? rep.onDevice : undefined;
  return {
    dataset: extra.dataset,
    board: rep.board,
    preset: extra.preset,
    seed: rep.seed,
    splitSeed: rep.splitSeed,
    budget: { sramBytes: r.search.limits.sramBytes, flashBytes: r.search.limits.flashBytes },
    space: extra.space,
    pair: r.pair,
    key: r.search.final.key,
    arch: r.search.final.net,
    accuracy: {
      inheritedValidation: r.inheritedValidationAccuracy,
      floatValidation: rep.floatValidationAccuracy,
      floatTest: rep.floatTestAccuracy,
      referenceInt8Test: rep.referenceInt8TestAccuracy,
      onDeviceInt8Test: onDevice?.accuracy ?? Number.NaN,
      onDeviceMatchesReference: onDevice?.matchesReference ?? false,
      testImages: rep.images.test,
    },
    peakSramBytes: rep.peakSramBytes,
    flashBytes: rep.flashBytes,
    macs: rep.macs,
    instructions: rep.instructions,
    ...(r.search.final.measured?.latencyMs !== undefined
      ? { latencyMs: r.search.final.measured.latencyMs }
      : {}),
    fits: rep.peakSramBytes <= r.search.limits.sramBytes &&
      rep.flashBytes <= r.search.limits.flashBytes && rep.referenceMatch &&
      (onDevice?.matchesReference ?? false),
    supernet: {
      epochs: r.supernet.epochs,
      trainImages: r.supernet.trainImages,
      subnetsPerStep: r.supernet.subnetsPerStep,
      imagesPerSecond: round(r.supernet.imagesPerSecond),
    },
    scoring: {
      ...r.scoring,
      seconds: round(r.scoring.seconds),
      workerStartSeconds: round(r.scoring.workerStartSeconds),
    },
    wallSeconds: {
      stage1: round(r.seconds.stage1),
      supernet: round(r.seconds.supernet),
      search: round(r.seconds.search),
      finetune: round(r.seconds.finetune),
      total: round(extra.total),
    },
    cpuSeconds: round(extra.cpu),
    tflite: extra.tflite,
  };
}

/**
 * Run the accuracy search command; returns the exit code (0 fits, 1 error, 2 bad arguments,
 * 3 the trained network does not fit or disagrees with the reference).
 */
export async function datasetSearchCommand(
  opts: SearchCommandOptions,
  io: SearchIo,
): Promise<number> {
  const started = performance.now();
  const cpu0 = cpuSeconds();
  let board;
  let preset;
  try {
    if (opts.dataset !== "fashion-mnist") {
      throw new RangeError(
        `Cannot search with --dataset '${opts.dataset}': the known data set is fashion-mnist`,
      );
    }
    board = getBoard(opts.board);
    preset = getSearchPreset(opts.preset ?? "full");
  } catch (e) {
    io.err(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  const spaceName = opts.space ?? "tiny";
  const space = SPACES[spaceName]!;
  const out = opts.out ?? `reports/search/${opts.dataset}-${board.name}-seed${opts.seed}`;
  const line = (text: string) => io.err(text + "\n");
  const onProgress = (e: ProgressEvent) => {
    if (e.phase === "stage1" && e.done !== e.total) return;
    line(`[${e.phase} ${e.done}/${e.total}] ${e.message}`);
  };
  let lastStep = 0;
  const onWorkerEvent = (phase: string, e: WorkerEvent) => {
    if (e.event === "step") {
      // A line every ~10 s of training is enough on a terminal or in a CI log.
      if (performance.now() - lastStep < 10_000) return;
      lastStep = performance.now();
    }
    const text = progressLine(e);
    if (text && !(e.event === "done" && phase === "supernet")) {
      line(text.replace("[train]", `[${phase}]`));
    }
  };
  try {
    const maxCycles = cycleLimit(board, opts);
    const engine = io.engine ?? createSearchEngine({ cacheDir: ".cache/firmware" });
    const result = await runAccuracySearch({
      board,
      space,
      engine,
      outDir: out,
      preset,
      seed: opts.seed,
      ...(opts.sram !== undefined ? { sramBytes: opts.sram } : {}),
      ...(opts.flash !== undefined ? { flashBytes: opts.flash } : {}),
      ...(maxCycles !== undefined ? { maxCycles } : {}),
      ...(opts.maxInstructions !== undefined ? { maxInstructions: opts.maxInstructions } : {}),
      cacheDir: ".cache/firmware",
      onProgress,
      onWorkerEvent,
    });
    const tflite = `${out}/model.tflite`;
    await Deno.copyFile(`${out}/winner/model.tflite`, tflite);
    const summary = summarizeAccuracy(result, {
      dataset: opts.dataset!,
      preset: preset.name,
      space: spaceName,
      tflite,
      total: (performance.now() - started) / 1000,
      cpu: cpuSeconds() - cpu0,
    });
    await Deno.writeTextFile(`${out}/result.json`, JSON.stringify(summary, null, 1) + "\n");
    if (opts.json) io.out(JSON.stringify(summary));
    else for (const l of formatSummary(summary)) io.out(l);
    return summary.fits ? 0 : 3;
  } catch (e) {
    io.err(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

/** The text report of an accuracy search. */
export function formatSummary(s: AccuracySearchSummary): string[] {
  const a = s.accuracy;
  return [
    `board            ${s.board}, budget ${s.budget.sramBytes} B SRAM / ${s.budget.flashBytes} B Flash`,
    `space            ${s.space} w${s.pair.width}-r${s.pair.resolution} (stage 1)`,
    `architecture     ${s.key}`,
    `accuracy         float ${pct(a.floatTest)}, reference int8 ${
      pct(a.referenceInt8Test)
    }, on-device int8 ${pct(a.onDeviceInt8Test)} (${a.testImages} test images, ${
      a.onDeviceMatchesReference ? "bit-exact with the reference" : "MISMATCH with the reference"
    }); validation: inherited ${pct(a.inheritedValidation)}, fine-tuned ${pct(a.floatValidation)}`,
    `measured         peak SRAM ${s.peakSramBytes} B, Flash ${s.flashBytes} B, ${
      (s.macs / 1e6).toFixed(2)
    } MMACs, ${s.instructions} instructions${
      s.latencyMs !== undefined ? `, ${s.latencyMs.toFixed(1)} ms modelled` : ""
    }`,
    `fits             ${s.fits ? "yes" : "NO"}`,
    `super-network    ${s.supernet.epochs} epoch(s) over ${s.supernet.trainImages} images, ${s.supernet.subnetsPerStep} subnets per step, ${s.supernet.imagesPerSecond} images/s`,
    `scoring          ${s.scoring.subnets} subnets in ${s.scoring.batches} batches, ${s.scoring.seconds} s (worker start ${s.scoring.workerStartSeconds} s)`,
    `seed             ${s.seed} (split seed ${s.splitSeed}), preset ${s.preset}`,
    `time             ${s.wallSeconds.total} s wall (stage 1 ${s.wallSeconds.stage1}, super-network ${s.wallSeconds.supernet}, search ${s.wallSeconds.search}, fine-tune + device ${s.wallSeconds.finetune}), ${s.cpuSeconds} s CPU`,
    `wrote            ${s.tflite}`,
  ];
}
