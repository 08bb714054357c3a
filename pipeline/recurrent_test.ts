/**
 * The recurrent operators end to end: the TFLM MNIST LSTM from `../shared/models` and LSTM and
 * SVDF models from the project's writer (random shapes and quantization, written to `.tflite`
 * and read back) run bit-exact with the reference on both engines, on a Cortex-M7 and a
 * Cortex-M4 board.
 */
import assert from "node:assert/strict";
import { getBoard } from "../engine/target/mod.ts";
import { lstmModel, svdfModel } from "../engine/builders/mod.ts";
import { readTflite, writeTflite } from "../engine/tflite/mod.ts";
import { sharedModelsDir } from "../engine/util/mod.ts";
import { testWithModels } from "../engine/util/_test_shared.ts";
import type { Graph } from "../engine/ir/mod.ts";
import { runModel } from "./run.ts";

const BOARDS = ["stm32f746", "stm32f412"] as const;
const ENGINES = ["tinyengine", "tflm"] as const;

async function bitExact(g: Graph, board: string): Promise<void> {
  for (const engine of ENGINES) {
    const r = await runModel(g, { engine, board: getBoard(board), cacheDir: ".cache/firmware" });
    assert.ok(r.referenceMatch, `${g.name} on ${engine}/${board} differs from the reference`);
  }
}

for (const board of BOARDS) {
  testWithModels(`the TFLM MNIST LSTM is bit-exact on both engines on ${board}`, async () => {
    const g = readTflite(
      Deno.readFileSync(`${sharedModelsDir()}/tflm_mnist_lstm_int8.tflite`),
    );
    assert.equal(g.nodes[0]?.op, "UNIDIRECTIONAL_SEQUENCE_LSTM");
    await bitExact(g, board);
  });

  Deno.test(`LSTM and SVDF models from the writer are bit-exact on both engines on ${board}`, async () => {
    // Per board one LSTM and one SVDF; together they cover time-major and batch-major, batch 2,
    // cell clip, SVDF rank 2 and an SVDF without bias (the fuzz task runs many more).
    const [lstmSeed, svdfSeed] = board === "stm32f746" ? [2, 2] : [4, 6];
    const lstm = readTflite(writeTflite(lstmModel({ seed: lstmSeed })));
    assert.ok(lstm.tensors.some((t) => t.variable), "the state tensors read back as variable");
    await bitExact(lstm, board);
    await bitExact(readTflite(writeTflite(svdfModel({ seed: svdfSeed }))), board);
  });
}
