/**
 * Published numbers (`fixtures/anchors.json`) as typed records, with look-ups by our model id.
 *
 * @module
 */
import anchorsJson from "../fixtures/anchors.json" with { type: "json" };

/** One published figure set: one network, one system (runtime), one board, one source. */
export interface AnchorRow {
  /** Key into {@link Anchors.sources}. */
  readonly source: string;
  /** The network's name in the source. */
  readonly published: string;
  /** Our model id. */
  readonly model: string;
  /** Board name. */
  readonly board: string;
  /** Key into {@link Anchors.systems}, e.g. `tinyengine`, `tflm`, `x-cube-ai`. */
  readonly system: string;
  /** Multiply-accumulates. */
  readonly macs: number | null;
  /** Did not fit the board ("OOM" in the source). */
  readonly oom: boolean;
  /** Published latency in ms. */
  readonly latencyMs: number | null;
  /** Published peak SRAM kB. */
  readonly peakSramKB: number | null;
  /** Published Flash kB. */
  readonly flashKB: number | null;
  /** TF-Lite Micro greedy-planner head (MLPerf Tiny rows). */
  readonly headBytes?: number;
  /** Layer-by-layer liveness lower bound (MLPerf Tiny rows). */
  readonly livenessLowerBoundBytes?: number;
}

/** A source of published numbers. */
export interface AnchorSource {
  /** Title of the source. */
  readonly title: string;
  /** Where to read it. */
  readonly url: string;
}

/** The whole anchors document. */
export interface Anchors {
  /** What the numbers are and how to read them. */
  readonly note: string;
  /** System names by key. */
  readonly systems: Readonly<Record<string, string>>;
  /** Sources by key. */
  readonly sources: Readonly<Record<string, AnchorSource>>;
  /** One row per job. */
  readonly rows: readonly AnchorRow[];
}

/**
 * The published numbers shipped in `fixtures/anchors.json`.
 *
 * @example
 * ```ts
 * const a = loadAnchors();
 * const te = a.rows.filter((r) => r.model === "mcunet-320kb-1mb" && r.system === "tinyengine");
 * ```
 */
export function loadAnchors(): Anchors {
  return anchorsJson as Anchors;
}

/**
 * Boards the published numbers of a model were measured on, in first-appearance order.
 *
 * @example
 * ```ts
 * publishedBoards(loadAnchors(), "mcunet-256kb-1mb"); // ["stm32h743", "stm32f412"]
 * ```
 */
export function publishedBoards(anchors: Anchors, model: string): string[] {
  const out: string[] = [];
  for (const r of anchors.rows) {
    if (r.model === model && !out.includes(r.board)) out.push(r.board);
  }
  return out;
}

/**
 * Cycles per MAC implied by a published latency: `latencyMs * clockHz / 1000 / macs`.
 * Undefined when the latency or MACs are unknown.
 */
export function publishedCyclesPerMac(row: AnchorRow, clockHz: number): number | undefined {
  if (row.latencyMs === null || row.macs === null || row.macs === 0) return undefined;
  return (row.latencyMs * clockHz) / 1000 / row.macs;
}
