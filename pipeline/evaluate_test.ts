import assert from "node:assert/strict";
import { getBoard } from "../engine/target/mod.ts";
import { buildMbconv, mbconvBlocks } from "../engine/builders/mod.ts";
import type { EngineName } from "../engine/codegen/mod.ts";
import { argmax, evaluateOnDevice } from "./evaluate.ts";
import type { Graph } from "../engine/ir/mod.ts";
import { interpret } from "../engine/reference/mod.ts";
import { runModel } from "./run.ts";
import { createRng } from "../engine/util/mod.ts";
import { BudgetExceededError } from "../emulator/mod.ts";
import { buildNativeHelper } from "../emulator/mod.ts";

// Needs arm-none-eabi-gcc, libunicorn and the host cc (ToolchainError naming `deno task setup`).
await buildNativeHelper();

// Firmware shared by the tests of this file (the batch build of each case is reused).
const CACHE = await Deno.makeTempDir({ prefix: "mcu-evaluate-test-" });
globalThis.addEventListener("unload", () => Deno.removeSync(CACHE, { recursive: true }));
const M7 = getBoard("stm32f746");
const M4 = getBoard("stm32f412");

/** A small MCUNet-style network on 28x28 grayscale inputs with 10 classes. */
const GRAPH = buildMbconv({
  resolution: 28,
  inputChannels: 1,
  classes: 10,
  firstConv: { outChannels: 8 },
  blocks: mbconvBlocks("k3e1s1c8 k3e3s2c12 k5e3s2c16 k3e3s1c16"),
}, { name: "eval-28x28", seed: 3 });

function randomInputs(count: number, seed: number): Uint8Array[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, () => Uint8Array.from({ length: 784 }, () => rng.int(256)));
}

const INPUTS = randomInputs(200, 11);
const REFERENCE = INPUTS.map((x) => interpret(GRAPH, [x]).outputs[0]!);

const cases: [EngineName, typeof M7][] = [
  ["tinyengine", M7],
  ["tinyengine", M4],
  ["tflm", M7],
  ["tflm", M4],
];
for (const [engine, board] of cases) {
  Deno.test(`${engine} on ${board.name}: one firmware classifies 200 inputs exactly as the reference`, async () => {
    let device = 0;
    const labels = REFERENCE.map((
      out,
      i,
    ) => (i % 4 === 0 ? (argmax(new Int8Array(out)) + 1) % 10 : argmax(new Int8Array(out))));
    const r = await evaluateOnDevice(GRAPH, INPUTS, {
      engine,
      board,
      labels,
      referenceWorkers: engine === "tflm" ? 2 : 0,
      deviceWorkers: board === M4 ? 2 : 1,
      cacheDir: CACHE,
      onProgress: (done, total, phase) => {
        if (phase === "device") device = done;
        assert.equal(total, 200);
      },
    });
    assert.equal(device, 200);
    assert.equal(r.count, 200);
    assert.equal(r.outputMismatches, 0);
    assert.equal(r.firstMismatch, null);
    assert.equal(r.predictionMismatches, 0);
    const want = REFERENCE.map((out) => argmax(new Int8Array(out)));
    assert.deepEqual(r.referencePredictions, want);
    assert.deepEqual(r.predictions, want);
    // The random network's classes are not all the same (a real check of the argmax).
    assert.ok(new Set(want).size > 1, `${new Set(want).size} classes`);
    // Every 4th label was made wrong: 150 of 200 right.
    assert.equal(r.accuracy, 0.75);
    assert.equal(r.referenceAccuracy, 0.75);
    assert.ok(r.fits && r.measuredOn === board.name);
    assert.ok(r.instructions.min > 100_000 && r.instructions.min <= r.instructions.mean);
    assert.ok(r.instructions.mean <= r.instructions.max);
    assert.equal(r.initInstructions > 0, engine === "tflm");

    // Each inference costs what the single-run firmware measures on the same input.
    const single = await runModel(GRAPH, { engine, board, input: INPUTS[0]! });
    assert.equal(single.referenceMatch, true);
    const one = await evaluateOnDevice(GRAPH, [INPUTS[0]!], { engine, board, cacheDir: CACHE });
    assert.equal(one.instructions.mean, single.instructions);
    assert.equal(one.initInstructions, single.initInstructions);
  });
}

/** A copy of `graph` with one bias value of its last layer changed by `delta`. */
function withBiasChanged(graph: Graph, delta: number): Graph {
  const node = graph.nodes[graph.nodes.length - 1]!;
  const fc = graph.nodes.findLast((n) => n.op === "FULLY_CONNECTED") ?? node;
  const index = fc.inputs[2]!;
  const t = graph.tensors[index]!;
  const data = t.data!.slice();
  const view = new DataView(data.buffer);
  view.setInt32(0, view.getInt32(0, true) + delta, true);
  return { ...graph, tensors: graph.tensors.map((x, i) => (i === index ? { ...x, data } : x)) };
}

Deno.test("a reference graph that differs by one bias value is caught as output mismatches", async () => {
  const planted = withBiasChanged(GRAPH, 5000);
  const r = await evaluateOnDevice(GRAPH, INPUTS.slice(0, 40), {
    engine: "tinyengine",
    board: M7,
    reference: planted,
  });
  assert.ok(r.outputMismatches > 0, `${r.outputMismatches} mismatches`);
  assert.equal(r.firstMismatch, 0);
  // Outputs can differ while the classes agree: bit-exactness is checked on bytes, not argmax.
  assert.ok(r.predictionMismatches <= r.outputMismatches);
  const same = await evaluateOnDevice(GRAPH, INPUTS.slice(0, 40), {
    engine: "tinyengine",
    board: M7,
    reference: withBiasChanged(GRAPH, 0),
  });
  assert.equal(same.outputMismatches, 0);
});

Deno.test("an input of the wrong size is refused before anything is built, naming its index", async () => {
  const inputs = [...INPUTS.slice(0, 3), new Uint8Array(783)];
  await assert.rejects(
    () => evaluateOnDevice(GRAPH, inputs, { engine: "tinyengine", board: M7 }),
    (e: unknown) =>
      e instanceof RangeError &&
      /input 3 has 783 bytes, expected 784 bytes/.test(e.message),
  );
  await assert.rejects(
    () => evaluateOnDevice(GRAPH, INPUTS.slice(0, 3), { engine: "tflm", board: M4, labels: [1] }),
    (e: unknown) => e instanceof RangeError && /1 labels for 3 inputs/.test(e.message),
  );
});

Deno.test("an inference over the per-input budget names its input", async () => {
  await assert.rejects(
    () =>
      evaluateOnDevice(GRAPH, INPUTS.slice(0, 2), {
        engine: "tinyengine",
        board: M7,
        budget: 1000,
      }),
    (e: unknown) => e instanceof BudgetExceededError && e.input === 0,
  );
});

Deno.test("argmax takes the first of equal maxima", () => {
  assert.equal(argmax([1, 5, 5, 2]), 1);
  assert.equal(argmax(new Float32Array([-1.5, -0.25, -0.25])), 1);
  assert.equal(argmax([]), -1);
});
