import assert from "node:assert/strict";
import { oneNode, runInt8, tensor } from "../_test_util.ts";
import { nearestNeighbor } from "./resize_nearest_neighbor.ts";

function resize(
  shape: number[],
  size: [number, number],
  alignCorners = false,
  halfPixelCenters = false,
) {
  return oneNode([
    tensor("x", shape, "int8", [0.1, 0]),
    tensor("size", [2], "int32", undefined, new Int32Array(size)),
    tensor("y", [shape[0]!, size[0], size[1], shape[3]!], "int8", [0.1, 0]),
  ], {
    op: "RESIZE_NEAREST_NEIGHBOR",
    inputs: [0, 1],
    outputs: [2],
    options: { alignCorners, halfPixelCenters },
  });
}

Deno.test("nearestNeighbor() follows the four option combinations (2 -> 3)", () => {
  const idx = (a: boolean, h: boolean) => [0, 1, 2].map((v) => nearestNeighbor(v, 2, 3, a, h));
  // scale 2/3: floor(0, 0.67, 1.33); with half pixels floor(0.33, 1.0000000(f32), 1.67).
  assert.deepEqual(idx(false, false), [0, 0, 1]);
  assert.deepEqual(idx(false, true), [0, 1, 1]);
  // align_corners: scale 1/2, round(0, 0.5, 1) with ties away from zero.
  assert.deepEqual(idx(true, false), [0, 1, 1]);
  assert.deepEqual(idx(true, true), [0, 1, 1]);
  // Downscaling 5 -> 2 with half pixels: (0.5, 1.5) * 2.5 = 1.25, 3.75 -> 1, 3.
  assert.deepEqual([0, 1].map((v) => nearestNeighbor(v, 5, 2, false, true)), [1, 3]);
  // align_corners with one output uses in / out: 0.
  assert.equal(nearestNeighbor(0, 5, 1, true, false), 0);
});

Deno.test("resizeNearestNeighbor() doubles a 2x2 image and keeps channels together", () => {
  const y = runInt8(resize([1, 2, 2, 2], [4, 4]), new Int8Array([1, -1, 2, -2, 3, -3, 4, -4]));
  const row = (a: number, b: number) => [a, -a, a, -a, b, -b, b, -b];
  assert.deepEqual(y, [...row(1, 2), ...row(1, 2), ...row(3, 4), ...row(3, 4)]);
});

Deno.test("resizeNearestNeighbor() with align_corners picks the rounded rows and columns", () => {
  // 3 -> 5 with align_corners: scale 0.5, indices round(0, 0.5, 1, 1.5, 2) = 0, 1, 1, 2, 2.
  const x = new Int8Array([10, 20, 30, 40, 50, 60, 70, 80, 90]);
  const y = runInt8(resize([1, 3, 3, 1], [5, 5], true), x);
  const r = (k: number) => [0, 1, 1, 2, 2].map((c) => x[k * 3 + c]!);
  assert.deepEqual(y, [...r(0), ...r(1), ...r(1), ...r(2), ...r(2)]);
});
