import assert from "node:assert/strict";
import type { StridedSliceNode } from "../../ir/mod.ts";
import { validateGraph } from "../../ops/mod.ts";
import { ModelFormatError } from "../../ir/mod.ts";
import { oneNode, runInt8, tensor } from "../_test_util.ts";

type Masks = Partial<StridedSliceNode["options"]>;

function slice(
  shape: number[],
  begin: number[],
  end: number[],
  strides: number[],
  outShape: number[],
  masks: Masks = {},
) {
  const c = (name: string, v: number[]) =>
    tensor(name, [v.length], "int32", undefined, new Int32Array(v));
  return oneNode([
    tensor("x", shape, "int8", [0.1, 2]),
    c("begin", begin),
    c("end", end),
    c("strides", strides),
    tensor("y", outShape, "int8", [0.1, 2]),
  ], {
    op: "STRIDED_SLICE",
    inputs: [0, 1, 2, 3],
    outputs: [4],
    options: { beginMask: 0, endMask: 0, shrinkAxisMask: 0, offset: false, ...masks },
  });
}

const iota = (n: number) => new Int8Array(n).map((_, i) => i);

Deno.test("stridedSlice() walks a negative stride from a negative begin", () => {
  assert.deepEqual(runInt8(slice([10], [-1], [0], [-2], [5]), iota(10)), [9, 7, 5, 3, 1]);
  // end_mask with a negative stride runs to the first element.
  assert.deepEqual(
    runInt8(slice([5], [3], [0], [-1], [4], { endMask: 1 }), iota(5)),
    [3, 2, 1, 0],
  );
});

Deno.test("stridedSlice() takes every other column of rows 1..2", () => {
  assert.deepEqual(runInt8(slice([3, 4], [1, 0], [3, 4], [1, 2], [2, 2]), iota(12)), [
    4,
    6,
    8,
    10,
  ]);
});

Deno.test("stridedSlice() begin and end masks take the whole axis", () => {
  const g = slice([3, 4], [2, 1], [0, 3], [1, 1], [3, 2], { beginMask: 1, endMask: 1 });
  assert.deepEqual(runInt8(g, iota(12)), [1, 2, 5, 6, 9, 10]);
});

Deno.test("stridedSlice() shrinks axes to one element (negative begin) and drops them", () => {
  assert.deepEqual(
    runInt8(slice([3, 4], [1, -1], [2, 0], [1, 1], [1], { shrinkAxisMask: 2 }), iota(12)),
    [7],
  );
  assert.deepEqual(
    runInt8(slice([3, 4], [1, -1], [0, 0], [1, 1], [], { shrinkAxisMask: 3 }), iota(12)),
    [7],
  );
});

Deno.test("stridedSlice() with offset counts end from the resolved begin", () => {
  const g = slice([3, 4], [1, 1], [2, 3], [1, 1], [2, 3], { offset: true });
  assert.deepEqual(runInt8(g, iota(12)), [5, 6, 7, 9, 10, 11]);
});

Deno.test("stridedSlice() on NHWC with spatial strides and a channel slice", () => {
  const g = slice([1, 4, 4, 3], [0, 1, 0, 0], [1, 4, 4, 2], [1, 2, 3, 1], [1, 2, 2, 2]);
  assert.deepEqual(runInt8(g, iota(48)), [12, 13, 21, 22, 36, 37, 45, 46]);
});

Deno.test("validateGraph() rejects a zero stride, a wrong output shape and an out-of-range shrink", () => {
  const bad = (g: ReturnType<typeof slice>, re: RegExp) =>
    assert.throws(
      () => validateGraph(g),
      (e: unknown) => e instanceof ModelFormatError && re.test(e.message),
    );
  bad(slice([4], [0], [4], [0], [4]), /STRIDED_SLICE\): stride 0 is 0/);
  bad(slice([4], [0], [4], [2], [3]), /output shape \[3\] differs from the sliced \[2\]/);
  bad(slice([4], [5], [6], [1], [], { shrinkAxisMask: 1 }), /shrunk axis 0 begins at 5/);
});
