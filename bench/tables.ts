/**
 * `report.md`: the bench's tables in Markdown, ours beside the published numbers.
 *
 * @module
 */
import { BOARDS } from "../engine/target/mod.ts";
import type { Anchors } from "./anchors.ts";
import { fmtMj, fmtMs, latencySection } from "./latency_table.ts";
import { acceptanceSection } from "./acceptance.ts";
import { instructionsPerMac, sortRows } from "./results.ts";
import type { BenchRow, ResultsMeta } from "./types.ts";
import { mlperfLatencyTable, paperTable, summary, tflmTable } from "./anchor_tables.ts";
import {
  fitsCell,
  fmtInt,
  fmtKB,
  fmtM,
  fmtRatio,
  index,
  markdownTable,
  type ReportTable,
  table,
  uniq,
  yesNo,
} from "./table_format.ts";
export { fmtInt, fmtKB, fmtM, markdownTable, type ReportTable };

function measurementsTable(rows: readonly BenchRow[]): ReportTable {
  const body = rows.filter((r) => r.report).map((row) => {
    const r = row.report!;
    const ipm = instructionsPerMac(row);
    return [
      row.model,
      row.engine,
      row.board,
      fmtM(r.macs),
      fmtKB(r.peakSramBytes),
      fmtKB(r.flashBytes),
      fmtKB(r.flashModelBytes),
      fmtKB(r.flashCodeBytes),
      fmtInt(r.instructions),
      ipm === undefined ? "—" : ipm.toFixed(2),
      fmtInt(r.cycles),
      fmtMs(r.latencyMs),
      fmtMs(r.idealLatencyMs),
      fmtMj(r.energyMj),
      fitsCell(row),
      yesNo(r.referenceMatch),
    ];
  });
  return table(
    [
      "model",
      "engine",
      "board",
      "MMACs",
      "peak SRAM kB",
      "Flash kB",
      "model kB",
      "code kB",
      "instructions",
      "instr/MAC",
      "modelled cycles",
      "modelled ms",
      "ms at 0 wait states",
      "modelled mJ",
      "fits",
      "bit-exact",
    ],
    body,
  );
}

function ratiosTable(rows: readonly BenchRow[]): ReportTable {
  const byId = index(rows);
  const pairs = uniq(rows.map((r) => `${r.model}|${r.board}`));
  const body: string[][] = [];
  for (const p of pairs) {
    const [model, board] = p.split("|") as [string, string];
    const te = byId.get(`${model}|tinyengine|${board}`)?.report;
    const tf = byId.get(`${model}|tflm|${board}`)?.report;
    if (!te || !tf) continue;
    body.push([
      model,
      board,
      fmtRatio(te.peakSramBytes, tf.peakSramBytes),
      fmtRatio(te.flashBytes, tf.flashBytes),
      fmtRatio(te.instructions, tf.instructions),
      fmtRatio(te.initInstructions + te.instructions, tf.initInstructions + tf.instructions),
    ]);
  }
  return table(
    ["model", "board", "peak SRAM", "Flash", "instructions", "init + inference instructions"],
    body,
  );
}

/**
 * Whether a measurement taken on another board fits `board`: the same peak SRAM and Flash against
 * this board's memory (exact for a board with the same core, whose firmware is the same).
 */
function estimatedFit(rows: readonly BenchRow[], board: string): string {
  const target = BOARDS[board];
  const measured = rows.filter((r) => r.report);
  const from = measured.find((r) => BOARDS[r.board]?.core === target?.core) ?? measured[0];
  if (!target || !from?.report) return "—";
  const sram = from.report.peakSramBytes <= target.sram.size;
  const flash = from.report.flashBytes <= target.flash.size;
  if (sram && flash) return "yes*";
  return `no* (${[!sram ? "SRAM" : "", !flash ? "Flash" : ""].filter(Boolean).join("+")})`;
}

function fitsMatrix(rows: readonly BenchRow[]): ReportTable {
  const boards = uniq([...rows.map((r) => r.board), ...Object.keys(BOARDS)]).sort();
  const byId = index(rows);
  const keys = uniq(rows.map((r) => `${r.model}|${r.engine}`));
  return table(
    ["model", "engine", ...boards],
    keys.map((k) => {
      const [model, engine] = k.split("|") as [string, string];
      const mine = rows.filter((r) => r.model === model && r.engine === engine);
      return [
        model,
        engine,
        ...boards.map((b) => {
          const row = byId.get(`${model}|${engine}|${b}`);
          return row ? fitsCell(row) : estimatedFit(mine, b);
        }),
      ];
    }),
  );
}

function planTable(rows: readonly BenchRow[]): ReportTable {
  const body = rows.filter((r) => r.report).map((row) => {
    const r = row.report!;
    const lb = row.livenessLowerBoundBytes;
    return [
      row.model,
      row.engine,
      row.board,
      r.plan.planner,
      fmtInt(r.plan.headBytes),
      fmtInt(r.plan.tailBytes),
      fmtInt(r.plan.scratchBytes),
      fmtInt(lb),
      lb === undefined || lb === 0 ? "—" : `${(r.plan.headBytes / lb).toFixed(2)}x`,
      fmtInt(r.peakSramBytes),
    ];
  });
  return table(
    [
      "model",
      "engine",
      "board",
      "planner",
      "planned head B",
      "tail B",
      "largest scratch B",
      "liveness lower bound B",
      "head / bound",
      "measured peak SRAM B",
    ],
    body,
  );
}

/** Options of {@link renderReport}. */
export interface ReportOptions {
  /** Published numbers to show beside ours. */
  readonly anchors: Anchors;
  /** Plot files (relative to the report) to link, in order. */
  readonly plots?: readonly string[];
}

/** One section of the report: a heading, paragraphs, a bullet list and a table, each optional. */
export interface ReportSection {
  /** Stable anchor name, e.g. `summary`. */
  readonly id: string;
  /** Heading text. */
  readonly title: string;
  /** Paragraphs (Markdown inline: `**bold**`, `` `code` ``). */
  readonly text: readonly string[];
  /** Bullet items (same inline syntax). */
  readonly items?: readonly string[];
  /** The section's table. */
  readonly table?: ReportTable;
}

/** The report as data, shared by the Markdown and the HTML renderers. */
export interface ReportDocument {
  /** Page title. */
  readonly title: string;
  /** What the numbers are (Markdown inline). */
  readonly intro: string;
  /** Facts of the run: code version, suites, jobs, notes (Markdown inline). */
  readonly facts: readonly string[];
  /** Sections in reading order. */
  readonly sections: readonly ReportSection[];
}

/**
 * The report's content for a results set: every table and text, before any rendering.
 * Deterministic: same rows, same document.
 *
 * @example
 * ```ts ignore
 * const doc = reportDocument(rows, meta, loadAnchors());
 * doc.sections.map((s) => s.id); // ["summary", "measurements", "ratios", ...]
 * ```
 */
export function reportDocument(
  rows: readonly BenchRow[],
  meta: ResultsMeta,
  anchors: Anchors,
): ReportDocument {
  const sorted = sortRows(rows);
  const ok = sorted.filter((r) => r.report);
  const failed = sorted.filter((r) => !r.report);
  const facts = [
    `code version: \`${meta.codeVersion.slice(0, 16)}\``,
    `suites: ${meta.suites.join(", ") || "—"}${meta.shard ? ` (shard ${meta.shard})` : ""}`,
    `jobs: ${sorted.length} (${ok.length} ok, ${failed.length} failed)`,
    ...meta.notes.map((n) => `note: ${n}`),
  ];
  const sections: ReportSection[] = [
    { id: "summary", title: "Summary", text: [], items: summary(sorted, anchors) },
    {
      id: "measurements",
      title: "Measurements per model, engine and board",
      text: [],
      table: measurementsTable(ok),
    },
    {
      id: "ratios",
      title: "Ratios tinyengine / tflm",
      text: ["Below 1.00x means tinyengine needs less."],
      table: ratiosTable(ok),
    },
    {
      id: "fits",
      title: "Fits per board",
      text: [
        "Measured peak SRAM and Flash against the board; a model that does not fit was measured on an enlarged memory map of the same core. " +
        "Cells marked * were not measured on that board: they compare the measurement on a board with the same core (else any board) with that board's SRAM and Flash.",
      ],
      table: fitsMatrix(sorted),
    },
    {
      id: "plan",
      title: "Memory plan beside the layer-by-layer liveness lower bound",
      text: [
        "The bound is the largest sum of simultaneously live activations when layers run one at a time (engine analysis); a planned head equal to it is optimal for layer-by-layer execution.",
      ],
      table: planTable(ok),
    },
    acceptanceSection(ok),
    {
      id: "paper",
      title: "Paper table: ours beside TinyEngine, TF-Lite Micro and X-CUBE-AI",
      text: [
        "Ours: peak SRAM kB / Flash kB / inference instructions (emulator). Published: peak SRAM kB / Flash kB / latency on the board (OOM = did not fit). " +
        "Published cycles/MAC = latency x clock / MACs; ours are instructions per MAC (a Cortex-M7 issues up to two per cycle, an M4 one).",
      ],
      table: paperTable(sorted, anchors),
    },
    { id: "tflm", title: "TF-Lite Micro baseline", text: [], table: tflmTable(ok, anchors) },
    {
      id: "mlperf",
      title: "MLPerf Tiny: published latency beside our instructions per MAC",
      text: [],
      table: mlperfLatencyTable(sorted, anchors),
    },
    latencySection(sorted, anchors),
    {
      id: "sources",
      title: "Sources of published numbers",
      text: [],
      items: Object.entries(anchors.sources).map(([key, s]) => `\`${key}\`: ${s.title} (${s.url})`),
    },
  ];
  if (failed.length > 0) {
    sections.push({
      id: "failed",
      title: "Failed jobs",
      text: [],
      table: table(
        ["model", "engine", "board", "error"],
        failed.map((r) => [r.model, r.engine, r.board, r.error ?? "?"]),
      ),
    });
  }
  return {
    title: "mcunet-bench report",
    intro:
      "Our figures are **emulator measurements** of our own firmware (Unicorn, Cortex-M7/M4): " +
      "architecturally executed instructions (not cycles), SRAM high-water (static + stack, " +
      "measured) and loadable Flash bytes. Published figures were **measured on real boards** " +
      "with other kernels and toolchains (latency in ms); they stand beside ours for orientation, " +
      "not as equal quantities. kB = 1024 bytes for ours; published kB as published.",
    facts,
    sections,
  };
}

/**
 * The whole `report.md` for a results set. Deterministic: same rows, same text.
 *
 * @example
 * ```ts ignore
 * const md = renderReport(rows, meta, { anchors: loadAnchors(), plots: ["plots/sram_vs_instructions.svg"] });
 * ```
 */
export function renderReport(
  rows: readonly BenchRow[],
  meta: ResultsMeta,
  options: ReportOptions,
): string {
  const doc = reportDocument(rows, meta, options.anchors);
  const out: string[] = [`# ${doc.title}`, "", doc.intro, ""];
  out.push(...doc.facts.map((f) => `- ${f}`), "");
  for (const s of doc.sections) {
    out.push(`## ${s.title}`, "");
    for (const p of s.text) out.push(p, "");
    if (s.items) out.push(...s.items.map((i) => `- ${i}`), "");
    if (s.table) out.push(...markdownTable(s.table), "");
  }
  if (options.plots && options.plots.length > 0) {
    out.push("## Plots", "");
    for (const p of options.plots) out.push(`- [${p}](${p})`);
    out.push("");
  }
  return out.join("\n");
}
