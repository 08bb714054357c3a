/**
 * The operators of issue #12 item 5 in random chains, bit-exact against the reference on both
 * engines and both boards (tinyengine through the harness, tflm through one firmware per chain).
 * A slow sweep run by `deno task test:e2e` (CI runs it); the default kernel tests draw the same
 * operators in `tinyengine_kernels_test.ts`, and each reference kernel has its own test.
 */
import assert from "node:assert/strict";
import { getBoard } from "../engine/target/mod.ts";
import { buildFirmware } from "../engine/build/mod.ts";
import { compileTflm } from "../engine/codegen/mod.ts";
import { runFirmware } from "../emulator/mod.ts";
import { graphInputBytes, referenceOutput, runTinyEngine, seededInput } from "./harness.ts";
import { randomChainGraph, type RandomOp } from "./random_graph.ts";

const CACHE = ".cache/firmware";

/**
 * Odd seeds: chains drawing from `ops` (8 layers, with a pointwise convolution that spreads
 * values); even seeds: one of `ops` alone on the random input (every output value is its own).
 */
async function checkChains(board: string, seeds: readonly number[], ops: readonly RandomOp[]) {
  for (const seed of seeds) {
    const alone = seed % 2 === 0;
    const g = randomChainGraph(seed, {
      layers: alone ? 1 : 8,
      ops: alone ? [ops[(seed >> 1) % ops.length]!] : [...ops, "pointwise"],
    });
    const what = `seed ${seed} on ${board} (${g.nodes.map((n) => n.op).join(",")})`;
    const te = await runTinyEngine(g, getBoard(board), { cacheDir: CACHE });
    assert.ok(te.match, `tinyengine: ${what} differs from the reference`);
    const compiled = compileTflm(g);
    const image = await buildFirmware(compiled.sources, {
      board: getBoard(board),
      cacheDir: CACHE,
    });
    const input = graphInputBytes(g, seededInput(g, 1));
    const run = runFirmware(image, { inputs: { mcu_input: input }, outputs: ["mcu_output"] });
    assert.equal(run.exitStatus, 0, `tflm: ${what}: the runtime reported an error status`);
    assert.deepEqual(run.outputs["mcu_output"], referenceOutput(g, input), `tflm: ${what}`);
  }
}

for (const board of ["stm32f746", "stm32f412"]) {
  Deno.test(`LOG_SOFTMAX chains are bit-exact on both engines on ${board}`, async () => {
    await checkChains(board, [7000, 7001, 7002, 7003], ["logsoftmax", "depthwise"]);
  });
}

for (const board of ["stm32f746", "stm32f412"]) {
  Deno.test(`SPLIT, SPLIT_V, UNPACK and PACK chains (several outputs per node) are bit-exact on both engines on ${board}`, async () => {
    await checkChains(board, [7101, 7103, 7105, 7107], ["split", "unpack", "depthwise"]);
  });
}

for (const board of ["stm32f746", "stm32f412"]) {
  Deno.test(`RSQRT, SQUARED_DIFFERENCE and PRELU chains are bit-exact on both engines on ${board}`, async () => {
    await checkChains(board, [7200, 7201, 7202, 7203, 7204, 7205], [
      "rsqrt",
      "sqdiff",
      "prelu",
      "depthwise",
    ]);
  });
}

for (const board of ["stm32f746", "stm32f412"]) {
  Deno.test(`ARG_MAX chains (int32 and int64 indices, last layer) are bit-exact on both engines on ${board}`, async () => {
    await checkChains(board, [7300, 7308, 7309, 7321], ["argmax", "depthwise"]);
  });
}

for (const board of ["stm32f746", "stm32f412"]) {
  Deno.test(`BATCH_MATMUL chains (constant, broadcast and computed rhs, adj_x, adj_y) are bit-exact on both engines on ${board}`, async () => {
    await checkChains(board, [7400, 7401, 7402, 7403, 7404, 7405], ["batchmatmul", "depthwise"]);
  });
}

for (const board of ["stm32f746", "stm32f412"]) {
  Deno.test(`GELU chains (exact and approximate tables) are bit-exact on both engines on ${board}`, async () => {
    await checkChains(board, [7500, 7501, 7502, 7503], ["gelu", "depthwise"]);
  });
}
