import assert from "node:assert/strict";
import { getBoard } from "../../boards.ts";
import { runTinyEngine } from "./harness.ts";
import { RANDOM_OPS, randomChainGraph, type RandomOp } from "./random_graph.ts";

const CACHE = ".cache/firmware";

async function checkSeeds(board: string, seeds: readonly number[], ops?: readonly RandomOp[]) {
  for (const seed of seeds) {
    const g = randomChainGraph(seed, { layers: 8, ...(ops ? { ops } : {}) });
    const r = await runTinyEngine(g, getBoard(board), { cacheDir: CACHE });
    assert.ok(
      r.match,
      `seed ${seed} on ${board} (${g.nodes.map((n) => n.op).join(",")}) differs from the reference`,
    );
  }
}

for (const board of ["stm32f746", "stm32f412"]) {
  Deno.test(`random chains of every operator are bit-exact on ${board}`, async () => {
    await checkSeeds(board, Array.from({ length: 16 }, (_, i) => 1000 + i));
  });
  Deno.test(`convolution and depthwise variants are bit-exact on ${board}`, async () => {
    await checkSeeds(
      board,
      Array.from({ length: 12 }, (_, i) => 2000 + i),
      ["conv", "pointwise", "depthwise", "padconv", "fc"],
    );
  });
}

Deno.test("every random operator kind is drawn by the kernel tests", () => {
  const seen = new Set<string>();
  for (let s = 1000; s < 1012; s++) {
    for (const n of randomChainGraph(s, { layers: 8 }).nodes) seen.add(n.op);
  }
  assert.ok(seen.size >= 10, `only ${[...seen].join(", ")} drawn`);
  assert.ok(RANDOM_OPS.length >= 17);
});
