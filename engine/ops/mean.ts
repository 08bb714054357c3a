/**
 * MEAN: inputs [input, axes (int32 constant)]; averages over the axes, keeping them as size 1
 * when `keepDims`.
 *
 * @module
 */
import { meanParams } from "../quant/mod.ts";
import { constInt32, shapeOf } from "./_shape_util.ts";
import type { OpDef } from "./op_def.ts";
import { bool, OPTIONS } from "./tflite_options.ts";

/** MEAN. */
export const MEAN: OpDef<"MEAN"> = {
  inputs: [2, 2],
  check(ctx, node) {
    const { inS } = ctx;
    const axes = ctx.ints(1, "axes");
    const reduced = new Set<number>();
    for (const a of axes) {
      const n = a < 0 ? a + inS.length : a;
      if (n < 0 || n >= inS.length) ctx.fail(`axis ${a} is out of range for rank ${inS.length}`);
      reduced.add(n);
    }
    const expected = node.options.keepDims
      ? inS.map((d, k) => (reduced.has(k) ? 1 : d))
      : inS.filter((_, k) => !reduced.has(k));
    ctx.expectShape(expected, "the expected");
  },
  outputShapes(graph, node) {
    const input = shapeOf(graph, node.inputs[0], `${node.op} input 0`);
    const axes = Array.from(
      constInt32(graph, node.inputs[1], "MEAN axes"),
      (a) => a < 0 ? a + input.length : a,
    );
    const out: number[] = [];
    input.forEach((d, i) => {
      if (!axes.includes(i)) out.push(d);
      else if (node.options.keepDims) out.push(1);
    });
    return [out];
  },
  describe: (node) => node.options.keepDims ? "keepDims" : "",
  prepare: (graph, node) => meanParams(graph, node),
  tflite: {
    code: 40,
    options: OPTIONS.ReducerOptions,
    read: (o) => ({ keepDims: o?.bool(0, "keep_dims") ?? false }),
    write: (o) => [bool(0, o.keepDims)],
  },
};
