/**
 * RESHAPE: inputs [input] or [input, shape]; the output tensor's shape is authoritative. The
 * `.tflite` reader also reads SQUEEZE and EXPAND_DIMS as RESHAPE (pure reshapes whose output
 * shape says what they do; EXPAND_DIMS' axis input is dropped).
 *
 * @module
 */
import { elementCount } from "../ir/mod.ts";
import { shapeText } from "./_check.ts";
import { shapeOf } from "./_shape_util.ts";
import type { OpDef } from "./op_def.ts";
import { OPTIONS } from "./tflite_options.ts";

/** RESHAPE. */
export const RESHAPE: OpDef<"RESHAPE"> = {
  inputs: [1, 2],
  check(ctx) {
    const { inS, outS } = ctx;
    if (elementCount(inS) !== elementCount(outS)) {
      ctx.fail(`input shape ${shapeText(inS)} and output shape ${shapeText(outS)} differ in size`);
    }
  },
  outputShapes(graph, node) {
    const input = shapeOf(graph, node.inputs[0], `${node.op} input 0`);
    const declared = shapeOf(graph, node.outputs[0], "RESHAPE output");
    const target = declared.length > 0 ? declared : node.options.newShape;
    if (elementCount(target) !== elementCount(input)) {
      throw new RangeError(
        `Cannot reshape [${input.join(", ")}] to [${target.join(", ")}]: element counts differ`,
      );
    }
    return [[...target]];
  },
  tflite: {
    code: 22,
    options: OPTIONS.ReshapeOptions,
    aliases: [
      { name: "SQUEEZE", code: 43, options: OPTIONS.SqueezeOptions },
      { name: "EXPAND_DIMS", code: 70, options: OPTIONS.ExpandDimsOptions, keepInputs: 1 },
    ],
    read(o, ctx) {
      if (ctx.source !== "RESHAPE") return { newShape: [...ctx.outputShape] };
      const given = o?.int32s(0, "new_shape");
      return { newShape: given ?? [...ctx.outputShape] };
    },
    write: (o) => [{ kind: "i32s", slot: 0, values: o.newShape }],
  },
};
