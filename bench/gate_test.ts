import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fakeRow } from "./_test_fixtures.ts";
import {
  compareWithBaselines,
  formatFinding,
  gateFails,
  parseTolerances,
  readBaselines,
  updateBaselines,
} from "./gate.ts";
import type { BenchRow } from "./types.ts";

function withReport(row: BenchRow, patch: Record<string, unknown>): BenchRow {
  return { ...row, report: { ...row.report!, ...patch } };
}

const tempDirs: string[] = [];

function baselinesOf(rows: readonly BenchRow[]) {
  const dir = Deno.makeTempDirSync();
  tempDirs.push(dir);
  updateBaselines(rows, dir);
  return { dir, baselines: readBaselines(dir) };
}

globalThis.addEventListener("unload", () => {
  for (const d of tempDirs) Deno.removeSync(d, { recursive: true });
});

Deno.test("compareWithBaselines() finds nothing when every figure is unchanged", () => {
  const rows = [fakeRow("m", "tflm", "stm32f746"), fakeRow("m", "tinyengine", "stm32f746")];
  const { baselines } = baselinesOf(rows);
  assert.deepEqual(compareWithBaselines(rows, baselines), []);
});

Deno.test("compareWithBaselines() fails on one more instruction with the default tolerance of 0", () => {
  const old = fakeRow("m", "tflm", "stm32f746");
  const { baselines } = baselinesOf([old]);
  const cur = withReport(old, { instructions: old.report!.instructions + 1 });
  const findings = compareWithBaselines([cur], baselines);
  assert.equal(findings.length, 1);
  assert.equal(findings[0]!.kind, "regression");
  assert.equal(findings[0]!.metric, "instructions");
  assert.equal(gateFails(findings), true);
});

Deno.test("compareWithBaselines() reports an improvement and passes", () => {
  const old = fakeRow("m", "tinyengine", "stm32f412");
  const { baselines } = baselinesOf([old]);
  const cur = withReport(old, { peakSramBytes: old.report!.peakSramBytes - 100 });
  const findings = compareWithBaselines([cur], baselines);
  assert.deepEqual(findings.map((f) => [f.kind, f.metric]), [["improvement", "peakSramBytes"]]);
  assert.equal(gateFails(findings), false);
});

Deno.test("compareWithBaselines() accepts an increase within an explicit tolerance only", () => {
  const old = fakeRow("m", "tflm", "stm32f746");
  const { baselines } = baselinesOf([old]);
  const cur = withReport(old, { flashBytes: Math.round(old.report!.flashBytes * 1.01) });
  const within = compareWithBaselines([cur], baselines, {
    tolerances: parseTolerances(["flashBytes=0.02"]),
  });
  assert.deepEqual(within.map((f) => f.kind), ["within-tolerance"]);
  assert.equal(gateFails(within), false);
  const beyond = compareWithBaselines([cur], baselines, {
    tolerances: parseTolerances(["flashBytes=0.005"]),
  });
  assert.equal(gateFails(beyond), true);
});

Deno.test("compareWithBaselines() fails when bit-exactness is lost or a job errors", () => {
  const a = fakeRow("m", "tflm", "stm32f746");
  const b = fakeRow("m", "tinyengine", "stm32f746");
  const { baselines } = baselinesOf([a, b]);
  const lost = withReport(a, { referenceMatch: false });
  const { report: _r, ...rest } = b;
  const failed: BenchRow = { ...rest, error: "run: EmulationFault: PC 0x08000100" };
  const findings = compareWithBaselines([lost, failed], baselines);
  assert.deepEqual(findings.map((f) => [f.kind, f.metric]), [["regression", "referenceMatch"], [
    "error",
    "run",
  ]]);
  assert.match(
    formatFinding(findings[1]!),
    /ERROR m tinyengine stm32f746 run: run: EmulationFault/,
  );
});

Deno.test("compareWithBaselines() marks a job without a baseline as new, which passes", () => {
  const findings = compareWithBaselines([fakeRow("x", "tflm", "stm32f746")], new Map());
  assert.deepEqual(findings.map((f) => f.kind), ["new"]);
  assert.equal(gateFails(findings), false);
});

Deno.test("a perturbed baseline in a temp copy makes the gate fail with a readable message", () => {
  const rows = [
    fakeRow("mcunet-10fps", "tflm", "stm32f746"),
    fakeRow("mcunet-10fps", "tinyengine", "stm32f412"),
  ];
  const { dir } = baselinesOf(rows);
  const path = join(dir, "mcunet-10fps.json");
  const doc = JSON.parse(readFileSync(path, "utf8"));
  doc.entries["tflm|stm32f746"].instructions -= 1000; // the baseline claims 1000 fewer
  writeFileSync(path, JSON.stringify(doc));
  const findings = compareWithBaselines(rows, readBaselines(dir));
  assert.equal(gateFails(findings), true);
  const lines = findings.map(formatFinding);
  const want = rows[0]!.report!.instructions;
  const fmt = (n: number) => n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  assert.deepEqual(lines, [
    `REGRESSION mcunet-10fps tflm stm32f746 instructions: ${fmt(want - 1000)} -> ${
      fmt(want)
    } (ratio ${(want / (want - 1000)).toFixed(4)})`,
  ]);
});

Deno.test("updateBaselines() keeps entries of jobs that were not re-measured", () => {
  const { dir } = baselinesOf([
    fakeRow("m", "tflm", "stm32f746"),
    fakeRow("m", "tflm", "stm32f412"),
  ]);
  updateBaselines([fakeRow("m", "tflm", "stm32f746", 2)], dir);
  const b = readBaselines(dir).get("m")!;
  assert.deepEqual(Object.keys(b.entries).sort(), ["tflm|stm32f412", "tflm|stm32f746"]);
  assert.equal(b.entries["tflm|stm32f746"]!.macs, 2_000_000);
});

Deno.test("parseTolerances() rejects unknown metrics with the list of known ones", () => {
  assert.throws(
    () => parseTolerances(["latency=0.1"]),
    /Cannot parse tolerance 'latency=0.1'.*instructions/,
  );
});
