import assert from "node:assert/strict";
import { oneNode, runInt8, tensor } from "../_test_util.ts";

function meanGraph(
  inShape: number[],
  outShape: number[],
  axes: number[],
  inQ: [number, number],
  outQ: [number, number],
) {
  return oneNode([
    tensor("x", inShape, "int8", inQ),
    tensor("axes", [axes.length], "int32", undefined, new Int32Array(axes)),
    tensor("y", outShape, "int8", outQ),
  ], { op: "MEAN", inputs: [0, 1], outputs: [2], options: { keepDims: true } });
}

Deno.test("mean() averages over H and W with the count folded into the multiplier", () => {
  const g = meanGraph([1, 2, 2, 2], [1, 1, 1, 2], [1, 2], [0.5, 1], [0.5, 1]);
  // c0: 3,5,8,10 -> (26 - 4) / 4 = 5.5 -> 6, +1 = 7. c1: -1..-4 -> (-10 - 4)/4 = -3.5 -> -4, +1.
  assert.deepEqual(runInt8(g, new Int8Array([3, -1, 5, -2, 8, -3, 10, -4])), [7, -3]);
});

Deno.test("mean() handles a count that is not a power of two", () => {
  const g = meanGraph([1, 1, 3, 1], [1, 1, 1, 1], [2], [1, 0], [1, 0]);
  // multiplier (2^30 << 1) / 3 = 715827882: 7 -> 2.33 -> 2; 5 -> 1.67 -> 2; -5 -> -2.
  assert.deepEqual(runInt8(g, new Int8Array([1, 2, 4])), [2]);
  assert.deepEqual(runInt8(g, new Int8Array([1, 2, 2])), [2]);
  assert.deepEqual(runInt8(g, new Int8Array([-1, -2, -2])), [-2]);
});

Deno.test("mean() requantizes to a different output scale and saturates", () => {
  const g = meanGraph([1, 2, 1, 1], [1, 1], [1, -2], [1, 0], [0.25, -10]);
  // mean 100 -> x4 = 400 -> 127; mean -50 -> -200 - 10 -> -128.
  assert.deepEqual(runInt8(g, new Int8Array([100, 100])), [127]);
  assert.deepEqual(runInt8(g, new Int8Array([-50, -50])), [-128]);
  assert.deepEqual(runInt8(g, new Int8Array([3, 4])), [4]); // 3.5 * 4 = 14 - 10
});
