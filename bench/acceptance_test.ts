import assert from "node:assert/strict";
import { acceptanceRows, acceptanceSection } from "./acceptance.ts";
import { fakeRow } from "./_test_fixtures.ts";
import type { BenchRow } from "./types.ts";

/** A tinyengine/tflm pair: plan 40,000 B (bound 40,000 B), peaks 46,000 / 96,000 B. */
function pair(model: string, te: Partial<BenchRow> = {}, plan: object = {}): BenchRow[] {
  const base = fakeRow(model, "tinyengine", "stm32f746");
  const report = { ...base.report!, ...(te.report ?? {}) };
  return [
    {
      ...base,
      livenessLowerBoundBytes: 40_000,
      ...te,
      report: { ...report, plan: { ...report.plan, ...plan } },
    },
    fakeRow(model, "tflm", "stm32f746"),
  ];
}

Deno.test("acceptance: te above tflm, a plan above the bound and a slow QUANTIZE fail; scratch is an exception", () => {
  const layers = [{ index: 0, op: "QUANTIZE", macs: 0, instructions: 3_900 }];
  const rows = [
    ...pair("good"),
    ...pair("loses", {
      report: { ...fakeRow("x", "tinyengine", "b").report!, peakSramBytes: 96_001 },
    }),
    ...pair("over", { livenessLowerBoundBytes: 30_000 }),
    ...pair("scratch", { livenessLowerBoundBytes: 30_000 }, { kernelBoundBytes: 39_000 }),
    ...pair("slow", {
      report: { ...fakeRow("x", "tinyengine", "b").report!, layers },
      floatBoundary: [{ op: "QUANTIZE", elements: 300 }],
    }),
  ];
  const judged = new Map(acceptanceRows(rows).map((j) => [j.model, j]));
  assert.deepEqual(judged.get("good")!.failures, []);
  assert.match(judged.get("loses")!.failures.join(), /tinyengine peak SRAM 96001 B > tflm 96000 B/);
  assert.match(judged.get("over")!.failures.join(), /1\.333x the layer-wise bound 30000 B/);
  assert.deepEqual(judged.get("scratch")!.failures, []);
  assert.match(judged.get("scratch")!.exceptions.join(), /kernel scratch and alignment/);
  assert.match(
    judged.get("slow")!.failures.join(),
    /tinyengine QUANTIZE 13\.0 instructions per element/,
  );
  const section = acceptanceSection(rows);
  assert.match(section.text[0]!, /^2 of 5 model\/board pairs pass/);
  assert.ok(section.table!.rows.some((r) => r.includes("QUANTIZE 3,900 (13.0)")));
});
