import assert from "node:assert/strict";
import { type Graph, type Tensor, UnsupportedOpError } from "../ir/mod.ts";
import { OPS } from "../ops/mod.ts";
import { getBoard } from "../target/mod.ts";
import { compileTflm, compileTinyEngine } from "./mod.ts";

const q = (scale: number, zeroPoint = 0) => ({ scale: [scale], zeroPoint: [zeroPoint], axis: 0 });

/** An int16 BATCH_MATMUL (TFLite has one; both engines run int8 only). */
function int16MatMul(): Graph {
  const tensors: Tensor[] = [
    { name: "a", shape: [2, 3], dtype: "int16", quant: q(0.01) },
    { name: "b", shape: [3, 4], dtype: "int16", quant: q(0.01) },
    { name: "o", shape: [2, 4], dtype: "int16", quant: q(0.02) },
  ];
  return {
    name: "int16-matmul",
    tensors,
    nodes: [{
      op: "BATCH_MATMUL",
      inputs: [0, 1],
      outputs: [2],
      options: { adjX: false, adjY: false },
    }],
    inputs: [0, 1],
    outputs: [2],
  };
}

/** ARG_MAX over an int16 input. */
function int16ArgMax(): Graph {
  const axis = new Uint8Array(new Int32Array([1]).buffer);
  return {
    name: "int16-argmax",
    tensors: [
      { name: "x", shape: [1, 5], dtype: "int16", quant: q(0.01) },
      { name: "axis", shape: [1], dtype: "int32", data: axis },
      { name: "i", shape: [1], dtype: "int32" },
    ],
    nodes: [{ op: "ARG_MAX", inputs: [0, 1], outputs: [2], options: { outputType: "int32" } }],
    inputs: [0],
    outputs: [2],
  };
}

Deno.test("both engines refuse an int16 BATCH_MATMUL or ARG_MAX, naming the operator and the types", () => {
  const board = getBoard("stm32f746");
  for (
    const [g, op, te, tflm] of [
      [
        int16MatMul(),
        "BATCH_MATMUL",
        /int8 by int8 into int8, the model has int16 x int16/,
        /needs int8/,
      ],
      [
        int16ArgMax(),
        "ARG_MAX",
        /writes int32 or int64 indices, the model has int16 -> int32/,
        /int8 -> int32 or int64, has int16/,
      ],
    ] as const
  ) {
    assert.throws(() => compileTinyEngine(g, { board }), (e: unknown) => {
      assert.ok(e instanceof UnsupportedOpError, String(e));
      assert.equal(e.opName, op);
      assert.match(e.message, te);
      return true;
    });
    assert.throws(() => compileTflm(g), (e: unknown) => {
      assert.ok(e instanceof UnsupportedOpError, String(e));
      assert.equal(e.opName, op);
      assert.match(e.message, tflm);
      return true;
    });
  }
});

Deno.test("ARG_MAX's .tflite options refuse an output_type other than INT32 or INT64", () => {
  const options = { i8: () => 0, i32: () => 0, f32: () => 0, bool: () => false, int32s: () => [] };
  const ctx = {
    index: 3,
    source: "ARG_MAX",
    outputShape: [1],
    activation: () => "NONE" as const,
    padding: () => "SAME" as const,
    unsupported(detail: string): never {
      throw new UnsupportedOpError("ARG_MAX", 3, detail);
    },
  };
  assert.throws(
    () => OPS.ARG_MAX.tflite.read(options, ctx),
    /operator 3 \(ARG_MAX\).*output_type 0/,
  );
  assert.deepEqual(OPS.ARG_MAX.tflite.read(undefined, ctx), { outputType: "int64" });
});
