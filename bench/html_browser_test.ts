/**
 * `index.html` in a real browser: headless Debian Chromium opens the page written by the bench's
 * own output step from a small real results fixture (`fixtures/report/results.json`: two builder
 * models of the gate suite on both gate boards, measured by `deno task gate --out DIR` and cut
 * down to those models). Screenshots go to `.cache/screenshots/` (or `MCU_SCREENSHOT_DIR`).
 *
 * @module
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ChromiumPage } from "./_chromium.ts";
import { modelAnchor } from "./_html.ts";
import { writeOutputs } from "./bench.ts";
import { figureAt, figureColumns } from "./figures.ts";
import { makeHistoryRepo } from "./_test_history.ts";
import { readHistory } from "./history.ts";
import { writeHistoryPage } from "./history_page.ts";
import { parseResults } from "./results.ts";
import { repoRoot } from "./suites.ts";
import { fmtInt } from "./tables.ts";

const FIXTURE = join(repoRoot(), "fixtures", "report", "results.json");

interface PageCell {
  section: string;
  job: string | null;
  field: string;
  value: string | null;
  bool: string | null;
  text: string;
}

interface PageFacts {
  cells: PageCell[];
  sections: string[];
  figures: { plot: string; section: string; width: number; height: number; paths: number }[];
  images: { src: string; ok: boolean }[];
  brokenLinks: string[];
  tables: number;
  measurements: { header: string[]; rows: string[][] };
}

const FACTS = `(() => {
  const cells = [...document.querySelectorAll("td[data-field]")].map((td) => ({
    section: td.closest("section[id]").id,
    job: td.closest("tr").querySelector("[data-job]")?.getAttribute("data-job") ?? null,
    field: td.dataset.field,
    value: td.dataset.value ?? null,
    bool: td.dataset.bool ?? null,
    text: td.textContent.trim(),
  }));
  const figures = [...document.querySelectorAll("figure[data-plot]")].map((f) => {
    const svg = f.querySelector("svg");
    const r = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
    return {
      plot: f.dataset.plot,
      section: f.closest("section[id]").id,
      width: r.width,
      height: r.height,
      paths: svg ? svg.querySelectorAll("path").length : 0,
    };
  });
  const m = document.querySelector("#measurements table");
  return {
    cells,
    sections: [...document.querySelectorAll("section[id]")].map((s) => s.id),
    figures,
    images: [...document.images].map((i) => ({ src: i.src, ok: i.complete && i.naturalWidth > 0 })),
    brokenLinks: [...document.querySelectorAll('a[href^="#"]')]
      .map((a) => a.getAttribute("href"))
      .filter((h) => !document.getElementById(h.slice(1))),
    tables: document.querySelectorAll("table").length,
    measurements: {
      header: [...m.tHead.rows[0].cells].map((c) => c.textContent.trim()),
      rows: [...m.tBodies[0].rows].map((r) => [...r.cells].map((c) => c.textContent.trim())),
    },
  };
})()`;

/** Click a header of the all-figures table and read that column's values in display order. */
function sortBy(header: string): string {
  return `(() => {
    const t = document.querySelector("#figures table");
    const ths = [...t.tHead.rows[0].cells];
    const i = ths.findIndex((th) => th.textContent.trim() === ${JSON.stringify(header)});
    ths[i].click();
    return [...t.tBodies[0].rows].map((r) => Number(r.cells[i].dataset.value));
  })()`;
}

function screenshotDir(): string {
  const dir = Deno.env.get("MCU_SCREENSHOT_DIR") ?? join(repoRoot(), ".cache", "screenshots");
  mkdirSync(dir, { recursive: true });
  return dir;
}

function isPng(bytes: Uint8Array): boolean {
  return bytes.length > 10_000 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e;
}

Deno.test("index.html shows every section, plot and figure of results.json in headless Chromium, offline and without errors", async () => {
  const tmp = Deno.makeTempDirSync({ prefix: "mcu_html_" });
  try {
    const results = parseResults(readFileSync(FIXTURE, "utf8"), FIXTURE);
    await writeOutputs(results.rows, results.meta, tmp);
    // The page is checked against the results.json written beside it, as a reader would.
    const written = parseResults(readFileSync(join(tmp, "results.json"), "utf8"));
    const url = pathToFileURL(join(tmp, "index.html")).href;
    await using page = await ChromiumPage.launch({ width: 1400, height: 1000 });
    await page.open(url);
    const facts = await page.evaluate<PageFacts>(FACTS);

    assert.deepEqual(page.log.errors, [], "no console errors, exceptions or failed loads");
    assert.deepEqual(
      page.log.requests.filter((u) => !u.startsWith("file:") && !u.startsWith("data:")),
      [],
      "no request leaves the file system",
    );
    const models = [...new Set(written.rows.map((r) => r.model))];
    for (
      const id of [
        "summary",
        "measurements",
        "ratios",
        "fits",
        "plan",
        "paper",
        "figures",
        "models",
        ...models.map(modelAnchor),
      ]
    ) {
      assert.ok(facts.sections.includes(id), `section ${id} is on the page`);
    }
    assert.deepEqual(facts.brokenLinks, [], "every in-page link has its target");
    assert.ok(facts.images.every((i) => i.ok), "every image loaded");
    // One overview plot plus a memory profile and a per-layer plot per model, drawn with marks.
    assert.equal(facts.figures.length, 1 + 2 * models.length);
    for (const f of facts.figures) {
      assert.ok(f.width > 300 && f.height > 200 && f.paths > 20, `${f.plot} is drawn`);
    }
    for (const m of models) {
      const section = modelAnchor(m);
      assert.deepEqual(
        facts.figures.filter((f) => f.section === section).map((f) => f.plot.split("_")[0]).sort(),
        ["layers", "memory"],
        `${m} has its memory profile and per-layer instructions`,
      );
    }

    // Every exact figure shown equals results.json, in its data and in its visible text.
    const byId = new Map(written.rows.map((r) => [r.id, r]));
    for (const c of facts.cells) {
      const row = byId.get(c.job ?? "");
      assert.ok(row, `cell ${c.field} belongs to a job of results.json`);
      const want = figureAt(row, c.field.split("."));
      if (c.bool !== null) {
        assert.equal(c.bool === "true", want, `${c.job} ${c.field}`);
        assert.equal(c.text, want ? "yes" : "no");
      } else {
        assert.equal(Number(c.value), want, `${c.job} ${c.field}`);
        assert.equal(Number(c.text.replaceAll(",", "")), want, `${c.job} ${c.field} as shown`);
      }
    }
    // The all-figures table has every figure of every job, and each model section its own.
    const expected = written.rows.flatMap((row) =>
      figureColumns(written.rows).filter((col) => figureAt(row, col.path) !== undefined)
        .map((col) => `${row.id} ${col.path.join(".")}`)
    ).sort();
    const shown = (section: (s: string) => boolean) =>
      facts.cells.filter((c) => section(c.section) && !c.field.startsWith("report.layers."))
        .map((c) => `${c.job} ${c.field}`).sort();
    assert.deepEqual(shown((s) => s === "figures"), expected);
    assert.deepEqual(shown((s) => s.startsWith("model-")), expected);
    const layerCells = facts.cells.filter((c) => c.field.endsWith(".instructions") && c.job)
      .filter((c) => c.field.startsWith("report.layers."));
    assert.equal(layerCells.length, written.rows.reduce((s, r) => s + r.report!.layers.length, 0));
    // The formatted measurements table (as in report.md) agrees with results.json too.
    const col = facts.measurements.header.indexOf("instructions");
    assert.ok(col > 0);
    for (const r of facts.measurements.rows) {
      const row = byId.get(`${r[0]}|${r[1]}|${r[2]}`);
      assert.equal(r[col], fmtInt(row?.report?.instructions));
    }

    // Sorting works when JavaScript runs, both ways.
    const asc = await page.evaluate<number[]>(sortBy("instructions"));
    assert.deepEqual(asc, [...asc].sort((a, b) => a - b));
    const desc = await page.evaluate<number[]>(sortBy("instructions"));
    assert.deepEqual(desc, [...asc].reverse());

    const dir = screenshotDir();
    const top = await page.screenshot({ x: 0, y: 0, width: 1400, height: 1800 });
    const rect = await page.evaluate<{ y: number; height: number }>(
      `(() => { const r = document.querySelector("section.model").getBoundingClientRect();
        return { y: r.top + window.scrollY, height: r.height }; })()`,
    );
    const model = await page.screenshot({
      x: 0,
      y: rect.y,
      width: 1400,
      height: Math.min(rect.height, 1400),
    });
    assert.ok(isPng(top) && isPng(model));
    writeFileSync(join(dir, "index_top.png"), top);
    writeFileSync(join(dir, "index_model.png"), model);

    // Without JavaScript the page still shows every table and plot (plain, unsorted).
    await page.setJavaScript(false);
    await page.open(url);
    const plain = await page.evaluate<PageFacts>(FACTS).catch(() => undefined);
    // evaluate() runs even with page scripts disabled (it is the DevTools' own evaluation).
    assert.ok(plain);
    assert.equal(plain.tables, facts.tables);
    assert.equal(plain.figures.length, facts.figures.length);
    assert.deepEqual(page.log.errors, []);
  } finally {
    Deno.removeSync(tmp, { recursive: true });
  }
});

Deno.test("history.html draws a generated history of three commits in headless Chromium, linked from index.html", async () => {
  const repo = makeHistoryRepo();
  const tmp = Deno.makeTempDirSync({ prefix: "mcu_history_html_" });
  try {
    assert.match(await writeHistoryPage(repo.file, tmp, repo.root), /18 records over 3 commits/);
    const results = parseResults(readFileSync(FIXTURE, "utf8"), FIXTURE);
    await writeOutputs(results.rows, results.meta, tmp, { plots: false });
    await using page = await ChromiumPage.launch({ width: 1200, height: 1000 });
    await page.open(pathToFileURL(join(tmp, "index.html")).href);
    assert.equal(
      await page.evaluate<string | null>(
        `document.querySelector('nav a[href="history.html"]')?.textContent ?? null`,
      ),
      "History over commits",
    );
    await page.open(pathToFileURL(join(tmp, "history.html")).href);
    const facts = await page.evaluate<{
      figures: { model: string; width: number; points: number; marks: string[] }[];
      cells: { record: string; field: string; value: string; text: string }[];
      commits: string[];
    }>(`(() => ({
      figures: [...document.querySelectorAll("section.model figure")].map((f) => ({
        model: f.closest("section").dataset.model,
        width: f.querySelector("svg").getBoundingClientRect().width,
        points: f.querySelectorAll('[aria-roledescription="point"]').length,
        marks: [...f.querySelectorAll("text")].map((t) => t.textContent).filter((t) => t.startsWith("baselines ")),
      })),
      cells: [...document.querySelectorAll("td[data-field]")].map((td) => ({
        record: td.closest("tr").querySelector("[data-record]").dataset.record,
        field: td.dataset.field,
        value: td.dataset.value,
        text: td.textContent,
      })),
      commits: [...document.querySelectorAll("#commits [data-commit]")].map((c) => c.dataset.commit),
    }))()`);
    assert.deepEqual(page.log.errors, []);
    assert.deepEqual(
      page.log.requests.filter((u) => !u.startsWith("file:") && !u.startsWith("data:")),
      [],
    );
    assert.deepEqual(facts.commits, repo.recorded.map((i) => repo.commits[i]));
    const records = readHistory(repo.file);
    assert.deepEqual(facts.figures.map((f) => f.model), ["mbv2-w0.35-r64", "mcunet-10fps"]);
    for (const f of facts.figures) {
      const jobs = new Set(records.filter((r) => r.model === f.model).map((r) => r.job)).size;
      assert.ok(f.width > 400);
      assert.equal(f.points, 3 * jobs * 3, `${f.model}: a point per commit, job and metric`);
      // Each of the three charts marks the first commit's and the third commit's baselines.
      const short = (i: number) => repo.commits[i]!.slice(0, 8);
      assert.deepEqual(
        [...new Set(f.marks)].sort(),
        [`baselines ${short(0)}`, `baselines ${short(2)}`].sort(),
      );
    }
    const byKey = new Map(records.map((r) => [`${r.commit} ${r.job}`, r]));
    assert.equal(facts.cells.length, records.length * 3);
    for (const c of facts.cells) {
      const want = byKey.get(c.record)?.figures[c.field];
      assert.equal(Number(c.value), want, `${c.record} ${c.field}`);
      assert.equal(Number(c.text.replaceAll(",", "")), want);
    }
    const png = await page.screenshot({ x: 0, y: 0, width: 1200, height: 1600 });
    assert.ok(isPng(png));
    writeFileSync(join(screenshotDir(), "history.png"), png);
  } finally {
    Deno.removeSync(tmp, { recursive: true });
    Deno.removeSync(repo.root, { recursive: true });
  }
});
