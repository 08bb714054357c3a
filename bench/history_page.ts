/**
 * `history.html`: peak SRAM, Flash and instructions (and any later figure such as latency or
 * accuracy) per model over the commits of the history file, one line per engine and board, with
 * the commits where the gate's baselines changed marked. Like `index.html` it is one static page
 * with the plots inlined as SVG.
 *
 * @module
 */
import { BOARD_SHAPE, ENGINE_COLOR } from "./_vega_channels.ts";
import type * as vl from "vega-lite";
import { esc, figureCell, htmlPage, htmlTable, inlineSvg, modelAnchor } from "./_html.ts";
import { figureLabel } from "./figures.ts";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  baselineChanges,
  type CommitInfo,
  type HistoryRecord,
  readHistory,
  repositoryCommits,
  sortHistory,
} from "./history.ts";
import { type PlotSpec, renderSvg, slug } from "./plots.ts";

/** Figures drawn over commits, when present: the three counts first, then later measurements. */
const METRICS = ["peakSramBytes", "flashBytes", "instructions", "cycles", "latencyMs", "energyMj"];

/** A commit of the history, in drawing order, and the baseline changes it is the first to include. */
export interface HistoryCommit {
  /** Full hash. */
  readonly commit: string;
  /** Committer date. */
  readonly date: string;
  /** Commits that changed `fixtures/baselines/` since the previous commit of the history. */
  readonly baselineChanges: readonly CommitInfo[];
}

/** Options of {@link historyCommits}. */
export interface HistoryOrder {
  /** Commits that changed the baselines (from `baselineChanges`). */
  readonly changes?: readonly CommitInfo[];
  /** Position of commits in the repository's history (oldest 0), to order equal dates. */
  readonly positions?: ReadonlyMap<string, number>;
}

function place(c: { commit: string; date: string }, positions: ReadonlyMap<string, number>) {
  return { t: Date.parse(c.date), p: positions.get(c.commit) ?? Number.MAX_SAFE_INTEGER };
}

function before(
  a: { commit: string; date: string },
  b: { commit: string; date: string },
  positions: ReadonlyMap<string, number>,
): boolean {
  const x = place(a, positions), y = place(b, positions);
  return positions.has(a.commit) && positions.has(b.commit) ? x.p < y.p : x.t < y.t;
}

/**
 * The commits of the records, oldest first (by commit date, then by position in the repository),
 * each with the baseline changes that are newer than the previous commit and not newer than it.
 */
export function historyCommits(
  records: readonly HistoryRecord[],
  options: HistoryOrder = {},
): HistoryCommit[] {
  const positions = options.positions ?? new Map<string, number>();
  const seen = new Map<string, { commit: string; date: string }>();
  for (const r of records) seen.set(r.commit, { commit: r.commit, date: r.date });
  const commits = [...seen.values()].sort((a, b) => {
    const x = place(a, positions), y = place(b, positions);
    return x.t - y.t || x.p - y.p || (a.commit < b.commit ? -1 : 1);
  });
  return commits.map((c, i) => {
    const prev = commits[i - 1];
    const changes = (options.changes ?? []).filter((b) =>
      (b.commit === c.commit || before(b, c, positions)) &&
      // Before the first commit of the history nothing is known: only its own change counts.
      (prev === undefined
        ? b.commit === c.commit
        : b.commit !== prev.commit && before(prev, b, positions))
    );
    return { ...c, baselineChanges: changes };
  });
}

/** The figures drawn for a set of records: the known ones present, then any accuracy. */
export function historyMetrics(records: readonly HistoryRecord[]): string[] {
  const present = new Set(records.flatMap((r) => Object.keys(r.figures)));
  return [
    ...METRICS.filter((m) => present.has(m)),
    ...[...present].filter((m) => /accuracy/i.test(m)).sort(),
  ];
}

const short = (hash: string) => hash.slice(0, 8);

/** One model's figures over commits: a chart per metric, stacked, baseline changes marked. */
export function historySpec(
  model: string,
  records: readonly HistoryRecord[],
  commits: readonly HistoryCommit[],
): PlotSpec {
  const mine = records.filter((r) => r.model === model);
  const order = commits.map((c) => short(c.commit));
  const marks = commits.filter((c) => c.baselineChanges.length > 0).map((c) => ({
    commit: short(c.commit),
    label: `baselines ${c.baselineChanges.map((b) => short(b.commit)).join(", ")}`,
  }));
  const x = {
    field: "commit",
    type: "ordinal",
    sort: order,
    scale: { domain: order },
    title: "commit (oldest left)",
    axis: { labelAngle: -40 },
  };
  const charts = historyMetrics(mine).map((metric) => ({
    width: 560,
    height: 160,
    title: { text: figureLabel(metric), anchor: "start", fontSize: 12 },
    layer: [
      {
        data: {
          values: mine.flatMap((r) => {
            const v = r.figures[metric];
            return typeof v === "number"
              ? [{ commit: short(r.commit), engine: r.engine, board: r.board, value: v }]
              : [];
          }),
        },
        mark: { type: "line", point: true },
        encoding: {
          x,
          y: {
            field: "value",
            type: "quantitative",
            scale: { zero: false },
            title: figureLabel(metric),
          },
          color: ENGINE_COLOR,
          strokeDash: { field: "board", type: "nominal", title: "board" },
          shape: BOARD_SHAPE,
        },
      },
      {
        data: { values: marks },
        mark: { type: "rule", color: "#9467bd", strokeDash: [4, 3], strokeWidth: 1.5 },
        encoding: { x },
      },
      {
        data: { values: marks },
        mark: {
          type: "text",
          color: "#9467bd",
          align: "left",
          baseline: "top",
          dx: 3,
          y: 2,
          fontSize: 10,
        },
        encoding: { x, text: { field: "label", type: "nominal" } },
      },
    ],
  }));
  return {
    file: `history_${slug(model)}.svg`,
    spec: {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      title: {
        text: `${model}: figures over ${commits.length} commits`,
        subtitle: "one line per engine and board; purple dashed: the gate's baselines changed",
      },
      vconcat: charts,
      resolve: { scale: { color: "shared", strokeDash: "shared", shape: "shared" } },
    } as unknown as vl.TopLevelSpec,
  };
}

/** Options of {@link renderHistoryPage}. */
export interface HistoryPageOptions extends HistoryOrder {
  /** Where the records come from (shown on the page). */
  readonly source: string;
  /** Subjects of commits by hash, when git knows them. */
  readonly subjects?: ReadonlyMap<string, string>;
}

/**
 * The whole `history.html` for a set of history records (plots rendered here).
 *
 * @example
 * ```ts ignore
 * const html = await renderHistoryPage(readHistory(path), { source: path, changes: baselineChanges(root) });
 * ```
 */
export async function renderHistoryPage(
  records: readonly HistoryRecord[],
  options: HistoryPageOptions,
): Promise<string> {
  const sorted = sortHistory(records);
  const commits = historyCommits(sorted, options);
  const models = [...new Set(sorted.map((r) => r.model))].sort();
  const metrics = historyMetrics(sorted);
  const parts: string[] = [];
  parts.push(`<header><h1>mcunet-bench history</h1>
<p>${sorted.length} records of ${models.length} models over ${commits.length} commits from <code>${
    esc(options.source)
  }</code>. Each <code>deno task gate</code> and <code>deno task bench</code> run on a commit adds its exact figures; a purple mark shows where the gate's baselines (<code>fixtures/baselines/</code>) changed.</p>
<nav><ul><li><a href="index.html">Bench report</a></li><li><a href="#commits">Commits</a></li>${
    models.map((m) => `<li><a href="#${modelAnchor(m)}">${esc(m)}</a></li>`).join("")
  }</ul></nav></header><main>`);
  parts.push(`<section id="commits"><h2>Commits</h2>${
    htmlTable({
      header: ["commit", "date", "jobs", "baselines changed", "subject"],
      rows: commits.map((c) => [
        { html: `<code>${esc(short(c.commit))}</code>`, attrs: { "data-commit": c.commit } },
        { html: esc(c.date) },
        { html: String(sorted.filter((r) => r.commit === c.commit).length) },
        {
          html: c.baselineChanges.map((b) =>
            `<code>${esc(short(b.commit))}</code> ${esc(b.subject)}`
          )
            .join("<br>") || "—",
        },
        { html: esc(options.subjects?.get(c.commit) ?? "—") },
      ]),
    })
  }</section>`);
  for (const m of models) {
    const spec = historySpec(m, sorted, commits);
    const id = spec.file.replace(/\.svg$/, "").replace(/[^A-Za-z0-9_-]+/g, "_");
    const svg = inlineSvg(await renderSvg(spec.spec), id);
    const mine = sorted.filter((r) => r.model === m);
    parts.push(
      `<section class="model" id="${modelAnchor(m)}" data-model="${esc(m)}"><h2>${esc(m)}</h2>
<figure id="fig-${id}" data-plot="${esc(spec.file)}">${svg}</figure>
<details><summary>figures per commit (${mine.length} lines)</summary>${
        htmlTable({
          className: "sortable",
          header: ["commit", "engine", "board", ...metrics.map(figureLabel)],
          rows: mine.map((r) => [
            {
              html: `<code>${esc(short(r.commit))}</code>`,
              attrs: { "data-record": `${r.commit} ${r.job}` },
            },
            { html: esc(r.engine) },
            { html: esc(r.board) },
            ...metrics.map((k) => figureCell(r.figures[k], k)),
          ]),
        })
      }</details></section>`,
    );
  }
  parts.push(`</main>`);
  return htmlPage("mcunet-bench history", parts.join("\n"));
}

/**
 * Draw the history file into `<outDir>/history.html`, with the baseline changes, commit order and
 * subjects from the git repository at `root`. Returns the line to show.
 */
export async function writeHistoryPage(
  historyFile: string,
  outDir: string,
  root: string,
): Promise<string> {
  const records = readHistory(historyFile);
  if (records.length === 0) {
    return `history: nothing to draw: ${historyFile} has no records yet (run deno task gate or ` +
      `deno task bench on a commit)`;
  }
  const known = repositoryCommits(root);
  const html = await renderHistoryPage(records, {
    source: historyFile,
    changes: baselineChanges(root),
    positions: new Map(known.map((c, i) => [c.commit, i])),
    subjects: new Map(known.map((c) => [c.commit, c.subject])),
  });
  const out = join(resolve(outDir), "history.html");
  mkdirSync(resolve(outDir), { recursive: true });
  writeFileSync(out, html);
  const commits = new Set(records.map((r) => r.commit)).size;
  return `history: drew ${records.length} records over ${commits} commit${
    commits === 1 ? "" : "s"
  } into ${out}`;
}
