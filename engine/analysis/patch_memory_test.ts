/** Patch-plan estimates: a hand-checked small graph, and the three models issue #15 names. */
import assert from "node:assert/strict";
import { buildModel } from "../builders/mod.ts";
import { choosePatchPlan, estimatePatchPlan, patchCandidates } from "./patch_memory.ts";
import { layerwiseBounds } from "./liveness.ts";
import { stridedGraph } from "../ops/_test_window_graphs.ts";

const strided = stridedGraph();

Deno.test("patch estimate: hand-checked memory and recomputed MACs of a 2x2 grid", () => {
  const e = estimatePatchPlan(strided, 4, 2, 2);
  // Each patch of b needs a 3x3x2 region of a (one halo row and column).
  assert.strictEqual(e.patchBytes, 18);
  assert.strictEqual(e.inputBytes, 64);
  assert.strictEqual(e.splitBytes, 32);
  assert.strictEqual(e.stagePeak, 64 + 32 + 18);
  assert.strictEqual(e.peakWithoutInput, 32 + 18);
  // conv: 18 MACs per output pixel over 4 patches x 9 pixels; depthwise: 18 x 16 pixels.
  assert.strictEqual(e.stageMacs, 16 * 18 + 16 * 18);
  assert.strictEqual(e.patchMacs, 36 * 18 + 16 * 18);
  assert.strictEqual(e.macOverhead, (36 - 16) * 18 / 576);
});

Deno.test("patch estimate: the three models of issue #15 get a plan below their layer-wise bound", () => {
  for (const name of ["mbv2-w1.0-r224", "mcunet-320kb", "mbv2-w0.35-r144"]) {
    const g = buildModel(name);
    const candidates = patchCandidates(g);
    assert.ok(candidates.length > 50, `${name}: ${candidates.length} candidates`);
    const { layerwise, best } = choosePatchPlan(g, 0.1, candidates);
    assert.strictEqual(layerwise, layerwiseBounds(g).inPlace.bytes);
    assert.ok(best && best.peak < layerwise && best.macOverhead <= 0.1, name);
    // Finer grids never need larger patch buffers at the same split.
    const atSplit = candidates.filter((c) => c.split === best.split);
    for (let i = 1; i < atSplit.length; i++) {
      assert.ok(atSplit[i]!.patchBytes <= atSplit[i - 1]!.patchBytes, `${name} grid ${i}`);
    }
  }
});
