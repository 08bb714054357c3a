import assert from "node:assert/strict";
import { fuzzGraph } from "./fuzz_cases.ts";
import { mixedChain, SCALE_MIX_SEEDS as SEEDS, scaleMixFailures } from "./_scale_mix_cases.ts";

// Seeds 7000 and 7009 differed by 1 LSB on tflm before its fast requantization learned the
// multiplier's sign (a negative per-channel weight scale): they run on firmware here, the whole
// sweep in scale_mix_e2e.ts (`deno task test:e2e`).
const REGRESSION_SEEDS = [7000, 7009];

Deno.test("mixed scales: every per-channel operator gets negative, tiny and mixed-sign scales", () => {
  const seen = new Map<string, Set<string>>();
  for (const seed of SEEDS) {
    const g = mixedChain(seed);
    for (const n of g.nodes) {
      const q = g.tensors[n.inputs[1] ?? -1]?.quant;
      if (!q || !["CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"].includes(n.op)) continue;
      const kinds = seen.get(n.op) ?? new Set<string>();
      if (q.scale.some((s) => s < 0)) kinds.add("negative");
      if (q.scale.some((s) => Math.abs(s) < 1e-6)) kinds.add("tiny");
      if (q.scale.some((s) => s < 0) && q.scale.some((s) => s > 0)) kinds.add("mixed");
      seen.set(n.op, kinds);
    }
  }
  for (const op of ["CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"]) {
    assert.deepEqual([...(seen.get(op) ?? [])].sort(), ["mixed", "negative", "tiny"], op);
  }
});

Deno.test("mixed scales: the fuzz task draws them too", () => {
  // Cases cycle through four kinds: builders, builders with mixed scales, mixed chains, recurrent.
  const names = Array.from({ length: 8 }, (_, i) => fuzzGraph(1, i).name);
  assert.equal(names.filter((n) => n.endsWith("-mixed")).length, 4, names.join(", "));
  assert.equal(names.filter((n) => /-(lstm|svdf)$/.test(n)).length, 2, names.join(", "));
  const g = fuzzGraph(1, 1);
  assert.ok(g.tensors.some((t) => t.quant && t.quant.scale.some((s) => s < 0)));
});

for (const board of ["stm32f746", "stm32f412"]) {
  Deno.test(`negative, tiny and mixed-sign weight scales are bit-exact on both engines on ${board}`, async () => {
    assert.deepEqual(await scaleMixFailures(board, REGRESSION_SEEDS), []);
  });
}
