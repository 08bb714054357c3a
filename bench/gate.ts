/**
 * The regression gate: compare measured rows with committed baselines
 * (`fixtures/baselines/<model>.json`). Instruction and byte counts are exact, so the default
 * tolerance is 0; a tolerance only admits an intentional change. Improvements are reported and pass.
 *
 * @module
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { canonicalJson } from "./results.ts";
import type { BenchRow } from "./types.ts";

/** Identifier of the baseline format. */
export const BASELINE_FORMAT = "mcunet-bench-baseline/1";

/** Numeric metrics the gate compares; lower is better for all of them. */
export const GATE_METRICS = [
  "instructions",
  "initInstructions",
  "peakSramBytes",
  "staticSramBytes",
  "stackBytes",
  "arenaBytes",
  "flashBytes",
  "flashModelBytes",
  "flashCodeBytes",
] as const;

/** A compared numeric metric. */
export type GateMetric = typeof GATE_METRICS[number];

/** The figures of one (engine, board) of a model, as committed. */
export type BaselineEntry = Readonly<Record<GateMetric, number>> & {
  readonly macs: number;
  readonly referenceMatch: boolean;
  readonly fits: boolean;
};

/** One baseline file: one model, entries keyed by `engine|board`. */
export interface BaselineFile {
  /** Format identifier. */
  readonly format: typeof BASELINE_FORMAT;
  /** Model id. */
  readonly model: string;
  /** Figures by `engine|board`. */
  readonly entries: Readonly<Record<string, BaselineEntry>>;
}

/** Baselines of many models, by model id. */
export type Baselines = ReadonlyMap<string, BaselineFile>;

/** What the gate found for one figure. */
export interface Finding {
  /** `regression` and `error` fail the gate; the rest pass. */
  readonly kind: "regression" | "error" | "improvement" | "within-tolerance" | "new";
  /** Model id. */
  readonly model: string;
  /** Engine name. */
  readonly engine: string;
  /** Board name. */
  readonly board: string;
  /** Metric name (`macs`, `referenceMatch`, `fits`, a {@link GateMetric}, or `run`). */
  readonly metric: string;
  /** Baseline value. */
  readonly old?: number | boolean;
  /** Measured value. */
  readonly new?: number | boolean;
  /** new / old for numeric metrics. */
  readonly ratio?: number;
  /** Extra text (an error message, a hint). */
  readonly detail?: string;
}

/** Per-metric relative tolerance (0.01 = 1% more is accepted). */
export type Tolerances = Readonly<Partial<Record<GateMetric, number>>>;

/** The baseline entry of a measured row, or undefined when the row failed. */
export function baselineEntry(row: BenchRow): BaselineEntry | undefined {
  const r = row.report;
  if (!r) return undefined;
  return {
    macs: r.macs,
    instructions: r.instructions,
    initInstructions: r.initInstructions,
    peakSramBytes: r.peakSramBytes,
    staticSramBytes: r.staticSramBytes,
    stackBytes: r.stackBytes,
    arenaBytes: r.arenaBytes,
    flashBytes: r.flashBytes,
    flashModelBytes: r.flashModelBytes,
    flashCodeBytes: r.flashCodeBytes,
    referenceMatch: r.referenceMatch,
    fits: r.fits,
  };
}

/**
 * Parse `metric=ratio` pairs (e.g. `instructions=0.02`).
 *
 * @example
 * ```ts
 * parseTolerances(["instructions=0.02"]); // { instructions: 0.02 }
 * ```
 */
export function parseTolerances(pairs: readonly string[]): Tolerances {
  const out: Partial<Record<GateMetric, number>> = {};
  for (const p of pairs) {
    const [k, v] = p.split("=");
    const ratio = Number(v);
    if (
      !k || !(GATE_METRICS as readonly string[]).includes(k) || v === undefined || !(ratio >= 0)
    ) {
      throw new RangeError(
        `Cannot parse tolerance '${p}': expected metric=ratio with ratio >= 0 and metric one of ${
          GATE_METRICS.join(", ")
        }`,
      );
    }
    out[k as GateMetric] = ratio;
  }
  return out;
}

/**
 * Compare rows with baselines. Rows without a baseline are `new`; baseline entries for jobs that
 * were not run are ignored (a suite can be narrowed with --boards/--engines).
 *
 * @example
 * ```ts ignore
 * const findings = compareWithBaselines(rows, baselines);
 * const failed = findings.some((f) => f.kind === "regression" || f.kind === "error");
 * ```
 */
export function compareWithBaselines(
  rows: readonly BenchRow[],
  baselines: Baselines,
  options: { readonly tolerances?: Tolerances } = {},
): Finding[] {
  const tol = options.tolerances ?? {};
  const out: Finding[] = [];
  for (const row of rows) {
    const where = { model: row.model, engine: row.engine, board: row.board };
    const old = baselines.get(row.model)?.entries[`${row.engine}|${row.board}`];
    const cur = baselineEntry(row);
    if (!old) {
      out.push({
        kind: "new",
        ...where,
        metric: "run",
        detail: "no baseline: run the gate with --update",
      });
      continue;
    }
    if (!cur) {
      out.push({ kind: "error", ...where, metric: "run", detail: row.error ?? "no measurement" });
      continue;
    }
    if (cur.macs !== old.macs) {
      out.push({
        kind: "regression",
        ...where,
        metric: "macs",
        old: old.macs,
        new: cur.macs,
        ratio: cur.macs / old.macs,
        detail: "the model changed",
      });
    }
    for (const m of ["referenceMatch", "fits"] as const) {
      if (old[m] && !cur[m]) {
        out.push({ kind: "regression", ...where, metric: m, old: true, new: false });
      }
      if (!old[m] && cur[m]) {
        out.push({ kind: "improvement", ...where, metric: m, old: false, new: true });
      }
    }
    for (const m of GATE_METRICS) {
      const o = old[m];
      const n = cur[m];
      if (n === o) continue;
      const ratio = o === 0 ? (n > 0 ? Infinity : 0) : n / o;
      const kind = n < o
        ? "improvement"
        : ratio <= 1 + (tol[m] ?? 0)
        ? "within-tolerance"
        : "regression";
      out.push({ kind, ...where, metric: m, old: o, new: n, ratio });
    }
  }
  return out;
}

/** Whether findings fail the gate. */
export function gateFails(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.kind === "regression" || f.kind === "error");
}

function fmt(v: number | boolean | undefined): string {
  if (v === undefined) return "—";
  if (typeof v === "boolean") return String(v);
  return Math.round(v).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * One readable line per finding, e.g.
 * `REGRESSION mcunet-10fps tflm stm32f746 instructions: 1,000 -> 1,100 (ratio 1.1000)`.
 */
export function formatFinding(f: Finding): string {
  const head = `${f.kind.toUpperCase()} ${f.model} ${f.engine} ${f.board} ${f.metric}`;
  if (f.old === undefined && f.new === undefined) return `${head}: ${f.detail ?? ""}`;
  const ratio = f.ratio === undefined
    ? ""
    : ` (ratio ${Number.isFinite(f.ratio) ? f.ratio.toFixed(4) : "inf"})`;
  return `${head}: ${fmt(f.old)} -> ${fmt(f.new)}${ratio}${f.detail ? ` — ${f.detail}` : ""}`;
}

/** Read every `*.json` baseline in a directory (missing directory: none). */
export function readBaselines(dir: string): Map<string, BaselineFile> {
  const out = new Map<string, BaselineFile>();
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir).filter((x) => x.endsWith(".json")).sort()) {
    const doc = JSON.parse(readFileSync(join(dir, f), "utf8")) as Partial<BaselineFile>;
    if (doc.format !== BASELINE_FORMAT || typeof doc.model !== "string" || !doc.entries) {
      throw new SyntaxError(
        `Cannot read baseline ${join(dir, f)}: not a ${BASELINE_FORMAT} document`,
      );
    }
    out.set(doc.model, doc as BaselineFile);
  }
  return out;
}

/** File name of a model's baseline. */
export function baselineFileName(model: string): string {
  return `${model.replace(/[^A-Za-z0-9._-]+/g, "_")}.json`;
}

/**
 * Rewrite baselines from measured rows: a model's file gets the entries of every measured
 * (engine, board); entries of jobs that were not run are kept. Failed rows are not written.
 * Returns the files written.
 */
export function updateBaselines(rows: readonly BenchRow[], dir: string): string[] {
  const existing = readBaselines(dir);
  const byModel = new Map<string, Record<string, BaselineEntry>>();
  for (const row of rows) {
    const e = baselineEntry(row);
    if (!e) continue;
    const entries = byModel.get(row.model) ?? { ...existing.get(row.model)?.entries };
    entries[`${row.engine}|${row.board}`] = e;
    byModel.set(row.model, entries);
  }
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [model, entries] of [...byModel].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const path = join(dir, baselineFileName(model));
    const doc: BaselineFile = { format: BASELINE_FORMAT, model, entries };
    writeFileSync(path, canonicalJson(doc));
    written.push(path);
  }
  return written;
}
