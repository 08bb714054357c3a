/**
 * Elementwise operators of attention and layer-norm blocks: RSQRT (unary), SQUARED_DIFFERENCE
 * and PRELU (binary, NumPy broadcasting of the second input).
 *
 * @module
 */
import { emptyOptions } from "./_codec.ts";
import type { Graph, NodeOf } from "../ir/mod.ts";
import { preluParams, rsqrtParams, squaredDifferenceParams } from "../quant/mod.ts";
import { broadcastShapes, type CheckContext, shapeText } from "./_check.ts";
import { sameAsInput, shapeOf } from "./_shape_util.ts";
import type { OpDef } from "./op_def.ts";
import { OPTIONS } from "./tflite_options.ts";

/** The output has the broadcast shape of the two inputs. */
function checkBroadcast(ctx: CheckContext): void {
  const other = ctx.tensor(1).shape;
  const b = broadcastShapes(ctx.inS, other);
  if (!b) ctx.fail(`input shapes ${shapeText(ctx.inS)} and ${shapeText(other)} do not broadcast`);
  ctx.expectShape(b, "the broadcast shape");
}

function broadcastOutput(graph: Graph, node: NodeOf<"SQUARED_DIFFERENCE" | "PRELU">): number[][] {
  const a = shapeOf(graph, node.inputs[0], `${node.op} input 0`);
  const b = shapeOf(graph, node.inputs[1], `${node.op} input 1`);
  const out = broadcastShapes(a, b);
  if (!out) throw new RangeError(`Cannot broadcast [${a.join(", ")}] with [${b.join(", ")}]`);
  return [out];
}

/** RSQRT. */
export const RSQRT: OpDef<"RSQRT"> = {
  inputs: [1, 1],
  check: (ctx) => ctx.sameShape(),
  outputShapes: sameAsInput,
  prepare: rsqrtParams,
  tflite: { code: 76, read: () => ({}) },
};

/** SQUARED_DIFFERENCE. */
export const SQUARED_DIFFERENCE: OpDef<"SQUARED_DIFFERENCE"> = {
  inputs: [2, 2],
  check: checkBroadcast,
  outputShapes: broadcastOutput,
  prepare: squaredDifferenceParams,
  tflite: emptyOptions(99, OPTIONS.SquaredDifferenceOptions),
};

/** PRELU. */
export const PRELU: OpDef<"PRELU"> = {
  inputs: [2, 2],
  check: checkBroadcast,
  outputShapes: broadcastOutput,
  prepare: preluParams,
  tflite: { code: 54, read: () => ({}) },
};
