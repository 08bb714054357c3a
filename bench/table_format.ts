/**
 * Cell formatting and table records shared by the report's tables (`tables.ts`,
 * `anchor_tables.ts`, the latency section and the HTML page).
 *
 * @module
 */
import type { BenchRow } from "./types.ts";

/** Integer with thousands separators, or an em dash. */
export function fmtInt(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return "—";
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Bytes as kB (1024 bytes) with one decimal, or an em dash. */
export function fmtKB(bytes: number | undefined): string {
  return bytes === undefined ? "—" : (bytes / 1024).toFixed(1);
}

/** Millions with one or two decimals. */
export function fmtM(n: number | undefined): string {
  if (n === undefined) return "—";
  const m = n / 1e6;
  return m >= 10 ? m.toFixed(1) : m.toFixed(2);
}

export function fmtRatio(a: number | undefined, b: number | undefined): string {
  return a === undefined || b === undefined || b === 0 ? "—" : `${(a / b).toFixed(2)}x`;
}

/** A table of the report: column headers and rows of cell text, as both renderers show it. */
export interface ReportTable {
  /** Column headers. */
  readonly header: readonly string[];
  /** Rows of cell text, one cell per header. */
  readonly rows: readonly (readonly string[])[];
}

export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): ReportTable {
  return { header, rows };
}

/** A table as Markdown lines (a placeholder line when it has no rows). */
export function markdownTable(t: ReportTable): string[] {
  if (t.rows.length === 0) return ["_No rows for this run._"];
  const esc = (s: string) => s.replaceAll("|", "\\|").replaceAll("\n", " ");
  return [
    `| ${t.header.map(esc).join(" | ")} |`,
    `|${t.header.map(() => "---").join("|")}|`,
    ...t.rows.map((r) => `| ${r.map(esc).join(" | ")} |`),
  ];
}

export function yesNo(b: boolean | undefined): string {
  return b === undefined ? "—" : b ? "yes" : "no";
}

export function fitsCell(row: BenchRow | undefined): string {
  const r = row?.report;
  if (!row) return "—";
  if (!r) return "error";
  if (r.fits) return "yes";
  const why = [!r.fitsSram ? "SRAM" : "", !r.fitsFlash ? "Flash" : ""].filter(Boolean).join("+");
  return `no (${why})`;
}

/** Rows keyed by `model|engine|board`. */
export function index(rows: readonly BenchRow[]): Map<string, BenchRow> {
  return new Map(rows.map((r) => [`${r.model}|${r.engine}|${r.board}`, r]));
}

export function uniq<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}
