import assert from "node:assert/strict";
import { oneNode, runInt8, tensor } from "../_test_util.ts";

function graph(op: "MAXIMUM" | "MINIMUM", s1: number[], s2: number[], out: number[], zp2 = 3) {
  return oneNode([
    tensor("a", s1, "int8", [0.1, 3]),
    tensor("b", s2, "int8", [0.1, zp2]),
    tensor("y", out, "int8", [0.1, 3]),
  ], { op, inputs: [0, 1], outputs: [2], options: {} });
}

Deno.test("maximum() and minimum() compare raw values elementwise", () => {
  const a = new Int8Array([-128, 5, 127, 0]);
  const b = new Int8Array([-127, 5, -1, 1]);
  assert.deepEqual(runInt8(graph("MAXIMUM", [4], [4], [4]), a, b), [-127, 5, 127, 1]);
  assert.deepEqual(runInt8(graph("MINIMUM", [4], [4], [4]), a, b), [-128, 5, -1, 0]);
});

Deno.test("maximum() broadcasts either input", () => {
  const y = runInt8(
    graph("MAXIMUM", [2, 1], [1, 3], [2, 3]),
    new Int8Array([0, 10]),
    new Int8Array([-5, 5, 15]),
  );
  assert.deepEqual(y, [0, 5, 15, 10, 10, 15]);
});

Deno.test("minimum() rejects inputs quantized differently from the output", () => {
  assert.throws(
    () => runInt8(graph("MINIMUM", [2], [2], [2], 4), new Int8Array(2), new Int8Array(2)),
    /MINIMUM.*second input quantization/,
  );
});
