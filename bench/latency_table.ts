/**
 * The report's "published latency beside our modelled latency" table: one line per published
 * latency in `fixtures/anchors.json` (MCUNet/TinyEngine tables, MLPerf Tiny), next to our
 * modelled milliseconds for both engines on the same network and board, and the ratios
 * published / ours. The model's constants are never fitted to these numbers
 * (docs/cycle-model.md).
 *
 * @module
 */
import { ENGINES } from "../engine/codegen/mod.ts";
import type { Anchors } from "./anchors.ts";
import type { ReportSection, ReportTable } from "./tables.ts";
import type { BenchRow } from "./types.ts";

/** Milliseconds with three significant figures, or an em dash. */
export function fmtMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return "—";
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

/** Millijoules with three significant figures, or an em dash. */
export function fmtMj(mj: number | undefined): string {
  if (mj === undefined || !Number.isFinite(mj)) return "—";
  return mj >= 100
    ? mj.toFixed(0)
    : mj >= 10
    ? mj.toFixed(1)
    : mj >= 1
    ? mj.toFixed(2)
    : mj.toFixed(3);
}

/** One published latency with ours beside it. */
export interface LatencyComparison {
  readonly model: string;
  readonly board: string;
  /** Published system key (`tinyengine`, `tflm`, `x-cube-ai`, ...). */
  readonly system: string;
  readonly source: string;
  readonly publishedMs: number;
  /** Our modelled ms per engine (undefined when that job is missing or failed). */
  readonly oursMs: Readonly<Record<string, number | undefined>>;
}

/** Every published latency whose network and board the results measured (with either engine). */
export function latencyComparisons(
  rows: readonly BenchRow[],
  anchors: Anchors,
): LatencyComparison[] {
  const byId = new Map(rows.map((r) => [`${r.model}|${r.engine}|${r.board}`, r]));
  const out: LatencyComparison[] = [];
  for (const a of anchors.rows) {
    if (a.latencyMs === null || a.oom) continue;
    const oursMs: Record<string, number | undefined> = {};
    for (const e of ENGINES) oursMs[e] = byId.get(`${a.model}|${e}|${a.board}`)?.report?.latencyMs;
    if (Object.values(oursMs).every((v) => v === undefined)) continue;
    out.push({
      model: a.model,
      board: a.board,
      system: a.system,
      source: a.source,
      publishedMs: a.latencyMs,
      oursMs,
    });
  }
  return out;
}

/**
 * The comparison as a report table, and a one-line summary of the same-kernel ratios
 * (published TinyEngine beside our tinyengine, published TF-Lite Micro + CMSIS-NN beside our
 * tflm).
 */
export function latencyComparisonTable(
  rows: readonly BenchRow[],
  anchors: Anchors,
): { readonly table: ReportTable; readonly summary?: string } {
  const cmp = latencyComparisons(rows, anchors);
  const ratio = (p: number, o: number | undefined) =>
    o === undefined || o === 0 ? "—" : `${(p / o).toFixed(2)}`;
  const header = [
    "network",
    "board",
    "published system",
    "published ms",
    ...ENGINES.flatMap((e) => [`ours ${e} ms (modelled)`, `published / ours ${e}`]),
    "source",
  ];
  const body = cmp.map((c) => [
    c.model,
    c.board,
    anchors.systems[c.system] ?? c.system,
    `${c.publishedMs}`,
    ...ENGINES.flatMap((e) => [fmtMs(c.oursMs[e]), ratio(c.publishedMs, c.oursMs[e])]),
    c.source,
  ]);
  // Pairs of the same kernels: published TinyEngine beside our tinyengine, published TF-Lite
  // Micro with CMSIS-NN kernels beside our tflm (which follows CMSIS-NN's kernels).
  const sameKernels: Readonly<Record<string, string>> = {
    tinyengine: "tinyengine",
    "tflm-cmsis-nn": "tflm",
  };
  const same = cmp
    .map((c) => {
      const engine = sameKernels[c.system];
      const o = engine ? c.oursMs[engine] : undefined;
      return o ? c.publishedMs / o : undefined;
    })
    .filter((x): x is number => x !== undefined)
    .sort((a, b) => a - b);
  const table: ReportTable = { header, rows: body };
  if (same.length === 0) return { table };
  const med = same[Math.floor(same.length / 2)]!;
  return {
    table,
    summary:
      "Same-kernel pairs (published TinyEngine beside our tinyengine, published TF-Lite Micro + " +
      `CMSIS-NN beside our tflm): ${same.length}, published / ours from ${same[0]!.toFixed(2)} to ${
        same[same.length - 1]!.toFixed(2)
      }, median ${med.toFixed(2)}.`,
  };
}

/** Every published latency beside our modelled ms for both engines (docs/cycle-model.md). */
export function latencySection(rows: readonly BenchRow[], anchors: Anchors): ReportSection {
  const { table, summary } = latencyComparisonTable(rows, anchors);
  return {
    id: "latency",
    title: "Published latency beside our modelled latency",
    text: [
      "Ours: inference cycles from the cycle model (exact per-block counts priced with the core's " +
      "timing rules and the board's Flash wait states and caches; `docs/cycle-model.md`) at the " +
      "board clock. Published / ours above 1 means the board was slower than our model. The " +
      "model's constants come from the cores' and boards' documentation and were not fitted to " +
      "these numbers; data-side Flash wait states are not modelled.",
      ...(summary ? [summary] : []),
    ],
    table,
  };
}
