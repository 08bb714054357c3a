import assert from "node:assert/strict";
import { fakeRow } from "./_test_fixtures.ts";
import { inlineHtml, inlineSvg } from "./_html.ts";
import { loadAnchors } from "./anchors.ts";
import { figureColumns } from "./figures.ts";
import { renderHtml } from "./html.ts";
import type { BenchRow, ResultsMeta } from "./types.ts";

const META: ResultsMeta = { codeVersion: "c0de".repeat(16), suites: ["paper"], notes: ["n1"] };

function rows(): BenchRow[] {
  const out: BenchRow[] = [];
  for (const engine of ["tinyengine", "tflm"] as const) {
    out.push(fakeRow("mcunet-320kb-1mb", engine, "stm32f746", 3));
    out.push(fakeRow("mbv2-w0.35-r64", engine, "stm32f412", 1));
  }
  const { report: _r, ...failed } = fakeRow("mlperf-kws", "tflm", "stm32f746");
  out.push({ ...failed, error: "run: ToolchainError: model.c:1: error <bad>" });
  return out;
}

Deno.test("index.html does not depend on row order and escapes text", () => {
  const a = rows();
  const opts = { anchors: loadAnchors() };
  const html = renderHtml(a, META, opts);
  assert.equal(html, renderHtml([...a].reverse(), META, opts));
  assert.match(html, /error &lt;bad&gt;/);
  assert.doesNotMatch(html, /<bad>/);
});

Deno.test("index.html loads nothing from outside the page: links only, no external sources", () => {
  const html = renderHtml(rows(), META, { anchors: loadAnchors() });
  assert.doesNotMatch(html, /\ssrc=/);
  assert.doesNotMatch(html, /@import|url\(\s*['"]?http/);
  for (const m of html.matchAll(/<link\b[^>]*>/g)) assert.match(m[0], /href="data:/);
  for (const m of html.matchAll(/<(\w+)[^>]*\shref="(https?:[^"]*)"/g)) {
    assert.equal(m[1], "a", `only anchors point outside: ${m[2]}`);
  }
});

Deno.test("every row links to its model's section, including a model whose jobs all failed", () => {
  const html = renderHtml(rows(), META, { anchors: loadAnchors() });
  const ids = new Set([...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]));
  const targets = [...html.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]!);
  assert.ok(targets.length > 20);
  for (const t of targets) assert.ok(ids.has(t), `#${t} exists`);
  for (const m of ["mcunet-320kb-1mb", "mbv2-w0.35-r64", "mlperf-kws"]) {
    assert.ok(ids.has(`model-${m}`), m);
  }
  assert.match(html, /1 job\(s\) failed: see <a href="#failed">/);
});

Deno.test("a new numeric field in the reports gets its own column without changes to the page code", () => {
  const withLatency = rows().map((r) =>
    r.report ? { ...r, report: { ...r.report, latencyMs: 12.5, cycles: 2_700_000 } } : r
  );
  const cols = figureColumns(withLatency).map((c) => c.header);
  assert.ok(cols.includes("latency ms") && cols.includes("cycles"), cols.join(", "));
  // Known figures keep results.csv's order; new ones follow.
  assert.ok(cols.indexOf("MACs") < cols.indexOf("instructions"));
  assert.ok(cols.indexOf("bit-exact") < cols.indexOf("cycles"));
  const html = renderHtml(withLatency, META, { anchors: loadAnchors() });
  assert.match(html, /data-field="report.latencyMs" data-value="12.5">12.5</);
  assert.match(html, /data-field="report.cycles" data-value="2700000">2,700,000</);
});

Deno.test("plots are inlined as SVG with their ids made unique, and missing plots are said so", () => {
  const svg = `<?xml version="1.0"?><svg><defs><clipPath id="c1"/></defs>` +
    `<g clip-path="url(#c1)"><use href="#c1"/></g></svg>`;
  assert.equal(
    inlineSvg(svg, "p"),
    `<svg><defs><clipPath id="p-c1"/></defs><g clip-path="url(#p-c1)"><use href="#p-c1"/></g></svg>`,
  );
  const html = renderHtml(rows(), META, {
    anchors: loadAnchors(),
    svgs: new Map([["memory_mbv2-w0.35-r64.svg", "<svg>MEM</svg>"]]),
  });
  assert.match(
    html,
    /<figure id="fig-memory_mbv2-w0_35-r64" data-plot="memory_mbv2-w0.35-r64.svg">/,
  );
  assert.match(html, /<svg>MEM<\/svg>/);
  assert.match(html, /instructions per layer: not drawn in this run/);
  assert.equal(
    inlineHtml("**a** `b` (https://x.org/p)"),
    `<strong>a</strong> <code>b</code> (<a href="https://x.org/p">https://x.org/p</a>)`,
  );
});
