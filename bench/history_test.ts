import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gitIn, historyRows, makeHistoryRepo } from "./_test_history.ts";
import {
  appendHistory,
  baselineChanges,
  historyPath,
  readHistory,
  recordHistory,
  repositoryCommits,
} from "./history.ts";
import { historyCommits, historySpec, renderHistoryPage } from "./history_page.ts";
import { renderSvg } from "./plots.ts";
import { canonicalLine } from "./results.ts";

Deno.test("history records one line per job and commit, sorted, canonical, dated by the commit only", () => {
  const repo = makeHistoryRepo();
  try {
    const text = readFileSync(repo.file, "utf8");
    const lines = text.trimEnd().split("\n");
    assert.equal(lines.length, 3 * 6);
    for (const line of lines) {
      assert.equal(line, canonicalLine(JSON.parse(line)));
      assert.deepEqual(Object.keys(JSON.parse(line)), [
        "board",
        "codeVersion",
        "commit",
        "date",
        "engine",
        "figures",
        "job",
        "model",
      ]);
    }
    const records = readHistory(repo.file);
    assert.deepEqual(
      [...new Set(records.map((r) => r.commit))],
      repo.recorded.map((i) => repo.commits[i]),
    );
    assert.deepEqual(records.map((r) => r.date).slice(0, 1), ["2026-01-01T12:00:00+00:00"]);
    const first = records.find((r) => r.job === "mbv2-w0.35-r64|tflm|stm32f746")!;
    assert.equal(first.figures.instructions, historyRows(4)[1]!.report!.instructions);
    assert.equal(first.figures["plan.headBytes"], historyRows(4)[1]!.report!.plan.headBytes);
    assert.equal(first.figures.livenessLowerBoundBytes, 30_000 * 5);

    // The same jobs on the same commit again: replaced, not repeated.
    const again = recordHistory(historyRows(9), {
      path: repo.file,
      root: repo.root,
      codeVersion: "w",
    });
    assert.match(again, /recorded 6 jobs at .* \(18 records\)/);
    assert.equal(readHistory(repo.file).filter((r) => r.codeVersion === "w").length, 6);

    // A working tree that differs from HEAD is not a commit: nothing is recorded.
    writeFileSync(join(repo.root, "README.md"), "changed\n");
    const before = readFileSync(repo.file, "utf8");
    const dirty = recordHistory(historyRows(1), {
      path: repo.file,
      root: repo.root,
      codeVersion: "x",
    });
    assert.match(dirty, /not recorded: the working tree differs .*README\.md.*commit first/);
    assert.equal(readFileSync(repo.file, "utf8"), before);
  } finally {
    Deno.removeSync(repo.root, { recursive: true });
  }
});

Deno.test("a committed history file does not count as a change to the commit it records", () => {
  const repo = makeHistoryRepo();
  try {
    const file = historyPath("fixtures", repo.root)!;
    assert.equal(file, join(repo.root, "fixtures", "history.jsonl"));
    assert.match(
      recordHistory(historyRows(1), { path: file, root: repo.root, codeVersion: "a" }),
      /recorded 6/,
    );
    gitIn(repo.root, ["add", file]);
    gitIn(repo.root, ["commit", "-q", "-m", "history"]);
    assert.match(
      recordHistory(historyRows(1), { path: file, root: repo.root, codeVersion: "a" }),
      /recorded 6/,
    );
    // Now modified but unstaged: still recordable, and the next commit adds its own lines.
    assert.match(
      recordHistory(historyRows(2), { path: file, root: repo.root, codeVersion: "a" }),
      /recorded 6 jobs .* \(12 records\)/,
    );
    assert.equal(historyPath("off", repo.root), undefined);
  } finally {
    Deno.removeSync(repo.root, { recursive: true });
  }
});

Deno.test("a history line that is not a record is reported with its line number", () => {
  const tmp = Deno.makeTempDirSync();
  try {
    const f = join(tmp, "h.jsonl");
    writeFileSync(
      f,
      `{"commit":"a","date":"2026-01-01T00:00:00Z","job":"j","model":"m","figures":{}}\n{oops\n`,
    );
    assert.throws(() => readHistory(f), /Cannot read history .*h\.jsonl:2:/);
    writeFileSync(f, `{"commit":"a"}\n`);
    assert.throws(() => readHistory(f), /h\.jsonl:1: not a history record/);
  } finally {
    Deno.removeSync(tmp, { recursive: true });
  }
});

Deno.test("history over three commits is drawn per model with the baseline updates marked", async () => {
  const repo = makeHistoryRepo();
  try {
    const records = readHistory(repo.file);
    const changes = baselineChanges(repo.root);
    assert.deepEqual(changes.map((c) => c.commit), [repo.commits[0], repo.commits[2]]);
    const positions = new Map(repositoryCommits(repo.root).map((c, i) => [c.commit, i]));
    const commits = historyCommits(records, { changes, positions });
    // Commit 3 changed the baselines but has no records: its change marks commit 4.
    assert.deepEqual(
      commits.map((c) => [c.commit, c.baselineChanges.map((b) => b.commit)]),
      [
        [repo.commits[0], [repo.commits[0]]],
        [repo.commits[1], []],
        [repo.commits[3], [repo.commits[2]]],
      ],
    );
    const short = (i: number) => repo.commits[i]!.slice(0, 8);
    for (const model of ["mbv2-w0.35-r64", "mcunet-10fps"]) {
      const svg = await renderSvg(historySpec(model, records, commits).spec);
      for (const i of repo.recorded) {
        assert.ok(svg.includes(`>${short(i)}</text>`), `${model} ${i}`);
      }
      assert.ok(svg.includes(`baselines ${short(2)}`), "the update of commit 3 is marked");
      for (const title of ["peak SRAM B", "Flash B", "instructions"]) {
        assert.ok(svg.includes(title), `${model}: ${title}`);
      }
      // One point per record and metric: 3 commits x jobs x 3 metrics.
      const jobs = new Set(records.filter((r) => r.model === model).map((r) => r.job)).size;
      const symbols = svg.split('aria-roledescription="point"').length - 1;
      assert.equal(symbols, 3 * jobs * 3, `${model}: points`);
    }
    const html = await renderHistoryPage(records, { source: repo.file, changes, positions });
    assert.match(html, /18 records of 2 models over 3 commits/);
    assert.equal(
      html,
      await renderHistoryPage([...records].reverse(), { source: repo.file, changes, positions }),
    );
  } finally {
    Deno.removeSync(repo.root, { recursive: true });
  }
});

Deno.test("a history file held by another run is waited for, and a lock left by a killed run is removed", () => {
  const tmp = Deno.makeTempDirSync();
  try {
    const f = join(tmp, "h.jsonl");
    const record = {
      commit: "a".repeat(40),
      date: "2026-01-01T00:00:00Z",
      job: "m|tflm|b",
      model: "m",
      engine: "tflm",
      board: "b",
      codeVersion: "v",
      figures: { instructions: 1 },
    };
    writeFileSync(`${f}.lock`, "");
    assert.throws(
      () => appendHistory(f, [record], { lockTimeoutMs: 200 }),
      /Cannot write history .*h\.jsonl\.lock is held by another run/,
    );
    const old = new Date(Date.now() - 120_000);
    Deno.utimeSync(`${f}.lock`, old, old);
    assert.equal(appendHistory(f, [record], { lockTimeoutMs: 200 }), 1);
    assert.equal(readHistory(f).length, 1);
    assert.throws(() => Deno.statSync(`${f}.lock`), Deno.errors.NotFound);
  } finally {
    Deno.removeSync(tmp, { recursive: true });
  }
});
