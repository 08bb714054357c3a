/**
 * RESIZE_NEAREST_NEIGHBOR: inputs [input (NHWC), size (int32 constant [height, width])].
 *
 * @module
 */
import { constInt32, dim, shapeOf } from "./_shape_util.ts";
import type { OpDef } from "./op_def.ts";
import { bool, OPTIONS } from "./tflite_options.ts";

/** Field slots of `ResizeNearestNeighborOptions`. */
const S = { alignCorners: 0, halfPixelCenters: 1 };

/** RESIZE_NEAREST_NEIGHBOR. */
export const RESIZE_NEAREST_NEIGHBOR: OpDef<"RESIZE_NEAREST_NEIGHBOR"> = {
  inputs: [2, 2],
  check(ctx) {
    const { input, output, inS } = ctx;
    ctx.rank(input, 4, "input");
    ctx.rank(output, 4, "output");
    const size = ctx.ints(1, "size");
    if (size.length !== 2 || size.some((d) => d < 1)) {
      ctx.fail(`size [${size}] is not 2 positive sizes`);
    }
    ctx.expectShape([inS[0]!, size[0]!, size[1]!, inS[3]!], "the resized");
  },
  outputShapes(graph, node) {
    const input = shapeOf(graph, node.inputs[0], `${node.op} input 0`);
    const size = constInt32(graph, node.inputs[1], "RESIZE_NEAREST_NEIGHBOR size");
    return [[dim(input, 0), size[0] ?? 1, size[1] ?? 1, dim(input, 3)]];
  },
  describe(node) {
    const o = node.options;
    return [o.alignCorners ? "align_corners" : "", o.halfPixelCenters ? "half_pixel_centers" : ""]
      .filter((x) => x).join(" ");
  },
  tflite: {
    code: 97,
    options: OPTIONS.ResizeNearestNeighborOptions,
    read: (o) => ({
      alignCorners: o?.bool(S.alignCorners, "align_corners") ?? false,
      halfPixelCenters: o?.bool(S.halfPixelCenters, "half_pixel_centers") ?? false,
    }),
    write: (
      o,
    ) => [bool(S.alignCorners, o.alignCorners), bool(S.halfPixelCenters, o.halfPixelCenters)],
  },
};
