import assert from "node:assert/strict";
import { type DepthwiseConv2DOptions, depthwiseOptions } from "../../ir/mod.ts";
import { mbqmRef, oneNode, runInt8, tensor } from "../_test_util.ts";

/** VALID padding unless a test says otherwise. */
const options = (o: Partial<DepthwiseConv2DOptions> = {}) =>
  depthwiseOptions({ padding: "VALID", ...o });

Deno.test("depthwiseConv2d() with depth multiplier 2 maps output channel ic*2+m to input ic", () => {
  const graph = oneNode([
    tensor("x", [1, 1, 1, 2], "int8", [1, 0]),
    tensor("w", [1, 1, 1, 4], "int8", [1, 0], new Int8Array([1, 2, 3, 4])),
    tensor("b", [4], "int32", [1, 0], new Int32Array([0, 0, 0, 1])),
    tensor("y", [1, 1, 1, 4], "int8", [1, 0]),
  ], {
    op: "DEPTHWISE_CONV_2D",
    inputs: [0, 1, 2],
    outputs: [3],
    options: options({ depthMultiplier: 2 }),
  });
  // (3, -5) -> [3*1, 3*2, -5*3, -5*4 + 1]
  assert.deepEqual(runInt8(graph, new Int8Array([3, -5])), [3, 6, -15, -19]);
});

Deno.test("depthwiseConv2d() applies per-channel scales, input zero point and SAME padding", () => {
  // 2x2 image, 2 channels, 3x3 all-ones filter, SAME: every output sums the whole image.
  const x = new Int8Array([1, 10, 2, 20, 3, 30, 4, 40]); // NHWC
  const graph = oneNode([
    tensor("x", [1, 2, 2, 2], "int8", [1, 2]),
    tensor("w", [1, 3, 3, 2], "int8", [[1, 0.25], 0], new Int8Array(18).fill(1)),
    tensor("y", [1, 2, 2, 2], "int8", [1, 0]),
  ], {
    op: "DEPTHWISE_CONV_2D",
    inputs: [0, 1, -1],
    outputs: [2],
    options: options({ padding: "SAME" }),
  });
  // Channel 0: (1+2+3+4) - 4*2 = 2. Channel 1: (10+20+30+40) - 8 = 92, x 0.25 = 23.
  assert.deepEqual(runInt8(graph, x), [2, 23, 2, 23, 2, 23, 2, 23]);
});

Deno.test("depthwiseConv2d() supports stride 2 and dilation against a direct sum", () => {
  const x = Int8Array.from({ length: 6 * 6 * 2 }, (_, i) => ((i * 37) % 251) - 125);
  const f = Int8Array.from({ length: 3 * 3 * 4 }, (_, i) => ((i * 11) % 23) - 11);
  const graph = oneNode([
    tensor("x", [1, 6, 6, 2], "int8", [0.5, 3]),
    tensor("w", [1, 3, 3, 4], "int8", [[0.01, 0.02, 0.03, 0.04], 0], f),
    tensor("y", [1, 1, 1, 4], "int8", [0.25, 1]),
  ], {
    op: "DEPTHWISE_CONV_2D",
    inputs: [0, 1, -1],
    outputs: [2],
    options: options({ strideH: 2, strideW: 2, dilationH: 2, dilationW: 2, depthMultiplier: 2 }),
  });
  // VALID with effective 5x5 window on 6x6, stride 2 -> 1x1.
  const expected = [0, 1, 2, 3].map((oc) => {
    const ic = oc >> 1;
    let acc = 0;
    for (let ky = 0; ky < 3; ky++) {
      for (let kx = 0; kx < 3; kx++) {
        acc += f[(ky * 3 + kx) * 4 + oc]! * (x[(ky * 2 * 6 + kx * 2) * 2 + ic]! - 3);
      }
    }
    const real = Math.fround(0.5) * Math.fround([0.01, 0.02, 0.03, 0.04][oc]!) / 0.25;
    const e = Math.floor(Math.log2(real)) + 1;
    return Math.max(-128, Math.min(127, mbqmRef(acc, Math.round(real * 2 ** (31 - e)), e) + 1));
  });
  assert.deepEqual(runInt8(graph, x), expected);
});
