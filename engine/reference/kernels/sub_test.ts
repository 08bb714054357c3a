import assert from "node:assert/strict";
import { oneNode, runInt8, tensor } from "../_test_util.ts";

function subGraph(
  shape1: number[],
  shape2: number[],
  outShape: number[],
  outScale = 0.1,
  activation: "NONE" | "RELU" = "NONE",
) {
  return oneNode([
    tensor("a", shape1, "int8", [0.1, 0]),
    tensor("b", shape2, "int8", [0.1, 0]),
    tensor("y", outShape, "int8", [outScale, 0]),
  ], { op: "SUB", inputs: [0, 1], outputs: [2], options: { activation } });
}

Deno.test("sub() with equal scales is the exact difference, saturated", () => {
  const y = runInt8(
    subGraph([4], [4], [4]),
    new Int8Array([10, -20, 100, -100]),
    new Int8Array([3, 5, -100, 100]),
  );
  assert.deepEqual(y, [7, -25, 127, -128]);
});

Deno.test("sub() rounds halves away from zero when the output scale doubles", () => {
  // (x - y) / 2: 3 -> 2, -3 -> -2, 1 -> 1, -1 -> -1, 4 -> 2.
  const y = runInt8(
    subGraph([5], [5], [5], 0.2),
    new Int8Array([7, 4, 1, 0, 8]),
    new Int8Array([4, 7, 0, 1, 4]),
  );
  assert.deepEqual(y, [2, -2, 1, -1, 2]);
});

Deno.test("sub() broadcasts the second input and clamps to a fused RELU", () => {
  const y = runInt8(
    subGraph([2, 3], [3], [2, 3], 0.1, "RELU"),
    new Int8Array([1, 2, 3, 10, 20, 30]),
    new Int8Array([2, 2, 2]),
  );
  assert.deepEqual(y, [0, 0, 1, 8, 18, 28]);
});

Deno.test("sub() with different input scales", () => {
  // a 0.5, b 0.25 -> out 1: 0.5a - 0.25b: (10, 4) -> 4; (-7, 3) -> -4.25 -> -4; (100, -128) -> 82.
  const g = oneNode([
    tensor("a", [3], "int8", [0.5, 0]),
    tensor("b", [3], "int8", [0.25, 0]),
    tensor("y", [3], "int8", [1, 0]),
  ], { op: "SUB", inputs: [0, 1], outputs: [2], options: { activation: "NONE" } });
  assert.deepEqual(
    runInt8(g, new Int8Array([10, -7, 100]), new Int8Array([4, 3, -128])),
    [4, -4, 82],
  );
});
