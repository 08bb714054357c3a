/**
 * Patterns of real exported models in the tinyengine plan (#12 item 3): a float input's region is
 * reused once it is quantized, and streamed expansions still fire when an explicit PAD (int32 or
 * int64 paddings, as PyTorch exports write them) sits between a 1x1 expansion and its depthwise.
 */
import assert from "node:assert/strict";
import { getBoard } from "../engine/target/mod.ts";
import {
  buildDetection,
  buildMbconv,
  DETECTION_128X160,
  mbconvBlocks,
} from "../engine/builders/mod.ts";
import { withExplicitPads } from "../engine/builders/_test_float_io.ts";
import { withFloatIo } from "../engine/ir/mod.ts";
import { layerwiseBounds } from "../engine/analysis/mod.ts";
import { compileTinyEngine } from "../engine/codegen/mod.ts";
import { compileModel, runModel } from "./run.ts";

function mbconv(resolution: number) {
  return buildMbconv({
    resolution,
    inputChannels: 3,
    classes: 10,
    firstConv: { outChannels: 16 },
    blocks: mbconvBlocks("k3e4s2c16 k5e4s1c16r k3e4s2c24"),
  }, { seed: 1, name: `export-r${resolution}` });
}

Deno.test("an 80x80x3 float input's region is reused after its QUANTIZE: plan within the bound", () => {
  const g = withFloatIo(mbconv(80));
  const bound = layerwiseBounds(g).inPlace.bytes;
  const plan = compileTinyEngine(g, { board: getBoard("stm32f746") }).plan;
  // The float input (76,800 B) and its int8 copy (19,200 B) are live at the QUANTIZE step only;
  // before, the float input stayed live beside the first layer's output (129,032 B planned).
  assert.ok(plan.arenaBytes <= 1.05 * bound, `plan ${plan.arenaBytes} B, bound ${bound} B`);
  assert.ok(plan.arenaBytes < 76_800 + 19_200 + 1024, `plan ${plan.arenaBytes} B`);
});

for (const paddingType of ["int32", "int64"] as const) {
  Deno.test(`explicit PADs (${paddingType} paddings) before depthwise: streamed and bit-exact on both engines`, async () => {
    const board = getBoard("stm32f746");
    const base = withFloatIo(mbconv(48));
    const padded = withExplicitPads(base, paddingType);
    assert.ok(padded.nodes.some((n) => n.op === "PAD"));
    const plain = compileTinyEngine(base, { board, streaming: "always" });
    const compiled = compileTinyEngine(padded, { board, streaming: "always" });
    assert.equal(compiled.plan.streamed, true);
    assert.equal(compiled.plan.arenaBytes, plain.plan.arenaBytes);
    const te = await runModel(padded, {
      engine: "tinyengine",
      board,
      compiled,
      cacheDir: ".cache/firmware",
    });
    assert.ok(te.referenceMatch, "tinyengine differs from the reference");
    const tflm = await runModel(padded, { engine: "tflm", board, cacheDir: ".cache/firmware" });
    assert.ok(tflm.referenceMatch, "tflm differs from the reference");
  });
}

Deno.test("a 3-output float detector: each int8 head dies at its own DEQUANTIZE, so the plan stays within the bound and below tflm's", () => {
  const board = getBoard("stm32h743");
  const g = withFloatIo(
    buildDetection({ ...DETECTION_128X160, height: 64, width: 80 }, { seed: 2 }),
  );
  const bound = layerwiseBounds(g).inPlace.bytes;
  const te = compileTinyEngine(g, { board }).plan;
  const tflm = compileModel(g, { engine: "tflm", board }).plan;
  // Float heads are 4x their int8 results; all three float outputs plus all three int8 heads
  // live at one step was 1.23x the bound on the 128x160 detector (and above tflm's arena).
  assert.ok(te.arenaBytes <= 1.05 * bound, `plan ${te.arenaBytes} B, bound ${bound} B`);
  assert.ok(
    te.arenaBytes < tflm.arenaBytes,
    `tinyengine ${te.arenaBytes} B, tflm ${tflm.arenaBytes} B`,
  );
});
