import assert from "node:assert/strict";
import { attentionBlock } from "./attention_block.ts";
import { validateGraph } from "../ops/mod.ts";
import { interpret } from "../reference/mod.ts";
import { readTflite, writeTflite } from "../tflite/mod.ts";

Deno.test("attentionBlock() is a valid transformer block with every operator of the pattern", () => {
  const g = attentionBlock({ tokens: 8, dim: 16, hidden: 24, seed: 3 });
  validateGraph(g);
  const ops = g.nodes.map((n) => n.op);
  for (
    const op of [
      "FULLY_CONNECTED",
      "BATCH_MATMUL",
      "SOFTMAX",
      "ADD",
      "MEAN",
      "SQUARED_DIFFERENCE",
      "RSQRT",
      "SUB",
      "MUL",
      "GELU",
    ] as const
  ) {
    assert.ok(ops.includes(op), `${op} missing: ${ops.join(",")}`);
  }
  const matmuls = g.nodes.filter((n) => n.op === "BATCH_MATMUL");
  assert.deepEqual(matmuls.map((n) => n.op === "BATCH_MATMUL" && n.options.adjY), [true, false]);
  assert.deepEqual(g.tensors[g.outputs[0]!]!.shape, [8, 16]);
  // The project's writer and reader keep it as it is.
  assert.deepEqual(readTflite(writeTflite(g)).nodes, g.nodes);
});

Deno.test("attentionBlock()'s calibrated quantization spreads every activation over the int8 range", () => {
  const g = attentionBlock({ seed: 7 });
  const input = new Uint8Array(16 * 32);
  for (let i = 0; i < input.length; i++) input[i] = (i * 97 + 13) & 0xff;
  const { tensors } = interpret(g, [input], { captureAll: true });
  g.nodes.forEach((n) => {
    const t = n.outputs[0]!;
    const bytes = tensors!.get(t)!;
    const values = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length);
    const distinct = new Set(values).size;
    // A [tokens, 1] statistic has at most 16 values; the others use far more than a few steps.
    const floor = values.length <= 16 ? 4 : 24;
    assert.ok(distinct >= floor, `${n.op} '${g.tensors[t]!.name}': ${distinct} distinct values`);
  });
});
