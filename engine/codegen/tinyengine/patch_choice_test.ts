import assert from "node:assert/strict";
import { buildModel } from "../../builders/mod.ts";
import { getBoard } from "../../target/mod.ts";
import { compileTinyEngine } from "./compile.ts";
import { choosePatchSpec, patchCandidatesWithin } from "./patch_choice.ts";

const graph = buildModel("mbv2-w0.35-r96");
const board = getBoard("stm32f746");

Deno.test("patches auto picks a smaller arena than layer by layer within the MAC bound", () => {
  const layerwise = compileTinyEngine(graph, { board });
  const auto = compileTinyEngine(graph, {
    board,
    patches: "auto",
    patchAuto: { maxMacOverhead: 0.05 },
  });
  const p = auto.plan.patches!;
  assert.ok(p.split, "no patch plan chosen");
  assert.ok(p.macOverhead <= 0.05);
  // The layer-by-layer arena it beat is the plain compile's (before the arena's slack).
  assert.ok(p.layerwiseArenaBytes! <= layerwise.plan.arenaBytes);
  assert.ok(auto.plan.arenaBytes < layerwise.plan.arenaBytes);
});

Deno.test("patches auto keeps layer by layer when no candidate is smaller", () => {
  const { spec, summary } = choosePatchSpec(graph, (s) => (s ? 2000 : 1000));
  assert.equal(spec, undefined);
  assert.equal(summary.split, undefined);
  assert.ok((summary.compiled ?? 0) > 0);
});

Deno.test("patch candidates respect the MAC-overhead bound", () => {
  const all = patchCandidatesWithin(graph, 1);
  const tight = patchCandidatesWithin(graph, 0.01);
  assert.ok(tight.length < all.length);
  assert.ok(tight.every((c) => c.macOverhead <= 0.01));
});
