/**
 * The exact figures of a bench row, found from the data: every numeric or yes/no field of its
 * report (and of the plan, and the row's liveness bound), with a header each. The HTML page's
 * tables and the history records both take their figures from here, so a field added to the
 * measurements (cycles, latency, energy, accuracy) reaches them without any change.
 *
 * @module
 */
import { CSV_COLUMNS } from "./results.ts";
import type { BenchRow } from "./types.ts";

/** A figure of a row: where it is, and its column header. */
export interface FigureColumn {
  /** Property path into a {@link BenchRow}, e.g. `["report", "plan", "headBytes"]`. */
  readonly path: readonly string[];
  /** Column header. */
  readonly header: string;
}

const LABELS: Readonly<Record<string, string>> = {
  macs: "MACs",
  initInstructions: "init instructions",
  peakSramBytes: "peak SRAM B",
  staticSramBytes: "static SRAM B",
  stackBytes: "stack B",
  arenaBytes: "arena B",
  headBytes: "plan head B",
  tailBytes: "plan tail B",
  scratchBytes: "largest scratch B",
  livenessLowerBoundBytes: "liveness bound B",
  flashBytes: "Flash B",
  flashModelBytes: "Flash model B",
  flashCodeBytes: "Flash code B",
  fitsSram: "fits SRAM",
  fitsFlash: "fits Flash",
  referenceMatch: "bit-exact",
  outputLength: "outputs",
};

/**
 * A header for a field name: the known label, else the camelCase words with units spelled out.
 *
 * @example
 * ```ts
 * figureLabel("peakSramBytes"); // "peak SRAM B"
 * figureLabel("latencyMs"); // "latency ms"
 * ```
 */
export function figureLabel(name: string): string {
  return LABELS[name] ??
    name.replace(/Bytes$/, " B").replace(/Ms$/, " ms").replace(/Mj$/, " mJ")
      .replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase().replace(/ b$/, " B")
      .replace(/ mj$/, " mJ");
}

function isFigure(v: unknown): v is number | boolean {
  return typeof v === "number" || typeof v === "boolean";
}

function fieldRank(name: string): number {
  const i = CSV_COLUMNS.indexOf(name);
  return i < 0 ? CSV_COLUMNS.length : i;
}

/**
 * Every numeric or yes/no figure present in the rows: the report's own fields, the plan's fields
 * that the report does not repeat, and the row's (liveness bound). Found from the data, so a new
 * measured field (cycles, latency, energy, accuracy) gets a column without any change here.
 * Ordered like `results.csv`, new fields after the known ones by name.
 */
export function figureColumns(rows: readonly BenchRow[]): FigureColumn[] {
  const paths = new Map<string, string[]>();
  const add = (path: string[]) => paths.set(path.join("."), path);
  for (const row of rows) {
    const r = row.report as unknown as Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(row)) if (isFigure(v)) add([k]);
    if (!r) continue;
    for (const [k, v] of Object.entries(r)) if (isFigure(v)) add(["report", k]);
    const plan = r.plan as Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(plan ?? {})) {
      if (isFigure(v) && !(k in r)) add(["report", "plan", k]);
    }
  }
  return [...paths.values()]
    .sort((a, b) => {
      const x = a[a.length - 1]!, y = b[b.length - 1]!;
      return fieldRank(x) - fieldRank(y) || (x < y ? -1 : x > y ? 1 : 0);
    })
    .map((path) => ({ path, header: figureLabel(path[path.length - 1]!) }));
}

/** The value at a property path, or undefined. */
export function figureAt(row: unknown, path: readonly string[]): unknown {
  let v: unknown = row;
  for (const k of path) v = v !== null && typeof v === "object" ? (v as never)[k] : undefined;
  return v;
}
