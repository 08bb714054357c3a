/**
 * Deterministic serialization of bench rows: `results.json` (every figure, canonical key order,
 * stable row order, no timestamps) and `results.csv` (one line per job).
 *
 * @module
 */
import { ENGINES } from "../engine/codegen/mod.ts";
import { SUITES } from "./suites.ts";
import type { BenchRow, ResultsFile, ResultsMeta } from "./types.ts";

/** Identifier of the results format. */
export const RESULTS_FORMAT = "mcunet-bench-results/1";

function rank(list: readonly string[], x: string): number {
  const i = list.indexOf(x);
  return i < 0 ? list.length : i;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Stable row order: suite, model id, board, engine (registry order). */
export function sortRows(rows: readonly BenchRow[]): BenchRow[] {
  return [...rows].sort((a, b) =>
    rank(SUITES, a.suite) - rank(SUITES, b.suite) || cmp(a.model, b.model) ||
    cmp(a.board, b.board) || rank(ENGINES, a.engine) - rank(ENGINES, b.engine) || cmp(a.id, b.id)
  );
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = canonical(v);
    }
    return out;
  }
  return value;
}

/** JSON on one line with object keys sorted at every level (a JSON-lines record). */
export function canonicalLine(value: unknown): string {
  return JSON.stringify(canonical(value));
}

/** JSON with object keys sorted at every level, two-space indent, trailing newline. */
export function canonicalJson(value: unknown): string {
  return `${JSON.stringify(canonical(value), null, 2)}\n`;
}

/**
 * The `results.json` text for rows and metadata (rows sorted, keys canonical).
 *
 * @example
 * ```ts ignore
 * const text = resultsJson(rows, { codeVersion: v, suites: ["paper"], notes: [] });
 * ```
 */
export function resultsJson(rows: readonly BenchRow[], meta: ResultsMeta): string {
  const doc: ResultsFile = { format: RESULTS_FORMAT, meta, rows: sortRows(rows) };
  return canonicalJson(doc);
}

/** Parse a `results.json` document, checking its format. */
export function parseResults(text: string, where = "results.json"): ResultsFile {
  const doc = JSON.parse(text) as Partial<ResultsFile>;
  if (doc.format !== RESULTS_FORMAT || !Array.isArray(doc.rows) || doc.meta === undefined) {
    throw new SyntaxError(`Cannot read ${where}: not a ${RESULTS_FORMAT} document`);
  }
  return doc as ResultsFile;
}

/** Instructions per MAC, or undefined when MACs are 0. */
export function instructionsPerMac(row: BenchRow): number | undefined {
  const r = row.report;
  if (!r || r.macs === 0) return undefined;
  return r.instructions / r.macs;
}

/** CSV columns, in order. */
export const CSV_COLUMNS: readonly string[] = [
  "id",
  "suite",
  "model",
  "engine",
  "board",
  "status",
  "macs",
  "instructions",
  "instructionsPerMac",
  "initInstructions",
  "peakSramBytes",
  "staticSramBytes",
  "stackBytes",
  "arenaBytes",
  "headBytes",
  "tailBytes",
  "scratchBytes",
  "planner",
  "livenessLowerBoundBytes",
  "flashBytes",
  "flashModelBytes",
  "flashCodeBytes",
  "fits",
  "fitsSram",
  "fitsFlash",
  "referenceMatch",
  "cycles",
  "idealCycles",
  "latencyMs",
  "idealLatencyMs",
  "energyMj",
  "layers",
  "core",
  "firmwareSha256",
  "modelHash",
  "error",
];

function csvCell(v: unknown): string {
  if (v === undefined || v === null) return "";
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** One CSV record per row (sorted), header first, `\n` line ends. */
export function resultsCsv(rows: readonly BenchRow[]): string {
  const lines = [CSV_COLUMNS.join(",")];
  for (const row of sortRows(rows)) {
    const r = row.report;
    const ipm = instructionsPerMac(row);
    const values: Record<string, unknown> = {
      id: row.id,
      suite: row.suite,
      model: row.model,
      engine: row.engine,
      board: row.board,
      status: r ? "ok" : "error",
      macs: r?.macs,
      instructions: r?.instructions,
      instructionsPerMac: ipm === undefined ? undefined : ipm.toFixed(4),
      initInstructions: r?.initInstructions,
      cycles: r?.cycles,
      idealCycles: r?.idealCycles,
      latencyMs: r?.latencyMs?.toFixed(4),
      idealLatencyMs: r?.idealLatencyMs?.toFixed(4),
      energyMj: r?.energyMj?.toFixed(5),
      peakSramBytes: r?.peakSramBytes,
      staticSramBytes: r?.staticSramBytes,
      stackBytes: r?.stackBytes,
      arenaBytes: r?.arenaBytes,
      headBytes: r?.plan.headBytes,
      tailBytes: r?.plan.tailBytes,
      scratchBytes: r?.plan.scratchBytes,
      planner: r?.plan.planner,
      livenessLowerBoundBytes: row.livenessLowerBoundBytes,
      flashBytes: r?.flashBytes,
      flashModelBytes: r?.flashModelBytes,
      flashCodeBytes: r?.flashCodeBytes,
      fits: r?.fits,
      fitsSram: r?.fitsSram,
      fitsFlash: r?.fitsFlash,
      referenceMatch: r?.referenceMatch,
      layers: r?.layers.length,
      core: r?.core,
      firmwareSha256: r?.firmwareSha256,
      modelHash: row.modelHash,
      error: row.error,
    };
    lines.push(CSV_COLUMNS.map((c) => csvCell(values[c])).join(","));
  }
  return `${lines.join("\n")}\n`;
}

/** One CSV record per measured layer (sorted rows, layers in order): the per-layer figures. */
export function layersCsv(rows: readonly BenchRow[]): string {
  const lines = [
    "id,model,engine,board,layer,op,macs,instructions,instructionsPerMac,cycles,latencyMs,energyMj",
  ];
  for (const row of sortRows(rows)) {
    for (const l of row.report?.layers ?? []) {
      const ipm = l.macs > 0 ? (l.instructions / l.macs).toFixed(4) : "";
      lines.push(
        [
          row.id,
          row.model,
          row.engine,
          row.board,
          l.index,
          l.op,
          l.macs,
          l.instructions,
          ipm,
          l.cycles,
          l.latencyMs?.toFixed(4),
          l.energyMj?.toFixed(5),
        ].map(csvCell).join(","),
      );
    }
  }
  return `${lines.join("\n")}\n`;
}
