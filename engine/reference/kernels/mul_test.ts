import assert from "node:assert/strict";
import { oneNode, runInt8, tensor } from "../_test_util.ts";

Deno.test("mul() multiplies offset inputs and requantizes with a left shift", () => {
  // 0.5 * 0.5 / 0.125 = 2: multiplier 2^30, shift 2. Input 1 has zero point 1.
  const graph = oneNode([
    tensor("a", [4], "int8", [0.5, 1]),
    tensor("b", [4], "int8", [0.5, 0]),
    tensor("y", [4], "int8", [0.125, 0]),
  ], { op: "MUL", inputs: [0, 1], outputs: [2], options: { activation: "NONE" } });
  // (4-1)*5*2 = 30; (-2)*5*2 = -20; 20*20*2 -> 127; (-20-1)*20*2 -> -128.
  assert.deepEqual(
    runInt8(graph, new Int8Array([4, -1, 21, -20]), new Int8Array([5, 5, 20, 20])),
    [30, -20, 127, -128],
  );
});

Deno.test("mul() rounds a half-way product like TFLite", () => {
  const graph = oneNode([
    tensor("a", [2], "int8", [1, 0]),
    tensor("b", [2], "int8", [1, 0]),
    tensor("y", [2], "int8", [4, 0]),
  ], { op: "MUL", inputs: [0, 1], outputs: [2], options: { activation: "NONE" } });
  // 6/4 = 1.5 -> 2; -6/4 = -1.5: SRDHM(-6, 2^30) = -3 exactly, then -3/2 -> -2.
  assert.deepEqual(runInt8(graph, new Int8Array([2, -2]), new Int8Array([3, 3])), [2, -2]);
});
