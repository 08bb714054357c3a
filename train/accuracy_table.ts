/**
 * The accuracy experiment (`deno task accuracy`): rows of networks under SRAM/Flash budgets,
 * each trained with the same recipe and epochs over several seeds, quantized and measured; every
 * (network, budget, seed) run is cached by its inputs, so an interrupted experiment resumes.
 * Writes `reports/accuracy/results.json` and `table.md` (mean and spread over seeds).
 *
 * Usage: `deno task accuracy [--epochs N] [--seeds 1,2,3] [--rows FILE.json] [--budget B]
 * [--shard i/n] [--cached-only] [--out DIR]`.
 * A row is `{ "budget": "16k-64k", "board": "stm32f412", "sram": 16384, "flash": 65536,
 * "family": "TinyNAS", "spec": "w0.05-r48|..." }`; `--shard i/n` runs every n-th run from the
 * i-th (1-based), so runs can be spread over machines; a last run without --shard (all cached)
 * writes the table.
 *
 * @module
 */
// deno-lint-ignore-file no-console
import { FASHION_MNIST } from "./dataset.ts";
import { DEFAULT_RECIPE, PRESETS } from "./recipe.ts";
import type { AccuracyReport } from "./report.ts";
import { resolveTrainTarget } from "./target.ts";
import { trainAndMeasure } from "./train.ts";
import { readTflite } from "../engine/tflite/mod.ts";
import { evaluateOnDevice } from "../pipeline/mod.ts";
import type { Board } from "../engine/target/mod.ts";
import { budgetBoard } from "./budgets.ts";
import { type AccuracyRow, type AccuracyRun, formatAccuracyTable } from "./accuracy_format.ts";

/** A cached run without its on-device number (older code): classify its test images now. */
async function addOnDevice(dir: string, report: AccuracyReport, board: Board) {
  const graph = readTflite(await Deno.readFile(`${dir}/model.tflite`));
  const images = await Deno.readFile(`${dir}/worker/test_images.bin`);
  const labels = await Deno.readFile(`${dir}/worker/test_labels.bin`);
  const bytes = images.length / labels.length;
  const inputs = Array.from(
    { length: labels.length },
    (_, i) => images.subarray(i * bytes, (i + 1) * bytes).map((p) => p - 128),
  );
  const ev = await evaluateOnDevice(graph, inputs, {
    engine: "tinyengine",
    board,
    labels,
    referenceWorkers: 2,
    cacheDir: ".cache/firmware",
  });
  if (ev.referenceAccuracy !== report.referenceInt8TestAccuracy) {
    throw new Error(
      `Cannot complete ${dir}: the reference accuracy of its model.tflite (${ev.referenceAccuracy}) is not the recorded ${report.referenceInt8TestAccuracy}`,
    );
  }
  return {
    ...report,
    onDevice: {
      measured: true as const,
      accuracy: ev.accuracy!,
      matchesReference: ev.outputMismatches === 0,
      outputMismatches: ev.outputMismatches,
      predictionMismatches: ev.predictionMismatches,
      instructionsMean: ev.instructions.mean,
      peakSramBytes: ev.peakSramBytes,
    },
  };
}

const F412_16K = { budget: "16k-64k", board: "stm32f412", sram: 16384, flash: 65536 };
const F412_64K = { budget: "64k-256k", board: "stm32f412", sram: 65536, flash: 262144 };

/**
 * The rows, each the best of its family that fits its budget, chosen by measurement
 * (`deno task accuracy:pick`, tinyengine, synthetic weights; see the README's accuracy section).
 */
export const DEFAULT_ROWS: readonly AccuracyRow[] = [
  // `mcu search --dataset fashion-mnist --board stm32f412 --sram 16384 --flash 65536 --seed 1`.
  { ...F412_16K, family: "TinyNAS", spec: "w0.15-r44|k3e3,k5e6,k5e4|k5e4|k3e3|k3e3|k3e3" },
  { ...F412_16K, family: "MbV2 depth-scaled", spec: "mbv2-w0.05-d0.25-r40" },
  { ...F412_16K, family: "ProxylessNAS depth-scaled", spec: "proxyless-w0.05-d0.25-r48" },
  {
    ...F412_64K,
    family: "TinyNAS",
    spec:
      "w0.3-r32|k7e6,k7e6,k7e6,k7e6|k7e6,k7e6,k7e6,k7e6|k7e6,k5e4,k5e4|k7e4,k7e4,k3e3|k7e3,k3e3|k5e3",
  },
  { ...F412_64K, family: "MbV2", spec: "mbv2-w0.25-r96" },
  { ...F412_64K, family: "ProxylessNAS", spec: "proxyless-w0.15-r112" },
];

async function sha(text: string): Promise<string> {
  const h = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(h).slice(0, 12)).map((b) => b.toString(16).padStart(2, "0"))
    .join("");
}

/**
 * Run (or read from the cache) every (row, seed) of the experiment, then write
 * `results.json` and `table.md` into `--out`. `args` are the command-line flags.
 *
 * @example
 * ```ts ignore
 * await runAccuracyTable(["--budget", "16k-64k", "--seeds", "1,2,3"]);
 * ```
 */
export async function runAccuracyTable(args: readonly string[]): Promise<void> {
  const started = performance.now();
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  // 10: after 3 epochs every network was still far from converged (mbv2-w0.05-d0.25-r40: 88.35%
  // test after a 3-epoch schedule, 90.41% after 10), and the shallowest networks led.
  const epochs = Number(flag("--epochs") ?? 10);
  const seeds = (flag("--seeds") ?? "1,2,3").split(",").map(Number);
  const rowsFile = flag("--rows");
  // Write the table from the runs already cached, training nothing (e.g. while shards run).
  const cachedOnly = args.includes("--cached-only");
  const budget = flag("--budget");
  const out = flag("--out") ?? "reports/accuracy";
  const rows: readonly AccuracyRow[] =
    (rowsFile ? JSON.parse(await Deno.readTextFile(rowsFile)) as AccuracyRow[] : DEFAULT_ROWS)
      .filter((r) => budget === undefined || r.budget === budget);
  const shard = flag("--shard");
  const [si, sn] = shard ? shard.split("/").map(Number) as [number, number] : [1, 1];
  if (!Number.isInteger(si) || !Number.isInteger(sn) || si < 1 || si > sn) {
    throw new RangeError(`Cannot use --shard ${shard}: expected i/n with 1 <= i <= n`);
  }
  if (![epochs, ...seeds].every((n) => Number.isInteger(n) && n > 0)) {
    throw new RangeError(
      "Cannot run the accuracy table: --epochs and --seeds must be positive integers",
    );
  }
  const runs = seeds.flatMap((seed) => rows.map((row) => ({ row, seed })));
  const results: AccuracyRun[] = [];
  for (const [i, { row, seed }] of runs.entries()) {
    const key = await sha(JSON.stringify({ row, seed, epochs, recipe: DEFAULT_RECIPE }));
    const dir = `.cache/accuracy/${key}`;
    let report: AccuracyReport | undefined;
    try {
      report = JSON.parse(await Deno.readTextFile(`${dir}/report.json`));
    } catch {
      report = undefined;
    }
    const board = budgetBoard({
      name: row.budget,
      board: row.board,
      sram: row.sram,
      flash: row.flash,
    });
    if (report && !report.onDevice.measured && i % sn === si - 1) {
      console.error(`[accuracy ${i + 1}/${runs.length}] on-device pass of the cached run ${dir}`);
      report = await addOnDevice(dir, report, board);
      await Deno.writeTextFile(`${dir}/report.json`, JSON.stringify(report, null, 2) + "\n");
    }
    if (!report && !cachedOnly && i % sn === si - 1) {
      console.error(`[accuracy ${i + 1}/${runs.length}] ${row.budget} ${row.family} seed ${seed}`);
      await Deno.mkdir(dir, { recursive: true });
      const target = resolveTrainTarget(row.spec, {
        classes: FASHION_MNIST.classes,
        inputChannels: FASHION_MNIST.channels,
      });
      const outcome = await trainAndMeasure(target, {
        board,
        outDir: dir,
        preset: PRESETS.full!,
        epochs,
        seed,
        cacheDir: ".cache/firmware",
        onEvent: (e) => {
          if (e.event === "epoch") {
            console.error(
              `  epoch ${e.epoch}/${e.epochs} validation ${
                (100 * e.validationAccuracy).toFixed(2)
              }% (${e.seconds.toFixed(0)} s)`,
            );
          }
        },
      });
      report = outcome.report;
      await Deno.writeTextFile(`${dir}/report.json`, JSON.stringify(report, null, 2) + "\n");
      console.error(
        `  float ${(100 * report.floatTestAccuracy).toFixed(2)}% int8 ${
          (100 * report.referenceInt8TestAccuracy).toFixed(2)
        }% on device ${
          report.onDevice.measured ? (100 * report.onDevice.accuracy).toFixed(2) + "%" : "-"
        } (${report.wallSeconds.total.toFixed(0)} s)`,
      );
    }
    if (report) results.push({ row, seed, report });
  }
  await Deno.mkdir(out, { recursive: true });
  await Deno.writeTextFile(
    `${out}/results.json`,
    JSON.stringify({ epochs, seeds, recipe: DEFAULT_RECIPE, results }, null, 1) + "\n",
  );
  const table = formatAccuracyTable(rows, results, { epochs, seeds, recipe: DEFAULT_RECIPE });
  await Deno.writeTextFile(`${out}/table.md`, table);
  console.log(table);
  console.error(
    `accuracy: ${results.length} of ${runs.length} runs in the table; this invocation ${
      ((performance.now() - started) / 1000).toFixed(0)
    } s`,
  );
}

if (import.meta.main) await runAccuracyTable(Deno.args);
