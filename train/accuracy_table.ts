/**
 * The accuracy experiment (`deno task accuracy`): rows of networks under SRAM/Flash budgets,
 * each trained with the same recipe and epochs over several seeds, quantized and measured; every
 * (network, budget, seed) run is cached by its inputs, so an interrupted experiment resumes.
 * Writes `reports/accuracy/results.json` and `table.md` (mean and spread over seeds).
 *
 * Usage: `deno task accuracy [--epochs N] [--seeds 1,2,3] [--rows FILE.json] [--budget B]
 * [--shard i/n] [--out DIR]`.
 * A row is `{ "budget": "16k-64k", "board": "stm32f412", "sram": 16384, "flash": 65536,
 * "family": "TinyNAS", "spec": "w0.05-r48|..." }`; `--shard i/n` runs every n-th run from the
 * i-th (1-based), so runs can be spread over machines; a last run without --shard (all cached)
 * writes the table.
 *
 * @module
 */
// deno-lint-ignore-file no-console
import { getBoard } from "../engine/target/mod.ts";
import { FASHION_MNIST } from "./dataset.ts";
import { DEFAULT_RECIPE, PRESETS } from "./recipe.ts";
import type { AccuracyReport } from "./report.ts";
import { resolveTrainTarget } from "./target.ts";
import { trainAndMeasure } from "./train.ts";
import { readTflite } from "../engine/tflite/mod.ts";
import { evaluateOnDevice } from "../pipeline/mod.ts";
import type { Board } from "../engine/target/mod.ts";

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

/** One row of the table. */
export interface AccuracyRow {
  readonly budget: string;
  readonly board: string;
  readonly sram: number;
  readonly flash: number;
  readonly family: string;
  readonly spec: string;
}

/** Rows chosen by measurement on stm32f412 (see the README's accuracy section). */
export const DEFAULT_ROWS: readonly AccuracyRow[] = [
  {
    budget: "16k-64k",
    board: "stm32f412",
    sram: 16384,
    flash: 65536,
    family: "TinyNAS",
    spec: "w0.05-r48|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3|k3e3",
  },
  {
    budget: "64k-256k",
    board: "stm32f412",
    sram: 65536,
    flash: 262144,
    family: "TinyNAS",
    spec:
      "w0.3-r32|k7e6,k7e6,k7e6,k7e6|k7e6,k7e6,k7e6,k7e6|k7e6,k5e4,k5e4|k7e4,k7e4,k3e3|k7e3,k3e3|k5e3",
  },
  {
    budget: "64k-256k",
    board: "stm32f412",
    sram: 65536,
    flash: 262144,
    family: "MbV2",
    spec: "mbv2-w0.25-r32",
  },
];

async function sha(text: string): Promise<string> {
  const h = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(h).slice(0, 12)).map((b) => b.toString(16).padStart(2, "0"))
    .join("");
}

function stats(xs: readonly number[]): { mean: number; spread: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1);
  return { mean, spread: xs.length ? Math.max(...xs) - Math.min(...xs) : 0 };
}

async function main(args: string[]): Promise<void> {
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const epochs = Number(flag("--epochs") ?? 3);
  const seeds = (flag("--seeds") ?? "1,2,3").split(",").map(Number);
  const rowsFile = flag("--rows");
  const budget = flag("--budget");
  const out = flag("--out") ?? "reports/accuracy";
  const rows: readonly AccuracyRow[] =
    (rowsFile ? JSON.parse(await Deno.readTextFile(rowsFile)) as AccuracyRow[] : DEFAULT_ROWS)
      .filter((r) => budget === undefined || r.budget === budget);
  const shard = flag("--shard");
  const [si, sn] = shard ? shard.split("/").map(Number) as [number, number] : [1, 1];
  const runs = seeds.flatMap((seed) => rows.map((row) => ({ row, seed })));
  const results: { row: AccuracyRow; seed: number; report: AccuracyReport }[] = [];
  for (const [i, { row, seed }] of runs.entries()) {
    const key = await sha(JSON.stringify({ row, seed, epochs, recipe: DEFAULT_RECIPE }));
    const dir = `.cache/accuracy/${key}`;
    let report: AccuracyReport | undefined;
    try {
      report = JSON.parse(await Deno.readTextFile(`${dir}/report.json`));
    } catch {
      report = undefined;
    }
    const base = getBoard(row.board);
    const board = {
      ...base,
      name: `${base.name}-${row.budget}`,
      sram: { ...base.sram, size: row.sram },
      flash: { ...base.flash, size: row.flash },
    };
    if (report && !report.onDevice.measured && i % sn === si - 1) {
      console.error(`[accuracy ${i + 1}/${runs.length}] on-device pass of the cached run ${dir}`);
      report = await addOnDevice(dir, report, board);
      await Deno.writeTextFile(`${dir}/report.json`, JSON.stringify(report, null, 2) + "\n");
    }
    if (!report && i % sn === si - 1) {
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
  const pct = (x: number) => (100 * x).toFixed(2);
  const lines = [
    `Fashion-MNIST, ${epochs} epochs, seeds ${
      seeds.join(",")
    }, recipe ${DEFAULT_RECIPE.optimizer} lr ${DEFAULT_RECIPE.learningRate}; accuracies in % (mean, max-min spread over seeds)`,
    "",
    "| budget | family | network | seeds | float test | int8 reference | on-device int8 | peak SRAM | Flash | MACs | instructions | fits | wall s/run |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const row of rows) {
    const rs = results.filter((r) => r.row === row).map((r) => r.report);
    if (rs.length === 0) continue;
    const f = stats(rs.map((r) => r.floatTestAccuracy));
    const q = stats(rs.map((r) => r.referenceInt8TestAccuracy));
    const r0 = rs[0]!;
    const dev = rs.every((r) => r.onDevice.measured)
      ? (() => {
        const d = stats(rs.map((r) => (r.onDevice.measured ? r.onDevice.accuracy : 0)));
        const exact = rs.every((r) => r.onDevice.measured && r.onDevice.matchesReference);
        return `${pct(d.mean)} (${pct(d.spread)})${exact ? "" : " MISMATCH"}`;
      })()
      : "not measured";
    lines.push(
      `| ${row.budget} | ${row.family} | \`${row.spec}\` | ${rs.map((r) => r.seed).join(",")} | ${
        pct(f.mean)
      } (${pct(f.spread)}) | ${pct(q.mean)} (${
        pct(q.spread)
      }) | ${dev} | ${r0.peakSramBytes} | ${r0.flashBytes} | ${r0.macs} | ${r0.instructions} | ${
        r0.fits ? "yes" : "no"
      } | ${stats(rs.map((r) => r.wallSeconds.total)).mean.toFixed(0)} |`,
    );
  }
  lines.push(
    "",
    "| budget | family | seed | float test | int8 reference | on-device int8 | bit-exact | wall s |",
    "|---|---|---|---|---|---|---|---|",
  );
  for (const { row, seed, report: r } of results) {
    lines.push(
      `| ${row.budget} | ${row.family} | ${seed} | ${pct(r.floatTestAccuracy)} | ${
        pct(r.referenceInt8TestAccuracy)
      } | ${r.onDevice.measured ? pct(r.onDevice.accuracy) : "-"} | ${
        r.onDevice.measured ? (r.onDevice.matchesReference ? "yes" : "NO") : "-"
      } | ${r.wallSeconds.total.toFixed(0)} |`,
    );
  }
  await Deno.writeTextFile(`${out}/table.md`, lines.join("\n") + "\n");
  console.log(lines.join("\n"));
}

if (import.meta.main) await main(Deno.args);
