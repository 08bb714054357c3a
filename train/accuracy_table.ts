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
import { getBoard } from "../engine/target/boards.ts";
import { FASHION_MNIST } from "./dataset.ts";
import { DEFAULT_RECIPE, PRESETS } from "./recipe.ts";
import type { AccuracyReport } from "./report.ts";
import { resolveTrainTarget } from "./target.ts";
import { trainAndMeasure } from "./train.ts";

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
    if (!report && i % sn === si - 1) {
      const base = getBoard(row.board);
      const board = {
        ...base,
        name: `${base.name}-${row.budget}`,
        sram: { ...base.sram, size: row.sram },
        flash: { ...base.flash, size: row.flash },
      };
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
        }% (${report.wallSeconds.total.toFixed(0)} s)`,
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
        return `${pct(d.mean)} ± ${pct(d.spread)}`;
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
  await Deno.writeTextFile(`${out}/table.md`, lines.join("\n") + "\n");
  console.log(lines.join("\n"));
}

if (import.meta.main) await main(Deno.args);
