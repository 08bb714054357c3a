import assert from "node:assert/strict";
import { oneNode, runInt8, tensor } from "../_test_util.ts";

Deno.test("fullyConnected() uses input and filter zero points, bias and per-tensor scale", () => {
  // Weights [[1, 2, 3], [-1, 0, 1]] stored with zero point 1; input zp -2; scale 0.5*0.5/0.25 = 1.
  const w = new Int8Array([2, 3, 4, 0, 1, 2]);
  const graph = oneNode([
    tensor("x", [1, 3], "int8", [0.5, -2]),
    tensor("w", [2, 3], "int8", [0.5, 1], w),
    tensor("b", [2], "int32", [0.25, 0], new Int32Array([10, -10])),
    tensor("y", [1, 2], "int8", [0.25, 5]),
  ], {
    op: "FULLY_CONNECTED",
    inputs: [0, 1, 2],
    outputs: [3],
    options: { activation: "NONE", keepNumDims: false },
  });
  // x - zp = [3, 0, 7]: row 0: 3 + 0 + 21 + 10 = 34 -> 39; row 1: -3 + 7 - 10 = -6 -> -1.
  assert.deepEqual(runInt8(graph, new Int8Array([1, -2, 5])), [39, -1]);
});

Deno.test("fullyConnected() flattens batches and clamps with RELU", () => {
  const graph = oneNode([
    tensor("x", [2, 2], "int8", [1, 0]),
    tensor("w", [1, 2], "int8", [1, 0], new Int8Array([1, 1])),
    tensor("y", [2, 1], "int8", [1, 0]),
  ], {
    op: "FULLY_CONNECTED",
    inputs: [0, 1, -1],
    outputs: [2],
    options: { activation: "RELU", keepNumDims: false },
  });
  assert.deepEqual(runInt8(graph, new Int8Array([5, 6, -5, -6])), [11, 0]);
});

Deno.test("fullyConnected() supports per-channel weights", () => {
  const graph = oneNode([
    tensor("x", [1, 2], "int8", [1, 0]),
    tensor("w", [2, 2], "int8", [[1, 0.5], 0], new Int8Array([1, 1, 1, 1])),
    tensor("y", [1, 2], "int8", [1, 0]),
  ], {
    op: "FULLY_CONNECTED",
    inputs: [0, 1, -1],
    outputs: [2],
    options: { activation: "NONE", keepNumDims: false },
  });
  // 9 and 9 * 0.5 = 4.5 -> SRDHM(9, 2^30) = 4.5 -> 5.
  assert.deepEqual(runInt8(graph, new Int8Array([4, 5])), [9, 5]);
});
