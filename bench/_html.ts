/**
 * Building blocks of the bench's static HTML pages: escaping, the little Markdown inline syntax of
 * the report's text, tables (plain, with an optional sort script that only enhances them), inline
 * SVG and the page frame with its CSS. Everything is inlined: a page needs no server, no network
 * and no JavaScript to show its content.
 *
 * @module
 */
import { fmtInt } from "./tables.ts";

/** Text escaped for HTML element content and double-quoted attribute values. */
export function esc(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

/**
 * The report's inline Markdown as HTML: `**bold**`, `` `code` `` and bare `http(s)://` addresses
 * (as links). Everything else is escaped.
 *
 * @example
 * ```ts
 * inlineHtml("**ours** `v1` (https://example.org)");
 * // '<strong>ours</strong> <code>v1</code> (<a href="https://example.org">https://example.org</a>)'
 * ```
 */
export function inlineHtml(md: string): string {
  return esc(md)
    .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
    .replace(/`([^`]+)`/g, "<code>$1</code>")
    .replace(/https?:\/\/[^\s)<&]+/g, (url) => `<a href="${url}">${url}</a>`);
}

/** Anchor name of a model's section. */
export function modelAnchor(model: string): string {
  return `model-${model.replace(/[^A-Za-z0-9._-]+/g, "_")}`;
}

/** One cell of an HTML table. */
export interface HtmlCell {
  /** HTML content (already escaped). */
  readonly html: string;
  /** Extra attributes (`data-value` sorts numerically; names are written as given). */
  readonly attrs?: Readonly<Record<string, string>>;
}

/** A cell showing an exact figure; `data-field`/`data-value` carry the raw value for sorting and checks. */
export function figureCell(value: unknown, field: string): HtmlCell {
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

/** A table for {@link htmlTable}. */
export interface HtmlTable {
  /** Column headers (plain text). */
  readonly header: readonly string[];
  /** Rows of cells. */
  readonly rows: readonly (readonly HtmlCell[])[];
  /** Class names of the table (`sortable` lets the page's script sort it). */
  readonly className?: string;
}

function attrText(attrs: Readonly<Record<string, string>> | undefined): string {
  return Object.entries(attrs ?? {}).map(([k, v]) => ` ${k}="${esc(v)}"`).join("");
}

/** A table as HTML, wrapped in a horizontally scrolling box. */
export function htmlTable(t: HtmlTable): string {
  if (t.rows.length === 0) return `<p class="empty">No rows for this run.</p>`;
  const head = t.header.map((h) => `<th scope="col">${esc(h)}</th>`).join("");
  const body = t.rows.map((r) =>
    `<tr>${r.map((c) => `<td${attrText(c.attrs)}>${c.html}</td>`).join("")}</tr>`
  );
  const cls = t.className ? ` class="${esc(t.className)}"` : "";
  return `<div class="scroll"><table${cls}><thead><tr>${head}</tr></thead><tbody>\n${
    body.join("\n")
  }\n</tbody></table></div>`;
}

/**
 * An SVG document for inlining: the XML prolog dropped, and any `id` (with its `url(#…)` and
 * `href="#…"` references) prefixed so that several plots on one page cannot collide.
 */
export function inlineSvg(svg: string, idPrefix: string): string {
  return svg.replace(/^<\?xml[^>]*>\s*/, "")
    .replace(/\bid="([^"]+)"/g, `id="${idPrefix}-$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${idPrefix}-$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${idPrefix}-$1"`);
}

const CSS = `
:root { --fg: #1d2330; --muted: #5b6477; --line: #d9dde5; --band: #f4f6f9; --accent: #1f5fbf; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, "DejaVu Sans", sans-serif; color: var(--fg); }
header, main, footer { max-width: 1400px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 16px; border-bottom: 1px solid var(--line); }
h1 { font-size: 22px; margin: 8px 0; }
h2 { font-size: 18px; margin: 28px 0 8px; padding-top: 8px; border-top: 1px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 6px; }
a { color: var(--accent); }
code { font: 12px ui-monospace, "DejaVu Sans Mono", monospace; background: var(--band); padding: 0 3px; }
nav ul { display: flex; flex-wrap: wrap; gap: 4px 14px; list-style: none; padding: 0; margin: 8px 0; }
.facts { color: var(--muted); }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; margin: 6px 0 12px; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--line); padding: 3px 7px; text-align: left; vertical-align: top; }
td[data-value] { text-align: right; }
td a { white-space: nowrap; }
thead th { background: var(--band); position: sticky; top: 0; }
tbody tr:nth-child(even) { background: #fafbfc; }
table.sortable th { cursor: pointer; }
table.sortable th[aria-sort=ascending]::after { content: " \\25B2"; }
table.sortable th[aria-sort=descending]::after { content: " \\25BC"; }
.plots { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 12px; }
figure { margin: 0; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption, .empty, .note { color: var(--muted); font-size: 13px; }
details { margin: 6px 0 12px; }
summary { cursor: pointer; color: var(--accent); }
section.model { scroll-margin-top: 8px; }
.top { font-size: 12px; margin-left: 8px; font-weight: normal; }
`;

/*
 * Optional enhancement: click a header of a `table.sortable` to sort its rows (numbers by their
 * data-value or their text without thousands separators, the rest as text). Without JavaScript the tables are plain tables in report order.
 */
const SORT_SCRIPT = `
(function () {
  function key(cell) {
    if (!cell) return "";
    var v = cell.getAttribute("data-value");
    if (v !== null && v !== "" && !isNaN(Number(v))) return Number(v);
    var text = cell.textContent.trim();
    var n = text.replace(/,/g, "").replace(/x$/, "");
    return n !== "" && !isNaN(Number(n)) ? Number(n) : text;
  }
  function compare(a, b) {
    if (typeof a === "number" && typeof b === "number") return a - b;
    return String(a).localeCompare(String(b), undefined, { numeric: true });
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var heads = table.querySelectorAll("thead th");
    heads.forEach(function (th, col) {
      th.addEventListener("click", function () {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (x, y) {
          var c = compare(key(x.cells[col]), key(y.cells[col]));
          return asc ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
})();
`;

/** A whole self-contained page: title, inline CSS, the body and the sort script. */
export function htmlPage(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
${body}
<script>${SORT_SCRIPT}</script>
</body>
</html>
`;
}
