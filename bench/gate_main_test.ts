import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fakeExecutor } from "./_test_fixtures.ts";
import { makeHistoryRepo } from "./_test_history.ts";
import { gate, type GateFlags } from "./gate_main.ts";
import { readHistory } from "./history.ts";

Deno.test("gate() passes on fresh baselines and fails naming the regression after a baseline is perturbed", async () => {
  const tmp = Deno.makeTempDirSync();
  try {
    const flags: GateFlags = {
      suite: "gate",
      baselines: join(tmp, "baselines"),
      tolerance: [],
      jobs: "1",
      cache: true,
      quiet: true,
    };
    const lines: string[] = [];
    const options = {
      executor: fakeExecutor(),
      cacheDir: join(tmp, "cache"),
      codeVersion: "test",
      log: (l: string) => lines.push(l),
    };
    assert.equal(await gate({ ...flags, update: true }, options), 0);
    assert.match(lines.at(-1) ?? "", /^gate: updated \d+ baseline files/);
    lines.length = 0;
    assert.equal(await gate(flags, options), 0);
    assert.match(lines.at(-1) ?? "", /^gate: pass: \d+ jobs, 0 regressions, 0 improvements/);

    // Perturb one figure of the temp copy: the baseline now claims 10 fewer Flash bytes.
    const path = join(flags.baselines, "mcunet-10fps.json");
    const doc = JSON.parse(readFileSync(path, "utf8"));
    const old = doc.entries["tflm|stm32f412"].flashBytes;
    doc.entries["tflm|stm32f412"].flashBytes = old - 10;
    writeFileSync(path, JSON.stringify(doc));
    lines.length = 0;
    assert.equal(await gate(flags, options), 1);
    const fmt = (n: number) => n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    assert.ok(
      lines.includes(
        `REGRESSION mcunet-10fps tflm stm32f412 flashBytes: ${fmt(old - 10)} -> ${
          fmt(old)
        } (ratio ${(old / (old - 10)).toFixed(4)})`,
      ),
      lines.join("\n"),
    );
    assert.match(lines.at(-1) ?? "", /^gate: FAIL: \d+ jobs, 1 regressions/);
    // An explicit tolerance admits the intentional change.
    lines.length = 0;
    assert.equal(await gate({ ...flags, tolerance: ["flashBytes=0.01"] }, options), 0);
  } finally {
    Deno.removeSync(tmp, { recursive: true });
  }
});

Deno.test("gate() on a commit records every job's figures in the history file it is given", async () => {
  const repo = makeHistoryRepo();
  const tmp = Deno.makeTempDirSync();
  try {
    const file = join(tmp, "gate-history.jsonl");
    const lines: string[] = [];
    const flags: GateFlags = {
      suite: "gate",
      baselines: join(tmp, "baselines"),
      tolerance: [],
      jobs: "1",
      cache: false,
      quiet: true,
      update: true,
      historyFile: file,
    };
    await gate(flags, {
      executor: fakeExecutor(),
      cacheDir: join(tmp, "cache"),
      codeVersion: "test",
      repoRoot: repo.root,
      log: (l: string) => lines.push(l),
    });
    const records = readHistory(file);
    assert.ok(records.length >= 6, lines.join("\n"));
    assert.ok(
      lines.includes(
        `history: recorded ${records.length} jobs at ${repo.commits[3]!.slice(0, 10)} in ${file} ` +
          `(${records.length} records)`,
      ),
      lines.join("\n"),
    );
    assert.ok(records.every((r) => r.commit === repo.commits[3] && r.codeVersion === "test"));
  } finally {
    Deno.removeSync(tmp, { recursive: true });
    Deno.removeSync(repo.root, { recursive: true });
  }
});
