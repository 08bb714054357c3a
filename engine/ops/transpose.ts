/**
 * TRANSPOSE: inputs [input, perm (int32 constant)].
 *
 * @module
 */
import { emptyOptions } from "./_codec.ts";
import { constInt32, dim, shapeOf } from "./_shape_util.ts";
import type { OpDef } from "./op_def.ts";
import { OPTIONS } from "./tflite_options.ts";

/** TRANSPOSE. */
export const TRANSPOSE: OpDef<"TRANSPOSE"> = {
  inputs: [2, 2],
  check(ctx) {
    const { inS } = ctx;
    const perm = ctx.ints(1, "perm");
    const sorted = [...perm].sort((a, b) => a - b);
    if (perm.length !== inS.length || sorted.some((p, k) => p !== k)) {
      ctx.fail(`perm [${perm}] is not a permutation of rank ${inS.length}`);
    }
    ctx.expectShape(perm.map((p) => inS[p]!), "the transposed");
  },
  outputShapes(graph, node) {
    const input = shapeOf(graph, node.inputs[0], `${node.op} input 0`);
    const perm = constInt32(graph, node.inputs[1], "TRANSPOSE perm");
    return [Array.from(perm, (p) => dim(input, p))];
  },
  tflite: emptyOptions(39, OPTIONS.TransposeOptions),
};
