/**
 * `index.html`: the bench report as one self-contained static page. The same report document as
 * `report.md` (summary, ratio, fit, plan and paper tables), a table of every exact figure of every
 * job, and per model a section with its figures, its memory profile beside its per-layer
 * instructions (the vega-lite plots, inlined as SVG) and its per-layer counts. Rows link to their
 * model's section. No server, network or JavaScript is needed to read it; a small inline script
 * only makes tables sortable.
 *
 * @module
 */
import type { Anchors } from "./anchors.ts";
import { esc, htmlPage, htmlTable, inlineHtml, inlineSvg, modelAnchor } from "./_html.ts";
import type { HtmlCell, HtmlTable } from "./_html.ts";
import { layerInstructionsSpec, memoryProfileSpec, sramVsInstructionsSpec } from "./plots.ts";
import { CSV_COLUMNS, sortRows } from "./results.ts";
import { fmtInt, reportDocument, type ReportTable } from "./tables.ts";
import type { BenchRow, ResultsMeta } from "./types.ts";

/** Options of {@link renderHtml}. */
export interface HtmlReportOptions {
  /** Published numbers to show beside ours. */
  readonly anchors: Anchors;
  /** Rendered plots (SVG text) by plot file name (`PlotSpec.file`); missing plots are noted. */
  readonly svgs?: ReadonlyMap<string, string>;
  /** Address of the history page to link, when there is one. */
  readonly historyHref?: string;
}

/** A figure of the exact table: where it is in a row, and its column header. */
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

/** A header for a field name: the known label, else the camelCase words with units spelled out. */
function label(name: string): string {
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
    .map((path) => ({ path, header: label(path[path.length - 1]!) }));
}

/** The value at a property path, or undefined. */
export function figureAt(row: unknown, path: readonly string[]): unknown {
  let v: unknown = row;
  for (const k of path) v = v !== null && typeof v === "object" ? (v as never)[k] : undefined;
  return v;
}

/** A cell showing an exact figure; `data-field`/`data-value` carry the raw value for sorting and checks. */
function figureCell(value: unknown, field: string): HtmlCell {
  if (typeof value === "number") {
    const text = Number.isInteger(value) ? fmtInt(value) : String(Number(value.toPrecision(6)));
    return { html: esc(text), attrs: { "data-field": field, "data-value": String(value) } };
  }
  if (typeof value === "boolean") {
    return {
      html: value ? "yes" : "no",
      attrs: { "data-field": field, "data-bool": String(value) },
    };
  }
  return { html: "—" };
}

function modelLink(model: string, known: ReadonlySet<string>): string {
  return known.has(model) ? `<a href="#${modelAnchor(model)}">${esc(model)}</a>` : esc(model);
}

/** The exact figures of rows, one per job, sortable. */
function figuresTable(rows: readonly BenchRow[], models: ReadonlySet<string>): HtmlTable {
  const columns = figureColumns(rows);
  return {
    className: "sortable figures",
    header: ["model", "engine", "board", ...columns.map((c) => c.header)],
    rows: rows.map((row) => [
      { html: modelLink(row.model, models), attrs: { "data-job": row.id } },
      { html: esc(row.engine) },
      { html: esc(row.board) },
      ...columns.map((c) => figureCell(figureAt(row, c.path), c.path.join("."))),
    ]),
  };
}

/** One of the report document's tables; model names in the first column link to their section. */
function documentTable(t: ReportTable, models: ReadonlySet<string>): HtmlTable {
  const linkFirst = t.header[0] === "model" || t.header[0] === "network";
  return {
    className: "sortable",
    header: t.header,
    rows: t.rows.map((r) =>
      r.map((cell, i) => ({ html: i === 0 && linkFirst ? modelLink(cell, models) : esc(cell) }))
    ),
  };
}

/** The per-layer counts of a model's jobs: one line per job and layer, sortable. */
function layersTable(rows: readonly BenchRow[]): HtmlTable {
  return {
    className: "sortable layers",
    header: ["engine", "board", "layer", "op", "MACs", "instructions", "instr/MAC"],
    rows: rows.flatMap((row) =>
      (row.report?.layers ?? []).map((l, i) => [
        { html: esc(row.engine), attrs: { "data-job": row.id } },
        { html: esc(row.board) },
        figureCell(l.index, `report.layers.${i}.index`),
        { html: esc(l.op) },
        figureCell(l.macs, `report.layers.${i}.macs`),
        figureCell(l.instructions, `report.layers.${i}.instructions`),
        l.macs > 0
          ? {
            html: (l.instructions / l.macs).toFixed(2),
            attrs: { "data-value": String(l.instructions / l.macs) },
          }
          : { html: "—" },
      ])
    ),
  };
}

function figure(file: string | undefined, svgs: ReadonlyMap<string, string>, what: string): string {
  const svg = file === undefined ? undefined : svgs.get(file);
  if (file === undefined) return `<p class="empty">No ${what} for this model (no data).</p>`;
  if (svg === undefined) return `<p class="empty">${esc(what)}: not drawn in this run.</p>`;
  const id = file.replace(/\.svg$/, "").replace(/[^A-Za-z0-9_-]+/g, "_");
  return `<figure id="fig-${id}" data-plot="${esc(file)}">${inlineSvg(svg, id)}` +
    `<figcaption>${esc(what)} (also <a href="plots/${esc(file)}">plots/${
      esc(file)
    }</a>)</figcaption></figure>`;
}

function modelSection(
  model: string,
  rows: readonly BenchRow[],
  all: readonly BenchRow[],
  svgs: ReadonlyMap<string, string>,
  models: ReadonlySet<string>,
): string {
  const first = rows[0]!;
  const ok = rows.filter((r) => r.report);
  const failed = rows.length - ok.length;
  const memory = memoryProfileSpec(model, all)?.file;
  const layers = layerInstructionsSpec(model, all)?.file;
  const layerCount = ok.reduce((s, r) => s + (r.report?.layers.length ?? 0), 0);
  return `<section class="model" id="${modelAnchor(model)}" data-model="${esc(model)}">
<h3>${esc(model)} <span class="facts">${esc(first.label)}, suite ${esc(first.suite)}</span>` +
    `<a class="top" href="#figures">back to all figures</a></h3>
${
      failed > 0
        ? `<p class="note">${failed} job(s) failed: see <a href="#failed">Failed jobs</a>.</p>\n`
        : ""
    }${htmlTable(figuresTable(ok, models))}
<div class="plots">${figure(memory, svgs, "memory profile")}${
      figure(layers, svgs, "instructions per layer")
    }</div>
<details><summary>per-layer instructions (${layerCount} lines)</summary>
${htmlTable(layersTable(ok))}
</details>
</section>`;
}

/**
 * The whole `index.html` for a results set. Deterministic: same rows and plots, same bytes.
 *
 * @example
 * ```ts ignore
 * const html = renderHtml(rows, meta, { anchors: loadAnchors(), svgs: new Map([[file, svg]]) });
 * ```
 */
export function renderHtml(
  rows: readonly BenchRow[],
  meta: ResultsMeta,
  options: HtmlReportOptions,
): string {
  const svgs = options.svgs ?? new Map<string, string>();
  const sorted = sortRows(rows);
  const doc = reportDocument(sorted, meta, options.anchors);
  const models = [...new Set(sorted.map((r) => r.model))];
  const modelSet = new Set(models);
  const parts: string[] = [];
  const nav = [
    ...doc.sections.map((s) => `<li><a href="#${s.id}">${esc(s.title)}</a></li>`),
    `<li><a href="#figures">All figures</a></li>`,
    `<li><a href="#models">Models</a></li>`,
    ...(options.historyHref
      ? [`<li><a href="${esc(options.historyHref)}">History over commits</a></li>`]
      : []),
  ];
  parts.push(`<header>
<h1>${esc(doc.title)}</h1>
<p>${inlineHtml(doc.intro)}</p>
<ul class="facts">${doc.facts.map((f) => `<li>${inlineHtml(f)}</li>`).join("")}</ul>
<nav><ul>${nav.join("")}</ul></nav>
</header>
<main>`);
  for (const s of doc.sections) {
    parts.push(`<section id="${s.id}"><h2>${esc(s.title)}</h2>`);
    for (const p of s.text) parts.push(`<p class="note">${inlineHtml(p)}</p>`);
    if (s.items) parts.push(`<ul>${s.items.map((i) => `<li>${inlineHtml(i)}</li>`).join("")}</ul>`);
    if (s.table) parts.push(htmlTable(documentTable(s.table, modelSet)));
    if (s.id === "summary") {
      parts.push(
        `<div class="plots">${
          figure(sramVsInstructionsSpec(sorted)?.file, svgs, "peak SRAM vs instructions")
        }</div>`,
      );
    }
    parts.push(`</section>`);
  }
  const ok = sorted.filter((r) => r.report);
  parts.push(`<section id="figures"><h2>All figures</h2>
<p class="note">Every exact figure of every measured job as in <code>results.json</code> (click a header to sort).</p>
${htmlTable(figuresTable(ok, modelSet))}
</section>
<section id="models"><h2>Models</h2>
<ul class="model-index">${models.map((m) => `<li>${modelLink(m, modelSet)}</li>`).join("")}</ul>`);
  for (const m of models) {
    parts.push(modelSection(m, sorted.filter((r) => r.model === m), sorted, svgs, modelSet));
  }
  parts.push(`</section>
</main>
<footer><p class="note">Written by <code>deno task bench</code>; the same tables are in <code>report.md</code>, every figure in <code>results.json</code>.</p></footer>`);
  return htmlPage(doc.title, parts.join("\n"));
}
