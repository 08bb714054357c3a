/**
 * The report's tables and summary that set our measurements beside the published numbers
 * (`fixtures/anchors.json`): the MCUNet paper / TinyEngine rows, TF-Lite Micro, MLPerf Tiny
 * latency.
 *
 * @module
 */
import { BOARDS } from "../engine/target/mod.ts";
import { ENGINES } from "../engine/codegen/mod.ts";
import { type AnchorRow, type Anchors, publishedCyclesPerMac } from "./anchors.ts";
import { instructionsPerMac } from "./results.ts";
import { fmtInt, fmtKB, fmtM, index, type ReportTable, table, uniq } from "./table_format.ts";
import type { BenchRow } from "./types.ts";

function anchorCell(a: AnchorRow | undefined): string {
  if (!a) return "—";
  const sram = a.peakSramKB === null ? "—" : `${a.peakSramKB}`;
  const flash = a.flashKB === null ? "—" : `${a.flashKB}`;
  const lat = a.oom ? "OOM" : a.latencyMs === null ? "—" : `${a.latencyMs} ms`;
  return `${sram} / ${flash} / ${lat}`;
}

function oursCell(row: BenchRow | undefined): string {
  const r = row?.report;
  if (!row) return "—";
  if (!r) return "error";
  const fit = r.fits ? "" : " (OOM)";
  return `${fmtKB(r.peakSramBytes)} / ${fmtKB(r.flashBytes)} / ${fmtM(r.instructions)}M${fit}`;
}

/** The networks of the anchors in first-appearance order. */
function anchorModels(anchors: Anchors, sources: readonly string[]): string[] {
  return uniq(anchors.rows.filter((a) => sources.includes(a.source)).map((a) => a.model));
}

export function paperTable(rows: readonly BenchRow[], anchors: Anchors): ReportTable {
  const byId = index(rows);
  const paperSources = ["mcunet-paper", "tinyengine-readme", "mcunet-paper-figure"];
  const models = anchorModels(anchors, paperSources).filter((m) => rows.some((r) => r.model === m));
  const body: string[][] = [];
  for (const model of models) {
    const boards = uniq(rows.filter((r) => r.model === model).map((r) => r.board));
    for (const board of boards) {
      const te = byId.get(`${model}|tinyengine|${board}`);
      const tf = byId.get(`${model}|tflm|${board}`);
      const ipm = te ? instructionsPerMac(te) : undefined;
      const pub = anchors.rows.filter((a) =>
        a.model === model && a.board === board && paperSources.includes(a.source)
      );
      const sources = uniq(pub.map((a) => a.source));
      // One line per source of published numbers (a board can have two), or one without.
      for (const source of sources.length > 0 ? sources : [undefined]) {
        const pick = (system: string) =>
          pub.find((a) => a.source === source && a.system === system);
        const pte = pick("tinyengine");
        const clock = BOARDS[board]?.clockHz;
        const cpm = pte && clock ? publishedCyclesPerMac(pte, clock) : undefined;
        body.push([
          model,
          board,
          oursCell(te),
          oursCell(tf),
          anchorCell(pte),
          anchorCell(pick("tflm")),
          anchorCell(pick("x-cube-ai")),
          ipm === undefined ? "—" : ipm.toFixed(2),
          cpm === undefined ? "—" : cpm.toFixed(2),
          source ?? "—",
        ]);
      }
    }
  }
  return table(
    [
      "network",
      "board",
      "ours tinyengine SRAM kB / Flash kB / M instructions",
      "ours tflm SRAM kB / Flash kB / M instructions",
      "TinyEngine (published) SRAM kB / Flash kB / latency",
      "TF-Lite Micro (published)",
      "X-CUBE-AI (published)",
      "ours tinyengine instr/MAC",
      "TinyEngine published cycles/MAC",
      "source",
    ],
    body,
  );
}

export function tflmTable(rows: readonly BenchRow[], anchors: Anchors): ReportTable {
  const body = rows.filter((r) => r.engine === "tflm" && r.report).map((row) => {
    const r = row.report!;
    const pub = anchors.rows.find((a) => a.model === row.model && a.headBytes !== undefined);
    const ipm = instructionsPerMac(row);
    return [
      row.model,
      row.board,
      fmtInt(r.plan.headBytes),
      fmtInt(r.plan.tailBytes),
      fmtInt(pub?.headBytes),
      fmtInt(pub?.livenessLowerBoundBytes),
      fmtInt(row.livenessLowerBoundBytes),
      fmtInt(r.peakSramBytes),
      fmtInt(r.flashModelBytes),
      fmtInt(r.flashCodeBytes),
      fmtInt(r.initInstructions),
      fmtInt(r.instructions),
      ipm === undefined ? "—" : ipm.toFixed(2),
    ];
  });
  return table(
    [
      "model",
      "board",
      "planned head B",
      "planned tail B",
      "published TFLM head B",
      "published liveness bound B",
      "our liveness bound B",
      "measured peak SRAM B",
      "Flash model B",
      "Flash code B",
      "init instructions",
      "invoke instructions",
      "instr/MAC",
    ],
    body,
  );
}

export function mlperfLatencyTable(rows: readonly BenchRow[], anchors: Anchors): ReportTable {
  const byId = index(rows);
  const models = anchorModels(anchors, ["mlperf-tiny", "mlperf-tiny-m7"]).filter((m) =>
    rows.some((r) => r.model === m)
  );
  const body: string[][] = [];
  for (const model of models) {
    for (const a of anchors.rows.filter((x) => x.model === model && x.latencyMs !== null)) {
      const clock = BOARDS[a.board]?.clockHz;
      const cpm = clock ? publishedCyclesPerMac(a, clock) : undefined;
      const ours = ENGINES.map((e) => {
        const row = byId.get(`${model}|${e}|${a.board}`);
        const ipm = row ? instructionsPerMac(row) : undefined;
        return ipm === undefined ? "—" : ipm.toFixed(2);
      });
      body.push([
        model,
        a.board,
        anchors.systems[a.system] ?? a.system,
        `${a.latencyMs}`,
        cpm === undefined ? "—" : cpm.toFixed(2),
        ...ours,
        a.source,
      ]);
    }
  }
  return table(
    [
      "model",
      "board",
      "published system",
      "latency ms",
      "published cycles/MAC",
      ...ENGINES.map((e) => `ours ${e} instr/MAC`),
      "source",
    ],
    body,
  );
}

function median(xs: readonly number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1]! + s[m]!) / 2;
}

/** The summary's bullet items. */
export function summary(rows: readonly BenchRow[], anchors: Anchors): string[] {
  const ok = rows.filter((r) => r.report);
  const byId = index(ok);
  const ratios = { sram: [] as number[], flash: [] as number[], instr: [] as number[] };
  for (const te of ok.filter((r) => r.engine === "tinyengine")) {
    const tf = byId.get(`${te.model}|tflm|${te.board}`)?.report;
    if (!tf || !te.report) continue;
    ratios.sram.push(te.report.peakSramBytes / tf.peakSramBytes);
    ratios.flash.push(te.report.flashBytes / tf.flashBytes);
    ratios.instr.push(te.report.instructions / tf.instructions);
  }
  const fmt = (x: number | undefined) => (x === undefined ? "—" : `${x.toFixed(2)}x`);
  const lines: string[] = [];
  const exact = ok.filter((r) => r.report!.referenceMatch).length;
  lines.push(
    `bit-exact against the reference interpreter: ${exact} of ${ok.length} measured jobs`,
  );
  if (ratios.sram.length > 0) {
    lines.push(
      `tinyengine / tflm, median over ${ratios.sram.length} (model, board) pairs: peak SRAM ` +
        `${fmt(median(ratios.sram))}, Flash ${fmt(median(ratios.flash))}, instructions ${
          fmt(median(ratios.instr))
        }`,
    );
  }
  for (const e of ENGINES) {
    const mine = ok.filter((r) => r.engine === e);
    if (mine.length === 0) continue;
    lines.push(
      `${e} fits the board in ${mine.filter((r) => r.report!.fits).length} of ${mine.length} jobs`,
    );
  }
  const vsPublished: number[] = [];
  for (const a of anchors.rows) {
    if (a.system !== "tinyengine" || a.peakSramKB === null) continue;
    const r = byId.get(`${a.model}|tinyengine|${a.board}`)?.report;
    if (r) vsPublished.push(r.peakSramBytes / 1024 / a.peakSramKB);
  }
  if (vsPublished.length > 0) {
    lines.push(
      `our tinyengine peak SRAM / TinyEngine's published peak SRAM (same network and board), ` +
        `median over ${vsPublished.length} published rows: ${fmt(median(vsPublished))}`,
    );
  }
  return lines;
}
