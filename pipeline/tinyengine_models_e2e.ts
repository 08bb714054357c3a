import assert from "node:assert/strict";
import { getBoard } from "../engine/target/mod.ts";
import { buildModel } from "../engine/builders/mod.ts";
import type { Graph } from "../engine/ir/mod.ts";
import { runModel } from "./run.ts";
import { loadModelFile } from "../engine/tflite/mod.ts";
import { sharedModels } from "../engine/util/mod.ts";

const CACHE = ".cache/firmware";

async function compare(g: Graph, name: string, board: string) {
  const b = getBoard(board);
  const te = await runModel(g, { engine: "tinyengine", board: b, cacheDir: CACHE });
  assert.ok(te.referenceMatch, `${name} on ${board}: tinyengine output differs from the reference`);
  const tflm = await runModel(g, { engine: "tflm", board: b, cacheDir: CACHE });
  assert.ok(tflm.referenceMatch, `${name} on ${board}: tflm output differs from the reference`);
  const what = `${name} on ${board}`;
  assert.ok(
    te.peakSramBytes < tflm.peakSramBytes,
    `${what}: peak SRAM ${te.peakSramBytes} >= tflm ${tflm.peakSramBytes}`,
  );
  assert.ok(
    te.flashBytes < tflm.flashBytes,
    `${what}: Flash ${te.flashBytes} >= tflm ${tflm.flashBytes}`,
  );
  assert.ok(
    te.instructions < tflm.instructions,
    `${what}: ${te.instructions} instructions >= tflm ${tflm.instructions}`,
  );
}

for (const board of ["stm32f746", "stm32f412"]) {
  const paths = sharedModels();
  Deno.test({
    name: `every shared model is bit-exact and smaller and faster than tflm on ${board}`,
    ignore: paths.length === 0,
    fn: async () => {
      for (const path of paths) {
        await compare(await loadModelFile(path), path.split("/").pop()!, board);
      }
    },
  });
}

Deno.test("MobileNetV2 w0.35 r144 is bit-exact and smaller and faster than tflm on stm32f746", async () => {
  await compare(buildModel("mbv2-w0.35-r144"), "mbv2-w0.35-r144", "stm32f746");
});
