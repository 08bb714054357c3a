/**
 * Small hand-checked graphs of sliding windows (strided SAME convolutions), shared by the
 * receptive-field and patch-memory tests. Used only by tests.
 *
 * @module
 */
import type { Graph, Node, Tensor } from "../ir/mod.ts";

const q = { scale: [0.1], zeroPoint: [0], axis: 0 };
/** An int8 activation tensor. */
export const act = (name: string, shape: number[]): Tensor => ({
  name,
  shape,
  dtype: "int8",
  quant: q,
});
/** An int8 constant filter (zeros) of `shape`. */
export const filter = (shape: number[]): Tensor => ({
  name: "w",
  shape,
  dtype: "int8",
  quant: q,
  data: new Uint8Array(shape.reduce((a, b) => a * b, 1)),
});
/** A CONV_2D or DEPTHWISE_CONV_2D node from input `x`, filter `w` to `y`, without bias. */
export const conv = (
  op: "CONV_2D" | "DEPTHWISE_CONV_2D",
  x: number,
  w: number,
  y: number,
  padding: "SAME" | "VALID",
  stride: number,
  dilation = 1,
): Node => {
  const options = {
    padding,
    strideH: stride,
    strideW: stride,
    dilationH: dilation,
    dilationW: dilation,
    activation: "NONE" as const,
  };
  return op === "CONV_2D"
    ? { op, inputs: [x, w, -1], outputs: [y], options }
    : { op, inputs: [x, w, -1], outputs: [y], options: { ...options, depthMultiplier: 1 } };
};
/** input 8x8 -> 3x3/2 SAME conv -> 4x4 -> 3x3/1 SAME depthwise -> 4x4 (split). */
export function stridedGraph(): Graph {
  return {
    name: "strided",
    tensors: [
      act("x", [1, 8, 8, 1]),
      filter([2, 3, 3, 1]),
      act("a", [1, 4, 4, 2]),
      filter([1, 3, 3, 2]),
      act("b", [1, 4, 4, 2]),
    ],
    nodes: [conv("CONV_2D", 0, 1, 2, "SAME", 2), conv("DEPTHWISE_CONV_2D", 2, 3, 4, "SAME", 1)],
    inputs: [0],
    outputs: [4],
  };
}
