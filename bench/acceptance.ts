/**
 * The bench's acceptance checks (issue #12), one row per model and board with both engines:
 * - tinyengine's measured peak SRAM is at most tflm's;
 * - tinyengine's plan is within 1.05x of the layer-wise liveness bound, or of its kernels' bound
 *   where their scratch sets the peak (the exception and its reason are listed);
 * - float boundary QUANTIZE costs at most {@link QUANTIZE_LIMIT} instructions per element on
 *   both engines.
 * A failed check fails `deno task bench` (exit 1) after the report is written.
 *
 * @module
 */
import { planVerdict } from "../engine/analysis/mod.ts";
import type { ReportSection } from "./tables.ts";
import type { BenchRow } from "./types.ts";

/** Instructions per element the float boundary QUANTIZE may cost (issue #12 item 2). */
export const QUANTIZE_LIMIT = 12;

/**
 * Elements below which the QUANTIZE limit is not checked: the layer count includes a fixed cost
 * per call (tflm's interpreter dispatch, about 100 instructions), which a 40-element input (the
 * SVDF model: 574 instructions, 14.3 per element) cannot amortize. Such rows still show it.
 */
export const QUANTIZE_MIN_ELEMENTS = 256;

/** One model on one board, judged. */
export interface AcceptanceRow {
  readonly model: string;
  readonly board: string;
  readonly tinyengine: BenchRow;
  readonly tflm?: BenchRow;
  /** Why each failed check failed (empty when every check holds). */
  readonly failures: readonly string[];
  /** Accepted exceptions with their reasons (the plan above the tensor bound). */
  readonly exceptions: readonly string[];
}

/** Instructions per element of each float boundary layer of a row, in order, by op. */
export function boundaryCosts(
  row: BenchRow,
): {
  readonly op: string;
  readonly instructions: number;
  readonly elements: number;
  readonly perElement: number;
}[] {
  const boundary = row.floatBoundary ?? [];
  const out: { op: string; instructions: number; elements: number; perElement: number }[] = [];
  for (const op of ["QUANTIZE", "DEQUANTIZE"] as const) {
    const nodes = boundary.filter((b) => b.op === op);
    const layers = (row.report?.layers ?? []).filter((l) => l.op === op);
    // Paired in order only when the counts agree (an int8 -> int8 QUANTIZE is not a boundary).
    if (layers.length !== nodes.length) continue;
    layers.forEach((l, i) =>
      out.push({
        op,
        instructions: l.instructions,
        elements: nodes[i]!.elements,
        perElement: l.instructions / nodes[i]!.elements,
      })
    );
  }
  return out;
}

/**
 * Judge every model and board of a results set that tinyengine measured.
 *
 * @example
 * ```ts ignore
 * const failed = acceptanceRows(rows).filter((r) => r.failures.length > 0);
 * ```
 */
export function acceptanceRows(rows: readonly BenchRow[]): AcceptanceRow[] {
  const byKey = new Map(rows.filter((r) => r.report).map((r) => [r.id, r]));
  const out: AcceptanceRow[] = [];
  for (const te of byKey.values()) {
    if (te.engine !== "tinyengine") continue;
    const tflm = byKey.get(`${te.model}|tflm|${te.board}`);
    const failures: string[] = [];
    const exceptions: string[] = [];
    const r = te.report!;
    if (!r.referenceMatch) failures.push("tinyengine output differs from the reference");
    if (tflm && !tflm.report!.referenceMatch) {
      failures.push("tflm output differs from the reference");
    }
    if (tflm && r.peakSramBytes > tflm.report!.peakSramBytes) {
      failures.push(
        `tinyengine peak SRAM ${r.peakSramBytes} B > tflm ${tflm.report!.peakSramBytes} B`,
      );
    }
    if (te.livenessLowerBoundBytes !== undefined) {
      const v = planVerdict(r.plan.arenaBytes, te.livenessLowerBoundBytes, r.plan.kernelBoundBytes);
      if (!v.ok) failures.push(v.reason!);
      else if (v.reason) exceptions.push(v.reason);
    }
    for (const row of tflm ? [te, tflm] : [te]) {
      for (const c of boundaryCosts(row)) {
        const checked = c.op === "QUANTIZE" && c.elements >= QUANTIZE_MIN_ELEMENTS;
        if (checked && c.perElement > QUANTIZE_LIMIT) {
          failures.push(
            `${row.engine} QUANTIZE ${c.perElement.toFixed(1)} instructions per element`,
          );
        }
      }
    }
    out.push({
      model: te.model,
      board: te.board,
      tinyengine: te,
      ...(tflm ? { tflm } : {}),
      failures,
      exceptions,
    });
  }
  return out.sort((a, b) => a.model.localeCompare(b.model) || a.board.localeCompare(b.board));
}

function int(n: number | undefined): string {
  return n === undefined ? "—" : n.toLocaleString("en-US");
}

/** The report section: every model and board with its checks. */
export function acceptanceSection(rows: readonly BenchRow[]): ReportSection {
  const judged = acceptanceRows(rows);
  const failed = judged.filter((j) => j.failures.length > 0).length;
  return {
    id: "acceptance",
    title: "Acceptance: tinyengine against tflm and the liveness bound",
    text: [
      `${judged.length - failed} of ${judged.length} model/board pairs pass. ` +
      "Checks: tinyengine measured peak SRAM <= tflm's; planned arena <= 1.05x the layer-wise " +
      "liveness bound (in-place rules), or <= 1.05x the bound of tinyengine's own kernels " +
      "(tensors as stored plus each layer's scratch) where the scratch sets the peak (listed as " +
      `an exception); float boundary QUANTIZE <= ${QUANTIZE_LIMIT} instructions per element ` +
      `on both engines (inputs of ${QUANTIZE_MIN_ELEMENTS} elements or more: below that the ` +
      "per-call cost dominates).",
    ],
    table: {
      header: [
        "model",
        "board",
        "tinyengine peak B",
        "tflm peak B",
        "plan B",
        "liveness bound B",
        "kernel bound B",
        "plan / bound",
        "float boundary instr (per element): tinyengine",
        "tflm",
        "verdict",
      ],
      rows: judged.map((j) => {
        const r = j.tinyengine.report!;
        const lb = j.tinyengine.livenessLowerBoundBytes;
        const costs = (row: BenchRow | undefined) => {
          const cells = (row ? boundaryCosts(row) : []).map((c) =>
            `${c.op} ${int(c.instructions)} (${c.perElement.toFixed(1)})`
          );
          return cells.length > 0 ? cells.join("; ") : "—";
        };
        return [
          j.model,
          j.board,
          int(r.peakSramBytes),
          int(j.tflm?.report?.peakSramBytes),
          int(r.plan.arenaBytes),
          int(lb),
          int(r.plan.kernelBoundBytes),
          lb ? `${(r.plan.arenaBytes / lb).toFixed(3)}x` : "—",
          costs(j.tinyengine),
          costs(j.tflm),
          j.failures.length > 0
            ? `FAIL: ${j.failures.join("; ")}`
            : j.exceptions.length > 0
            ? `ok, exception: ${j.exceptions.join("; ")}`
            : "ok",
        ];
      }),
    },
  };
}
