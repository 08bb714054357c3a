/**
 * runModel end to end: every shared model
 * compiled with the tflm engine, built, emulated on a Cortex-M7 board and compared with the
 * reference interpreter bit for bit (both boards and both engines: `tinyengine_models_e2e.ts`).
 */
import assert from "node:assert/strict";
import { getBoard } from "../engine/target/mod.ts";
import type { Graph } from "../engine/ir/mod.ts";
import { buildModel } from "../engine/builders/mod.ts";
import { defaultInput, fitMessage, runModel } from "./run.ts";
import { loadModelFile } from "../engine/tflite/mod.ts";
import { sharedModels, sharedModelsDir } from "../engine/util/mod.ts";

const MODELS_DIR = sharedModelsDir();
const MODELS = sharedModels();

if (MODELS.length === 0) {
  Deno.test({
    name: `shared models are absent from ${MODELS_DIR} (set MCU_MODELS_DIR): model runs skipped`,
    ignore: true,
    fn() {},
  });
}

for (const board of ["stm32f746"]) {
  for (const path of MODELS) {
    const file = path.split("/").pop()!;
    Deno.test(`runModel with tflm matches the reference on ${file} on ${board}`, async () => {
      const graph: Graph = await loadModelFile(path);
      const r = await runModel(graph, { engine: "tflm", board: getBoard(board) });
      assert.equal(r.referenceMatch, true);
      assert.equal(r.board, board);
      assert.ok(r.instructions > 0 && r.initInstructions > 0);
      assert.equal(r.layers.length, graph.nodes.length);
      assert.equal(r.arenaBytes, r.plan.headBytes + r.plan.tailBytes);
      assert.ok(r.peakSramBytes >= r.arenaBytes, "the arena is part of the measured SRAM");
      assert.ok(r.flashModelBytes > 0 && r.flashModelBytes < r.flashBytes);
      assert.equal(r.flashModelBytes + r.flashCodeBytes, r.flashBytes);
      assert.equal(r.fits, true);
    });
  }
}

Deno.test("runModel is deterministic: same model, same firmware and counts", async () => {
  const graph = buildModel("mbv1-w0.25-r32-c4");
  const board = getBoard("stm32f746");
  const cacheDir = await Deno.makeTempDir({ prefix: "mcu-run-test-" });
  try {
    const a = await runModel(graph, { engine: "tflm", board, cacheDir });
    const b = await runModel(graph, { engine: "tflm", board });
    const c = await runModel(graph, { engine: "tflm", board, cacheDir });
    assert.equal(a.firmwareSha256, b.firmwareSha256);
    assert.equal(c.firmwareSha256, b.firmwareSha256);
    assert.equal(a.instructions, b.instructions);
    assert.deepEqual(a.output, b.output);
    assert.equal(a.referenceMatch, true);
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
  assert.deepEqual(defaultInput(graph, 1), defaultInput(graph, 1));
});

Deno.test("runModel measures a model that does not fit on an enlarged map and says so", async () => {
  const graph = buildModel("mbv2-w0.35-r144");
  const board = getBoard("stm32f412");
  const r = await runModel(graph, { engine: "tflm", board });
  assert.equal(r.fits, false);
  assert.equal(r.fitsSram, false);
  assert.equal(r.referenceMatch, true);
  assert.match(r.message ?? "", /^does not fit: needs \d+ bytes of SRAM, board has 262144/);
  assert.equal(r.measuredOn, "stm32f412+enlarged");
  assert.equal(fitMessage({ peakSramBytes: 1, flashBytes: 1 }, board), undefined);
});

Deno.test("runModel rejects an input of the wrong size with a RangeError", async () => {
  const graph = buildModel("mbv1-w0.25-r32-c4");
  await assert.rejects(
    runModel(graph, { engine: "tflm", board: getBoard("stm32f746"), input: new Uint8Array(3) }),
    RangeError,
  );
});
