/**
 * PAD: inputs [input, paddings (int32 constant, [rank][2])]; pads with the zero point.
 *
 * @module
 */
import { emptyOptions } from "./_codec.ts";
import { shapeText } from "./_check.ts";
import { constInt32, shapeOf } from "./_shape_util.ts";
import type { OpDef } from "./op_def.ts";
import { OPTIONS } from "./tflite_options.ts";

/** PAD. */
export const PAD: OpDef<"PAD"> = {
  inputs: [2, 2],
  check(ctx) {
    const { inS, outS } = ctx;
    const pads = ctx.ints(1, "paddings");
    const padT = ctx.tensor(1);
    if (padT.shape.length !== 2 || padT.shape[0] !== inS.length || padT.shape[1] !== 2) {
      ctx.fail(`paddings shape ${shapeText(padT.shape)} is not [${inS.length}, 2]`);
    }
    const expected = inS.map((d, k) => d + pads[2 * k]! + pads[2 * k + 1]!);
    if (pads.some((p) => p < 0)) {
      ctx.fail(`output shape ${shapeText(outS)} differs from the padded ${shapeText(expected)}`);
    }
    ctx.expectShape(expected, "the padded");
  },
  outputShapes(graph, node) {
    const input = shapeOf(graph, node.inputs[0], `${node.op} input 0`);
    const pads = constInt32(graph, node.inputs[1], "PAD paddings");
    return [input.map((d, i) => d + (pads[2 * i] ?? 0) + (pads[2 * i + 1] ?? 0))];
  },
  tflite: emptyOptions(34, OPTIONS.PadOptions),
};
