import assert from "node:assert/strict";
import { oneNode, runInt8, tensor } from "../_test_util.ts";

function addGraph(
  shape1: number[],
  shape2: number[],
  outShape: number[],
  activation: "NONE" | "RELU" = "NONE",
) {
  return oneNode([
    tensor("a", shape1, "int8", [0.5, 0]),
    tensor("b", shape2, "int8", [0.25, 0]),
    tensor("y", outShape, "int8", [1, 0]),
  ], { op: "ADD", inputs: [0, 1], outputs: [2], options: { activation } });
}

Deno.test("add() rescales inputs with different scales through the 2^20 path", () => {
  // real = 0.5a + 0.25b: 6, -2.75 -> -3 (half away from zero at the final shift), 18.
  const y = runInt8(
    addGraph([3], [3], [3]),
    new Int8Array([10, -7, 100]),
    new Int8Array([4, 3, -128]),
  );
  assert.deepEqual(y, [6, -3, 18]);
});

Deno.test("add() clamps to the fused RELU range", () => {
  const y = runInt8(
    addGraph([3], [3], [3], "RELU"),
    new Int8Array([10, -7, 100]),
    new Int8Array([4, 3, -128]),
  );
  assert.deepEqual(y, [6, 0, 18]);
});

Deno.test("add() saturates at both ends of int8", () => {
  const y = runInt8(
    addGraph([2], [2], [2]),
    new Int8Array([127, -128]),
    new Int8Array([127, -128]),
  );
  // 63.5 + 31.75 = 95.25 -> 95; -64 - 32 = -96.
  assert.deepEqual(y, [95, -96]);
  const big = oneNode([
    tensor("a", [2], "int8", [2, 0]),
    tensor("b", [2], "int8", [2, 0]),
    tensor("y", [2], "int8", [1, 0]),
  ], { op: "ADD", inputs: [0, 1], outputs: [2], options: { activation: "NONE" } });
  assert.deepEqual(runInt8(big, new Int8Array([60, -60]), new Int8Array([10, -10])), [127, -128]);
});

Deno.test("add() broadcasts a per-channel vector over an NHWC tensor", () => {
  const y = runInt8(
    addGraph([1, 2, 1, 2], [2], [1, 2, 1, 2]),
    new Int8Array([2, 4, 6, 8]),
    new Int8Array([4, -4]),
  );
  assert.deepEqual(y, [2, 1, 4, 3]);
});

Deno.test("add() applies input and output zero points", () => {
  const graph = oneNode([
    tensor("a", [2], "int8", [1, 10]),
    tensor("b", [2], "int8", [1, -10]),
    tensor("y", [2], "int8", [1, 3]),
  ], { op: "ADD", inputs: [0, 1], outputs: [2], options: { activation: "NONE" } });
  // (12-10) + (-5+10) = 7 -> +3
  assert.deepEqual(runInt8(graph, new Int8Array([12, 10]), new Int8Array([-5, -10])), [10, 3]);
});
