/**
 * ARG_MAX: inputs [input, axis (int32 or int64 constant, one value)]; the index of the largest
 * value along the axis, which the output drops, as int32 or int64 (`output_type`).
 *
 * @module
 */
import type { Graph, NodeOf } from "../ir/mod.ts";
import { constInt32, shapeOf } from "./_shape_util.ts";
import type { OpDef } from "./op_def.ts";
import { i8, OPTIONS } from "./tflite_options.ts";

/** TFLite `TensorType` values of the two index types ARG_MAX may produce. */
const TENSOR_TYPE = { int32: 2, int64: 4 } as const;

/** The reduced axis of an ARG_MAX node, made non-negative (throws when out of range). */
export function argMaxAxis(graph: Graph, node: NodeOf<"ARG_MAX">): number {
  const rank = shapeOf(graph, node.inputs[0], "ARG_MAX input").length;
  const values = constInt32(graph, node.inputs[1], "ARG_MAX axis");
  const a = values[0];
  if (values.length !== 1 || a === undefined || a < -rank || a >= rank) {
    throw new RangeError(
      `Cannot use ARG_MAX axis [${
        Array.from(values).join(", ")
      }]: expected one axis of a rank ${rank} input`,
    );
  }
  return a < 0 ? a + rank : a;
}

/** ARG_MAX. */
export const ARG_MAX: OpDef<"ARG_MAX"> = {
  inputs: [2, 2],
  check(ctx, node) {
    const axes = ctx.ints(1, "axis");
    const rank = ctx.inS.length;
    if (axes.length !== 1) ctx.fail(`axis has ${axes.length} values, expected 1`);
    const a = axes[0]!;
    if (a < -rank || a >= rank) ctx.fail(`axis ${a} is out of range for rank ${rank}`);
    if (ctx.output.dtype !== node.options.outputType) {
      ctx.fail(
        `output dtype ${ctx.output.dtype} differs from output_type ${node.options.outputType}`,
      );
    }
    const axis = a < 0 ? a + rank : a;
    ctx.expectShape(ctx.inS.filter((_, k) => k !== axis), "the input shape without the axis");
  },
  outputShapes(graph, node) {
    const axis = argMaxAxis(graph, node);
    return [shapeOf(graph, node.inputs[0], "ARG_MAX input").filter((_, k) => k !== axis)];
  },
  describe: (node) => node.options.outputType,
  tflite: {
    code: 56,
    options: OPTIONS.ArgMaxOptions,
    read(o, ctx) {
      const t = o?.i8(0, "output_type", TENSOR_TYPE.int64) ?? TENSOR_TYPE.int64;
      if (t === TENSOR_TYPE.int32) return { outputType: "int32" };
      if (t === TENSOR_TYPE.int64) return { outputType: "int64" };
      return ctx.unsupported(`output_type ${t} (only INT32 and INT64 are supported)`);
    },
    write: (o) => [i8(0, TENSOR_TYPE[o.outputType], TENSOR_TYPE.int64)],
  },
};
