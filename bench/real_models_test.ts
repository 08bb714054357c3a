import assert from "node:assert/strict";
import { buildRealModel, REAL_MODELS } from "./real_models.ts";
import { int32Data } from "../engine/ir/mod.ts";

Deno.test("real-suite models carry every export pattern they claim, through the project's writer", () => {
  for (const m of REAL_MODELS) {
    if (typeof m.network !== "function") {
      assert.throws(
        () => buildRealModel(m.id),
        new RegExp(`Cannot build real-suite model '${m.id}'`),
      );
      continue;
    }
    const g = buildRealModel(m.id);
    const ops = g.nodes.map((n) => n.op);
    // Float I/O: float32 inputs quantized first, every output dequantized.
    assert.equal(ops[0], "QUANTIZE", m.id);
    for (const t of [...g.inputs, ...g.outputs]) assert.equal(g.tensors[t]!.dtype, "float32", m.id);
    assert.equal(ops.filter((o) => o === "DEQUANTIZE").length, g.outputs.length, m.id);
    // A PAD (int64 paddings, as PyTorch writes them) feeds every padded convolution, including
    // each stride-2 depthwise; no convolution keeps SAME padding.
    const producer = new Map(g.nodes.flatMap((n) => n.outputs.map((t) => [t, n] as const)));
    let stride2Depthwise = 0;
    for (const n of g.nodes) {
      if (n.op !== "CONV_2D" && n.op !== "DEPTHWISE_CONV_2D") continue;
      assert.equal(n.options.padding, "VALID", `${m.id}: ${n.op}`);
      const k = g.tensors[n.inputs[1]!]!.shape;
      if (k[1]! === 1 && k[2]! === 1) continue;
      const pad = producer.get(n.inputs[0]!);
      assert.equal(pad?.op, "PAD", `${m.id}: ${n.op} reads ${pad?.op}`);
      assert.equal(g.tensors[pad!.inputs[1]!]!.dtype, "int64");
      assert.ok(int32Data(g.tensors[pad!.inputs[1]!]!).some((p) => p > 0));
      if (n.op === "DEPTHWISE_CONV_2D" && n.options.strideH === 2) stride2Depthwise++;
    }
    // The recurrent models have no convolution: float I/O is their export pattern here.
    if (!ops.includes("CONV_2D")) continue;
    assert.ok(stride2Depthwise > 0, m.id);
    // Negative, tiny and mixed-sign per-channel weight scales.
    const scales = g.nodes
      .filter((n) => n.op === "CONV_2D" || n.op === "DEPTHWISE_CONV_2D")
      .map((n) => g.tensors[n.inputs[1]!]!.quant!.scale);
    assert.ok(scales.some((s) => s.every((x) => x < 0) || s.filter((x) => x < 0).length > 1), m.id);
    assert.ok(scales.some((s) => s.some((x) => Math.abs(x) < 1e-6)), m.id);
    assert.ok(scales.some((s) => s.some((x) => x > 0) && s.some((x) => x < 0)), m.id);
  }
  assert.equal(buildRealModel("real-det-128x160").outputs.length, 3);
  // The attention block: both matrix products, the softmax, the spelled-out layer norm, GELU.
  const attention = buildRealModel("real-attention").nodes.map((n) => n.op);
  for (const op of ["BATCH_MATMUL", "SOFTMAX", "SQUARED_DIFFERENCE", "RSQRT", "GELU"] as const) {
    assert.ok(attention.includes(op), `real-attention lacks ${op}`);
  }
  assert.equal(attention.filter((o) => o === "BATCH_MATMUL").length, 2);
  assert.throws(() => buildRealModel("nope"), /known models are real-cls-80/);
});
