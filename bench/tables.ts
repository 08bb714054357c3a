/**
 * `report.md`: the bench's tables in Markdown, ours beside the published numbers.
 *
 * @module
 */
import { BOARDS } from "../engine/target/mod.ts";
import { ENGINES } from "../engine/codegen/mod.ts";
import { type AnchorRow, type Anchors, publishedCyclesPerMac } from "./anchors.ts";
import { fmtMj, fmtMs, latencySection } from "./latency_table.ts";
import { acceptanceSection } from "./acceptance.ts";
import { instructionsPerMac, sortRows } from "./results.ts";
import type { BenchRow, ResultsMeta } from "./types.ts";

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

function fmtRatio(a: number | undefined, b: number | undefined): string {
  return a === undefined || b === undefined || b === 0 ? "—" : `${(a / b).toFixed(2)}x`;
}

/** A table of the report: column headers and rows of cell text, as both renderers show it. */
export interface ReportTable {
  /** Column headers. */
  readonly header: readonly string[];
  /** Rows of cell text, one cell per header. */
  readonly rows: readonly (readonly string[])[];
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): ReportTable {
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

function yesNo(b: boolean | undefined): string {
  return b === undefined ? "—" : b ? "yes" : "no";
}

function fitsCell(row: BenchRow | undefined): string {
  const r = row?.report;
  if (!row) return "—";
  if (!r) return "error";
  if (r.fits) return "yes";
  const why = [!r.fitsSram ? "SRAM" : "", !r.fitsFlash ? "Flash" : ""].filter(Boolean).join("+");
  return `no (${why})`;
}

/** Rows keyed by `model|engine|board`. */
function index(rows: readonly BenchRow[]): Map<string, BenchRow> {
  return new Map(rows.map((r) => [`${r.model}|${r.engine}|${r.board}`, r]));
}

function uniq<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

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

function paperTable(rows: readonly BenchRow[], anchors: Anchors): ReportTable {
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

function tflmTable(rows: readonly BenchRow[], anchors: Anchors): ReportTable {
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

function mlperfLatencyTable(rows: readonly BenchRow[], anchors: Anchors): ReportTable {
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
function summary(rows: readonly BenchRow[], anchors: Anchors): string[] {
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
