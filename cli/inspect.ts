/**
 * `mcu inspect MODEL [--json]`: operators, tensors, MACs, parameters, activation sizes and the
 * layer-by-layer liveness bounds of a `.tflite` file or a built-in model name.
 *
 * @module
 */
import { inspectGraph, type InspectReport, type LivenessBound } from "../engine/analysis/mod.ts";
import { ModelFormatError, UnsupportedOpError } from "../engine/ir/mod.ts";
import { type CommandIo, CONSOLE_IO, loadModelArg } from "./_common.ts";

/** Where the command writes; defaults to the console. */
export type InspectIo = CommandIo;

const int = (n: number) => n.toLocaleString("en-US");
const shape = (s: readonly number[]) => (s.length === 0 ? "scalar" : s.join("x"));

/** "1,234,567 (1.23M)"; small counts without the abbreviation. */
function count(n: number): string {
  return n >= 1e5 ? `${int(n)} (${(n / 1e6).toFixed(2)}M)` : int(n);
}

function table(rows: readonly (readonly string[])[], rightAligned: ReadonlySet<number>): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) =>
    r.map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join("  ").trimEnd()
  );
}

function boundLines(title: string, b: LivenessBound): string[] {
  if (b.peakOp < 0) return [`  ${title}: 0 B (no operators)`];
  const lines = [`  ${title}: ${int(b.bytes)} B at op ${b.peakOp} (${b.peakOpName})`];
  for (const t of b.live) {
    lines.push(`      ${t.role.padEnd(7)} ${t.name} ${shape(t.shape)} (${int(t.bytes)} B)`);
  }
  return lines;
}

/** Formats an {@link InspectReport} as the human-readable text `inspect` prints. */
export function formatInspectReport(r: InspectReport): string[] {
  const lines: string[] = [`Model: ${r.model}`];
  for (const t of r.inputs) {
    lines.push(`Input:  ${t.name} ${shape(t.shape)} ${t.dtype} (${int(t.bytes)} B)`);
  }
  for (const t of r.outputs) {
    lines.push(`Output: ${t.name} ${shape(t.shape)} ${t.dtype} (${int(t.bytes)} B)`);
  }
  lines.push("");
  const constant = new Set(r.tensors.filter((t) => t.constant).map((t) => t.index));
  const acts = (ids: readonly number[], shapes: readonly (readonly number[])[]) =>
    ids.map((id, i) => (id >= 0 && !constant.has(id) ? shape(shapes[i] ?? []) : ""))
      .filter((s) => s !== "").join(", ");
  const rows: string[][] = [[
    "#",
    "op",
    "attrs",
    "input",
    "output",
    "MACs",
    "params",
    "live B",
    "in-place B",
  ]];
  for (const op of r.ops) {
    rows.push([
      String(op.index),
      op.op,
      op.attrs,
      acts(op.inputs, op.inputShapes),
      acts(op.outputs, op.outputShapes),
      int(op.macs),
      int(op.params),
      int(op.liveBytes),
      int(op.liveBytesInPlace),
    ]);
  }
  lines.push(...table(rows, new Set([0, 5, 6, 7, 8])));
  const t = r.totals;
  lines.push(
    "",
    `Operators: ${t.ops} (${Object.entries(r.opCounts).map(([k, v]) => `${k} ${v}`).join(", ")})`,
    `MACs: ${count(t.macs)}`,
    `Parameters: ${count(t.params)} weights + biases; ${
      count(t.trainingParams)
    } before batch-norm folding`,
    `Constant data: ${int(t.paramBytes)} B`,
    `Activations: largest tensor ${int(t.maxActivationBytes)} B, all tensors ${
      int(t.totalActivationBytes)
    } B`,
    "Peak activation memory, layer by layer (lower bounds):",
    ...boundLines("inputs + outputs coexist (TF-Lite Micro)", r.liveness.tflm),
    ...boundLines("depthwise in place, RESHAPE aliased (TinyEngine)", r.liveness.inPlace),
  );
  return lines;
}

/**
 * Runs `inspect`: loads a `.tflite` file or builds a named model, and prints a readable table
 * or (with `json`) one JSON {@link InspectReport}. Model errors are printed as one line without
 * a stack trace.
 *
 * @example
 * ```ts ignore
 * import { inspectCommand } from "./inspect.ts";
 * const code = await inspectCommand("mbv2-w0.35-r144", { json: false });
 * ```
 *
 * @returns The exit code: 0 on success, 1 when the model cannot be loaded or built.
 */
export async function inspectCommand(
  model: string,
  opts: { json: boolean },
  io: InspectIo = CONSOLE_IO,
): Promise<number> {
  let report: InspectReport;
  try {
    report = inspectGraph(await loadModelArg(model));
  } catch (e) {
    if (
      e instanceof ModelFormatError || e instanceof UnsupportedOpError ||
      e instanceof RangeError || e instanceof TypeError
    ) {
      io.err(`error: ${e.message}`);
      return 1;
    }
    throw e;
  }
  if (opts.json) io.out(JSON.stringify(report));
  else for (const line of formatInspectReport(report)) io.out(line);
  return 0;
}
