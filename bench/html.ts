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
import {
  esc,
  figureCell,
  htmlPage,
  htmlTable,
  inlineHtml,
  inlineSvg,
  modelAnchor,
} from "./_html.ts";
import type { HtmlTable } from "./_html.ts";
import { layerInstructionsSpec, memoryProfileSpec, sramVsInstructionsSpec } from "./plots.ts";
import { figureAt, figureColumns } from "./figures.ts";
import { sortRows } from "./results.ts";
import { reportDocument, type ReportTable } from "./tables.ts";
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
