/**
 * FULLY_CONNECTED: inputs [input, weights (OI), bias or -1]; every row of `I` input values gives
 * `O` outputs.
 *
 * @module
 */
import { elementCount } from "../ir/mod.ts";
import { fullyConnectedParams } from "../quant/mod.ts";
import { shapeText } from "./_check.ts";
import { dim, macShape, shapeOf } from "./_shape_util.ts";
import { activationText } from "./conv.ts";
import type { OpDef } from "./op_def.ts";
import { activationField, bool, OPTIONS } from "./tflite_options.ts";

/** Field slots of `FullyConnectedOptions`. */
const FC = { activation: 0, weightsFormat: 1, keepNumDims: 2 };

/** FULLY_CONNECTED. */
export const FULLY_CONNECTED: OpDef<"FULLY_CONNECTED"> = {
  inputs: [2, 3],
  optionalInputs: [2],
  check(ctx) {
    const { inS, outS } = ctx;
    const w = ctx.constant(1, "weights");
    ctx.rank(w, 2, "weights");
    const [oc, ic] = w.shape as [number, number];
    const inCount = elementCount(inS);
    if (ic < 1 || inCount % ic !== 0) {
      ctx.fail(`input shape ${shapeText(inS)} is not a whole number of rows of ${ic}`);
    }
    if (outS[outS.length - 1] !== oc || elementCount(outS) !== (inCount / ic) * oc) {
      ctx.fail(
        `output shape ${shapeText(outS)} does not match ${inCount / ic} rows of ${oc} outputs`,
      );
    }
    ctx.perChannel(w, 0, "weights");
    ctx.bias(oc);
  },
  outputShapes(graph, node) {
    const input = shapeOf(graph, node.inputs[0], `${node.op} input 0`);
    const weights = shapeOf(graph, node.inputs[1], "FULLY_CONNECTED weights");
    const units = dim(weights, 0);
    const depth = dim(weights, 1);
    if (node.options.keepNumDims) return [[...input.slice(0, -1), units]];
    return [[elementCount(input) / depth, units]];
  },
  macs(graph, node) {
    const weights = macShape(graph, node.inputs[1]);
    const out = elementCount(macShape(graph, node.outputs[0]));
    return out * (weights[1] ?? 1);
  },
  trainable: { foldedBatchNorm: false },
  describe: (node) => activationText(node.options.activation).trim(),
  prepare: fullyConnectedParams,
  tflite: {
    code: 9,
    options: OPTIONS.FullyConnectedOptions,
    read(o, ctx) {
      const format = o?.i8(FC.weightsFormat, "weights_format") ?? 0;
      if (format !== 0) ctx.unsupported(`weights format ${format} is not supported`);
      return {
        activation: ctx.activation(o, FC.activation),
        keepNumDims: o?.bool(FC.keepNumDims, "keep_num_dims") ?? false,
      };
    },
    write: (
      o,
    ) => [activationField(FC.activation, o.activation), bool(FC.keepNumDims, o.keepNumDims)],
  },
};
