/**
 * STRIDED_SLICE: inputs [input, begin, end, strides] (int32 constants, one entry per input
 * axis), TFLite's masks and `offset`; ellipsis and new-axis masks are refused at import.
 *
 * @module
 */
import { sliceAxes, sliceOutputShape } from "../ir/mod.ts";
import { shapeText } from "./_check.ts";
import { constInt32, shapeOf } from "./_shape_util.ts";
import type { OpDef } from "./op_def.ts";
import { bool, i32, OPTIONS } from "./tflite_options.ts";

/** Field slots of `StridedSliceOptions`. */
const S = {
  beginMask: 0,
  endMask: 1,
  ellipsisMask: 2,
  newAxisMask: 3,
  shrinkAxisMask: 4,
  offset: 5,
};

/** STRIDED_SLICE. */
export const STRIDED_SLICE: OpDef<"STRIDED_SLICE"> = {
  inputs: [4, 4],
  check(ctx, node) {
    const { inS } = ctx;
    const vectors = (["begin", "end", "strides"] as const).map((role, k) => {
      const v = ctx.ints(k + 1, role);
      const t = ctx.tensor(k + 1);
      if (t.shape.length !== 1 || v.length !== inS.length) {
        ctx.fail(`${role} shape ${shapeText(t.shape)} is not [${inS.length}]`);
      }
      return v;
    });
    const [begin, end, strides] = vectors as [number[], number[], number[]];
    strides.forEach((s, k) => {
      if (s === 0) ctx.fail(`stride ${k} is 0`);
    });
    const axes = sliceAxes(inS, begin, end, strides, node.options);
    axes.forEach((a, k) => {
      if (a.shrink && (a.start < 0 || a.start >= inS[k]!)) {
        ctx.fail(`shrunk axis ${k} begins at ${begin[k]}, outside its ${inS[k]} elements`);
      }
    });
    ctx.expectShape(sliceOutputShape(axes), "the sliced");
  },
  outputShapes(graph, node) {
    const input = shapeOf(graph, node.inputs[0], `${node.op} input 0`);
    const [begin, end, strides] = [1, 2, 3].map((k) =>
      constInt32(graph, node.inputs[k], `STRIDED_SLICE input ${k}`)
    ) as [Int32Array, Int32Array, Int32Array];
    return [sliceOutputShape(sliceAxes(input, begin, end, strides, node.options))];
  },
  tflite: {
    code: 45,
    options: OPTIONS.StridedSliceOptions,
    read(o, ctx) {
      const mask = (slot: number, name: string) => o?.i32(slot, name) ?? 0;
      for (
        const [slot, name] of [[S.ellipsisMask, "ellipsis_mask"], [
          S.newAxisMask,
          "new_axis_mask",
        ]] as const
      ) {
        const v = mask(slot, name);
        if (v !== 0) {
          ctx.unsupported(
            `${name} ${v} is not supported (only begin_mask, end_mask, shrink_axis_mask and offset)`,
          );
        }
      }
      return {
        beginMask: mask(S.beginMask, "begin_mask"),
        endMask: mask(S.endMask, "end_mask"),
        shrinkAxisMask: mask(S.shrinkAxisMask, "shrink_axis_mask"),
        offset: o?.bool(S.offset, "offset") ?? false,
      };
    },
    write: (o) => [
      i32(S.beginMask, o.beginMask),
      i32(S.endMask, o.endMask),
      i32(S.shrinkAxisMask, o.shrinkAxisMask),
      bool(S.offset, o.offset),
    ],
  },
};
