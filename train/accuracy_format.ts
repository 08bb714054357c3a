/**
 * The accuracy table as Markdown: one line per row (mean and max-min spread over seeds), the
 * acceptance comparisons per budget (TinyNAS against each baseline family), then one line per
 * run. A pure function of the results, so a re-run from the cache writes the same bytes.
 *
 * @module
 */
import type { Recipe } from "./recipe.ts";
import type { AccuracyReport } from "./report.ts";

/** One row of the table: a network under a budget, from a family. */
export interface AccuracyRow {
  readonly budget: string;
  readonly board: string;
  readonly sram: number;
  readonly flash: number;
  /** "TinyNAS", "MbV2", "MbV2 depth-scaled", "ProxylessNAS", ... */
  readonly family: string;
  readonly spec: string;
}

/** One finished (row, seed) run. */
export interface AccuracyRun {
  readonly row: AccuracyRow;
  readonly seed: number;
  readonly report: AccuracyReport;
}

/** What the table header says about the runs. */
export interface AccuracyMeta {
  readonly epochs: number;
  readonly seeds: readonly number[];
  readonly recipe: Recipe;
}

/** Mean and max-min spread. */
export function meanSpread(xs: readonly number[]): { mean: number; spread: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1);
  return { mean, spread: xs.length ? Math.max(...xs) - Math.min(...xs) : 0 };
}

const pct = (x: number) => (100 * x).toFixed(2);
/** A network name as a Markdown code span; `|` (search keys) would split the table cell. */
const code = (spec: string) => `\`${spec.replaceAll("|", "\\|")}\``;
const int = (x: number) => Math.round(x).toLocaleString("en-US");

function onDevice(r: AccuracyReport): number | undefined {
  return r.onDevice.measured ? r.onDevice.accuracy : undefined;
}

function exactCount(r: AccuracyReport): string {
  if (!r.onDevice.measured) return "-";
  const n = r.images.test;
  return `${n - r.onDevice.outputMismatches}/${n}`;
}

/** The row's on-device accuracies, or undefined when a run lacks one. */
function deviceAccuracies(rs: readonly AccuracyReport[]): number[] | undefined {
  const xs = rs.map(onDevice);
  return xs.every((x) => x !== undefined) ? xs as number[] : undefined;
}

/**
 * The acceptance lines of one budget: TinyNAS's on-device mean minus each other family's, with
 * both spreads, on the seeds both have.
 */
function comparisons(runs: readonly AccuracyRun[]): string[] {
  const lines: string[] = [];
  const budgets = [...new Set(runs.map((r) => r.row.budget))];
  for (const budget of budgets) {
    const inBudget = runs.filter((r) => r.row.budget === budget);
    const tiny = inBudget.filter((r) => r.row.family === "TinyNAS");
    if (tiny.length === 0) continue;
    // Every other row of the budget (a family may have several, e.g. one over budget).
    for (const row of [...new Set(inBudget.map((r) => r.row))]) {
      if (row.family === "TinyNAS") continue;
      const other = inBudget.filter((r) => r.row === row);
      const seeds = tiny.map((r) => r.seed).filter((s) => other.some((o) => o.seed === s));
      const a = deviceAccuracies(tiny.filter((r) => seeds.includes(r.seed)).map((r) => r.report));
      const b = deviceAccuracies(other.filter((r) => seeds.includes(r.seed)).map((r) => r.report));
      if (!a || !b || seeds.length === 0) continue;
      const sa = meanSpread(a);
      const sb = meanSpread(b);
      const diff = sa.mean - sb.mean;
      lines.push(
        `| ${budget} | TinyNAS - ${row.family} ${code(row.spec)} | ${seeds.join(",")} | ${
          pct(diff)
        } | ${pct(sa.spread)} | ${pct(sb.spread)} | ${
          diff > Math.max(sa.spread, sb.spread) ? "yes" : "no"
        } |`,
      );
    }
  }
  return lines.length === 0 ? [] : [
    "",
    "On-device int8 mean difference (points) on the seeds both rows have, and each row's spread:",
    "",
    "| budget | comparison | seeds | mean difference | TinyNAS spread | other spread | difference > both spreads |",
    "|---|---|---|---|---|---|---|",
    ...lines,
  ];
}

/**
 * The Markdown table of an accuracy experiment.
 *
 * @example
 * ```ts ignore
 * const md = formatAccuracyTable(rows, runs, { epochs: 3, seeds: [1, 2, 3], recipe });
 * ```
 */
export function formatAccuracyTable(
  rows: readonly AccuracyRow[],
  runs: readonly AccuracyRun[],
  meta: AccuracyMeta,
): string {
  const r = meta.recipe;
  const lines = [
    `Fashion-MNIST, ${meta.epochs} epochs, seeds ${meta.seeds.join(",")}, recipe ${r.optimizer} ` +
    `lr ${r.learningRate} wd ${r.weightDecay} label smoothing ${r.labelSmoothing} batch ${r.batchSize}; ` +
    "accuracies in % on all test images (mean, max-min spread over seeds); cost from the " +
    "tinyengine firmware of the first seed's trained network.",
    "",
    "| budget | board | family | network | seeds | float | int8 reference | on-device int8 | bit-exact | peak SRAM B | Flash B | MACs | instructions | latency ms | fits | wall s/run | CPU s/run |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const row of rows) {
    const rs = runs.filter((x) => x.row === row).map((x) => x.report);
    if (rs.length === 0) continue;
    const f = meanSpread(rs.map((x) => x.floatTestAccuracy));
    const q = meanSpread(rs.map((x) => x.referenceInt8TestAccuracy));
    const d = deviceAccuracies(rs);
    const dev = d ? `${pct(meanSpread(d).mean)} (${pct(meanSpread(d).spread)})` : "not measured";
    const exact = rs.every((x) => x.onDevice.measured && x.onDevice.matchesReference)
      ? "yes"
      : "NO";
    const cpu = rs.every((x) => x.cpuSeconds !== undefined)
      ? meanSpread(rs.map((x) => x.cpuSeconds!)).mean.toFixed(0)
      : "-";
    const x = rs[0]!;
    lines.push(
      `| ${row.budget} | ${row.board} | ${row.family} | ${code(row.spec)} | ${
        runs.filter((y) => y.row === row).map((y) => y.seed).join(",")
      } | ${pct(f.mean)} (${pct(f.spread)}) | ${pct(q.mean)} (${
        pct(q.spread)
      }) | ${dev} | ${exact} | ${int(x.peakSramBytes)} | ${int(x.flashBytes)} | ${int(x.macs)} | ${
        int(x.instructions)
      } | ${x.latencyMs !== undefined ? x.latencyMs.toFixed(2) : "-"} | ${
        rs.every((y) => y.fits) ? "yes" : "NO"
      } | ${meanSpread(rs.map((y) => y.wallSeconds.total)).mean.toFixed(0)} | ${cpu} |`,
    );
  }
  lines.push(...comparisons(runs));
  lines.push(
    "",
    "| budget | family | network | seed | float | int8 reference | on-device int8 | int8 - float | bit-exact outputs | peak SRAM B | Flash B | wall s | CPU s |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
  );
  for (const { row, seed, report: x } of runs) {
    const dev = onDevice(x);
    lines.push(
      `| ${row.budget} | ${row.family} | ${code(row.spec)} | ${seed} | ${
        pct(x.floatTestAccuracy)
      } | ${pct(x.referenceInt8TestAccuracy)} | ${dev !== undefined ? pct(dev) : "-"} | ${
        dev !== undefined ? pct(dev - x.floatTestAccuracy) : "-"
      } | ${exactCount(x)} | ${int(x.peakSramBytes)} | ${int(x.flashBytes)} | ${
        x.wallSeconds.total.toFixed(0)
      } | ${x.cpuSeconds !== undefined ? x.cpuSeconds.toFixed(0) : "-"} |`,
    );
  }
  return lines.join("\n") + "\n";
}
