import assert from "node:assert/strict";
import type { Padding, Pool2DOptions } from "../../ir/mod.ts";
import { oneNode, runInt8, tensor } from "../_test_util.ts";

function pool(
  op: "AVERAGE_POOL_2D" | "MAX_POOL_2D",
  inShape: number[],
  outShape: number[],
  o: Partial<Pool2DOptions> & { padding: Padding },
) {
  const options: Pool2DOptions = {
    strideH: 1,
    strideW: 1,
    filterH: 2,
    filterW: 2,
    activation: "NONE",
    ...o,
  };
  return oneNode([
    tensor("x", inShape, "int8", [0.1, 3]),
    tensor("y", outShape, "int8", [0.1, 3]),
  ], { op, inputs: [0], outputs: [1], options });
}

Deno.test("averagePool2d() divides by the number of taps inside the image, rounding half away from zero", () => {
  // SAME 2x2 stride 1 on 3x3: the extra padding is trailing; edge windows have 2 or 1 taps.
  const g = pool("AVERAGE_POOL_2D", [1, 3, 3, 1], [1, 3, 3, 1], { padding: "SAME" });
  const x = new Int8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(runInt8(g, x), [3, 4, 5, 6, 7, 8, 8, 9, 9]);
  assert.deepEqual(runInt8(g, x.map((v) => -v)), [-3, -4, -5, -6, -7, -8, -8, -9, -9]);
});

Deno.test("averagePool2d() clamps to the fused activation range", () => {
  const g = pool("AVERAGE_POOL_2D", [1, 2, 2, 1], [1, 1, 1, 1], {
    padding: "VALID",
    activation: "RELU",
  });
  // RELU with zero point 3 -> min 3.
  assert.deepEqual(runInt8(g, new Int8Array([-10, -10, 0, 0])), [3]);
});

Deno.test("maxPool2d() takes the maximum over the clipped window with stride 2 and SAME padding", () => {
  // 4x4, 3x3 window, stride 2 -> 2x2; total padding 1, all trailing.
  const g = pool("MAX_POOL_2D", [1, 4, 4, 1], [1, 2, 2, 1], {
    padding: "SAME",
    strideH: 2,
    strideW: 2,
    filterH: 3,
    filterW: 3,
  });
  const x = Int8Array.from({ length: 16 }, (_, i) => i);
  assert.deepEqual(runInt8(g, x), [10, 11, 14, 15]);
  const neg = Int8Array.from({ length: 16 }, (_, i) => -100 - i);
  assert.deepEqual(runInt8(g, neg), [-100, -102, -108, -110]);
});

Deno.test("maxPool2d() clamps with RELU6", () => {
  // scale 0.1 zp 3: RELU6 -> [3, 63].
  const g = pool("MAX_POOL_2D", [1, 1, 2, 1], [1, 1, 1, 1], {
    padding: "VALID",
    filterH: 1,
    activation: "RELU6",
  });
  assert.deepEqual(runInt8(g, new Int8Array([100, 90])), [63]);
});
