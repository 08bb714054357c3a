import assert from "node:assert/strict";
import { oneNode, runInt8, tensor } from "../_test_util.ts";

Deno.test("pad() fills with the output zero point", () => {
  const g = oneNode([
    tensor("x", [1, 2, 2, 1], "int8", [1, 5]),
    tensor("p", [4, 2], "int32", undefined, new Int32Array([0, 0, 1, 0, 0, 1, 0, 0])),
    tensor("y", [1, 3, 3, 1], "int8", [1, 5]),
  ], { op: "PAD", inputs: [0, 1], outputs: [2], options: {} });
  assert.deepEqual(runInt8(g, new Int8Array([1, 2, 3, 4])), [5, 5, 5, 1, 2, 5, 3, 4, 5]);
});

Deno.test("pad() pads channels and batches too", () => {
  const g = oneNode([
    tensor("x", [1, 1, 1, 2], "int8", [1, -3]),
    tensor("p", [4, 2], "int32", undefined, new Int32Array([1, 0, 0, 0, 0, 0, 1, 1])),
    tensor("y", [2, 1, 1, 4], "int8", [1, -3]),
  ], { op: "PAD", inputs: [0, 1], outputs: [2], options: {} });
  assert.deepEqual(runInt8(g, new Int8Array([7, 8])), [-3, -3, -3, -3, -3, 7, 8, -3]);
});

Deno.test("transpose() permutes NHWC to NCHW", () => {
  const g = oneNode([
    tensor("x", [1, 2, 3, 2], "int8", [1, 0]),
    tensor("perm", [4], "int32", undefined, new Int32Array([0, 3, 1, 2])),
    tensor("y", [1, 2, 2, 3], "int8", [1, 0]),
  ], { op: "TRANSPOSE", inputs: [0, 1], outputs: [2], options: {} });
  // x[h][w][c] = 10*c + 3*h + w
  const x = new Int8Array(12);
  for (let h = 0; h < 2; h++) {
    for (let w = 0; w < 3; w++) {
      for (let c = 0; c < 2; c++) x[(h * 3 + w) * 2 + c] = 10 * c + 3 * h + w;
    }
  }
  assert.deepEqual(runInt8(g, x), [0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15]);
});

Deno.test("reshape() keeps the bytes", () => {
  const g = oneNode([
    tensor("x", [1, 2, 2], "int8", [1, 0]),
    tensor("y", [4], "int8", [1, 0]),
  ], { op: "RESHAPE", inputs: [0], outputs: [1], options: { newShape: [4] } });
  assert.deepEqual(runInt8(g, new Int8Array([1, -2, 3, -4])), [1, -2, 3, -4]);
});

Deno.test("concatenation() joins along the channel axis and requantizes a differing input", () => {
  const g = oneNode([
    tensor("a", [1, 2, 1], "int8", [0.5, 0]),
    tensor("b", [1, 2, 2], "int8", [1, 3]),
    tensor("y", [1, 2, 3], "int8", [0.5, 0]),
  ], {
    op: "CONCATENATION",
    inputs: [0, 1],
    outputs: [2],
    options: { axis: -1, activation: "NONE" },
  });
  // b is requantized: (q - 3) * 2.
  assert.deepEqual(
    runInt8(g, new Int8Array([1, 2]), new Int8Array([4, 5, 3, 100])),
    [1, 2, 4, 2, 0, 127],
  );
});

Deno.test("concatenation() joins along an outer axis", () => {
  const q: [number, number] = [1, 0];
  const g = oneNode([
    tensor("a", [1, 2], "int8", q),
    tensor("b", [2, 2], "int8", q),
    tensor("y", [3, 2], "int8", q),
  ], {
    op: "CONCATENATION",
    inputs: [0, 1],
    outputs: [2],
    options: { axis: 0, activation: "NONE" },
  });
  assert.deepEqual(runInt8(g, new Int8Array([1, 2]), new Int8Array([3, 4, 5, 6])), [
    1,
    2,
    3,
    4,
    5,
    6,
  ]);
});
