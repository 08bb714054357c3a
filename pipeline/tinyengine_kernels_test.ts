import assert from "node:assert/strict";
import { getBoard } from "../engine/target/mod.ts";
import { runTinyEngine } from "./harness.ts";
import { DEFAULT_PASSES } from "../engine/schedule/mod.ts";
import { RANDOM_OPS, randomChainGraph, type RandomOp } from "./random_graph.ts";

const CACHE = ".cache/firmware";

async function checkSeeds(
  board: string,
  seeds: readonly number[],
  ops?: readonly RandomOp[],
  streamed = false,
): Promise<string[]> {
  const sources: string[] = [];
  for (const seed of seeds) {
    const g = randomChainGraph(seed, { layers: 8, ...(ops ? { ops } : {}) });
    const r = await runTinyEngine(g, getBoard(board), {
      cacheDir: CACHE,
      ...(streamed ? { compile: { passes: DEFAULT_PASSES } } : {}),
    });
    sources.push(String(r.compiled.sources.files["model.c"] ?? ""));
    assert.ok(
      r.match,
      `seed ${seed} on ${board} (${g.nodes.map((n) => n.op).join(",")}) differs from the reference`,
    );
  }
  return sources;
}

for (const board of ["stm32f746", "stm32f412"]) {
  Deno.test(`random chains of every operator are bit-exact on ${board}`, async () => {
    await checkSeeds(board, Array.from({ length: 16 }, (_, i) => 1000 + i));
  });
  Deno.test(`RELU, LEAKY_RELU, TANH, SUB, MAXIMUM and MINIMUM chains are bit-exact on ${board}`, async () => {
    await checkSeeds(
      board,
      Array.from({ length: 8 }, (_, i) => 4000 + i),
      ["relu", "leakyrelu", "tanh", "sub", "maxmin", "pointwise"],
    );
  });
  Deno.test(`STRIDED_SLICE and RESIZE_NEAREST_NEIGHBOR chains are bit-exact on ${board}`, async () => {
    await checkSeeds(
      board,
      Array.from({ length: 8 }, (_, i) => 5000 + i),
      ["stridedslice", "resize", "pointwise", "depthwise"],
    );
  });
  Deno.test(`convolution and depthwise variants are bit-exact on ${board}`, async () => {
    await checkSeeds(
      board,
      Array.from({ length: 12 }, (_, i) => 2000 + i),
      ["conv", "pointwise", "depthwise", "padconv", "fc"],
    );
  });
  Deno.test(`streamed expansions and shift-0/+1 depthwise channels are bit-exact on ${board}`, async () => {
    const sources = await checkSeeds(
      board,
      Array.from({ length: 6 }, (_, i) => 3000 + i),
      ["pointwise", "depthwise"],
      true,
    );
    // Both depthwise kernels take their te_rqz (shift 0 / +1) branch in some seed.
    const rqz = (family: string) =>
      new RegExp(`/\\* te_${family}\\d+: [^*]*shift\\s+0\\s+or\\s+\\+1`);
    assert.ok(sources.some((c) => rqz("xdw").test(c)), "no streamed te_rqz kernel");
    assert.ok(sources.some((c) => rqz("dw").test(c)), "no depthwise te_rqz kernel");
  });
}

Deno.test("every random operator kind is drawn by the kernel tests", () => {
  const seen = new Set<string>();
  for (let s = 1000; s < 1012; s++) {
    for (const n of randomChainGraph(s, { layers: 8 }).nodes) seen.add(n.op);
  }
  assert.ok(seen.size >= 10, `only ${[...seen].join(", ")} drawn`);
  assert.ok(RANDOM_OPS.length >= 25);
});

Deno.test("the new-operator chains draw every RELU kind, LEAKY_RELU, TANH, SUB, MAXIMUM, MINIMUM", () => {
  const seen = new Set<string>();
  for (let s = 4000; s < 4008; s++) {
    const ops = ["relu", "leakyrelu", "tanh", "sub", "maxmin", "pointwise"] as const;
    for (const n of randomChainGraph(s, { layers: 8, ops }).nodes) seen.add(n.op);
  }
  for (
    const op of ["RELU", "RELU6", "RELU_N1_TO_1", "LEAKY_RELU", "TANH", "SUB", "MAXIMUM", "MINIMUM"]
  ) {
    assert.ok(seen.has(op), `${op} is not drawn (drawn: ${[...seen].join(", ")})`);
  }
  const options = new Set<string>();
  for (let s = 5000; s < 5008; s++) {
    const ops = ["stridedslice", "resize", "pointwise", "depthwise"] as const;
    for (const n of randomChainGraph(s, { layers: 8, ops }).nodes) {
      if (n.op === "STRIDED_SLICE") {
        if (n.options.shrinkAxisMask) options.add("shrink");
        if (n.options.offset) options.add("offset");
      }
      if (n.op === "RESIZE_NEAREST_NEIGHBOR") {
        options.add(`align ${n.options.alignCorners} half ${n.options.halfPixelCenters}`);
      }
    }
  }
  assert.equal(options.size, 6, `drawn: ${[...options].join(", ")}`);
});
