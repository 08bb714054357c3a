/**
 * CONCATENATION: any number of inputs joined along `axis`, with a fused activation.
 *
 * @module
 */
import { concatenationParams } from "../quant/mod.ts";
import { shapeText } from "./_check.ts";
import { dim, shapeOf } from "./_shape_util.ts";
import { activationText } from "./conv.ts";
import type { OpDef } from "./op_def.ts";
import { activationField, i32, OPTIONS } from "./tflite_options.ts";

/** CONCATENATION. */
export const CONCATENATION: OpDef<"CONCATENATION"> = {
  inputs: [1, Number.MAX_SAFE_INTEGER],
  check(ctx, node) {
    const { outS } = ctx;
    const r = outS.length;
    const axis = node.options.axis < 0 ? node.options.axis + r : node.options.axis;
    if (!Number.isInteger(axis) || axis < 0 || axis >= r) {
      ctx.fail(`axis ${node.options.axis} is out of range for rank ${r}`);
    }
    let sum = 0;
    node.inputs.forEach((_, k) => {
      const s = ctx.tensor(k).shape;
      if (s.length !== r || s.some((d, j) => j !== axis && d !== outS[j])) {
        ctx.fail(`input ${k} shape ${shapeText(s)} does not fit output ${shapeText(outS)}`);
      }
      sum += s[axis]!;
    });
    if (sum !== outS[axis]) {
      ctx.fail(`inputs add up to ${sum} along axis ${axis}, output has ${outS[axis]}`);
    }
  },
  outputShapes(graph, node) {
    const input = shapeOf(graph, node.inputs[0], `${node.op} input 0`);
    const axis = node.options.axis < 0 ? node.options.axis + input.length : node.options.axis;
    const out = [...input];
    out[axis] = node.inputs.reduce(
      (sum, t, i) => sum + dim(shapeOf(graph, t, `CONCATENATION input ${i}`), axis),
      0,
    );
    return [out];
  },
  describe: (node) => `axis ${node.options.axis}${activationText(node.options.activation)}`,
  prepare: concatenationParams,
  tflite: {
    code: 2,
    options: OPTIONS.ConcatenationOptions,
    read: (o, ctx) => ({
      axis: o?.i32(0, "axis") ?? 0,
      activation: ctx.activation(o, 1),
    }),
    write: (o) => [i32(0, o.axis), activationField(1, o.activation)],
  },
};
