/**
 * Patch-based execution forced on in tinyengine (the stage unrolled per patch): the firmware's
 * output equals the layer-wise reference of the original graph, in Unicorn.
 */
import assert from "node:assert/strict";
import { buildModel } from "../engine/builders/mod.ts";
import { compileTinyEngine } from "../engine/codegen/mod.ts";
import { estimatePatchPlan } from "../engine/analysis/mod.ts";
import { getBoard } from "../engine/target/mod.ts";
import { runModel } from "./run.ts";

const graph = buildModel("mbv2-w0.35-r48");
// Split after the first stride-2 block's projection (the first stage of MCUNetV2's plans).
const split = graph.tensors.findIndex((t) => t.name === "block1/project");
const board = getBoard("stm32f746");

Deno.test("tinyengine with a forced 2x3 patch stage is bit-exact in the emulator", async () => {
  assert.ok(split >= 0);
  estimatePatchPlan(graph, split, 2, 3); // a valid split (throws otherwise)
  const compiled = compileTinyEngine(graph, { board, patches: { split, rows: 2, cols: 3 } });
  const r = await runModel(graph, { engine: "tinyengine", board, compiled });
  assert.ok(r.referenceMatch, "patch-wise firmware differs from the layer-wise reference");
  // The option took effect: the stage is unrolled per patch (plus crops and joins).
  const layerwise = compileTinyEngine(graph, { board });
  assert.ok(compiled.layers.length > layerwise.layers.length);
});

Deno.test("tinyengine runs row-band patches in place on the input and the split, bit-exact", async () => {
  const compiled = compileTinyEngine(graph, { board, patches: { split, rows: 4, cols: 1 } });
  // Bands read their rows of the resident input and write their rows of the split in place.
  assert.ok(!compiled.layers.some((l) => l.op === "STRIDED_SLICE" || l.op === "CONCATENATION"));
  const r = await runModel(graph, { engine: "tinyengine", board, compiled });
  assert.ok(r.referenceMatch, "row-band firmware differs from the layer-wise reference");
});
