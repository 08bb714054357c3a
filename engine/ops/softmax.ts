/**
 * SOFTMAX and LOG_SOFTMAX over the last axis, int8 with TFLite's fixed-point exp, reciprocal
 * and log.
 *
 * @module
 */
import { emptyOptions, oneNumberOption } from "./_codec.ts";
import { logSoftmaxParams, softmaxParams } from "../quant/mod.ts";
import { sameAsInput } from "./_shape_util.ts";
import type { OpDef } from "./op_def.ts";
import { OPTIONS } from "./tflite_options.ts";

/** SOFTMAX. */
export const SOFTMAX: OpDef<"SOFTMAX"> = {
  inputs: [1, 1],
  check: (ctx) => ctx.sameShape(),
  outputShapes: sameAsInput,
  describe: (node) => `beta ${node.options.beta}`,
  prepare: softmaxParams,
  tflite: oneNumberOption(25, OPTIONS.SoftmaxOptions, "f32", "beta", "beta"),
};

/** LOG_SOFTMAX (int8: output scale 16/256, zero point 127). */
export const LOG_SOFTMAX: OpDef<"LOG_SOFTMAX"> = {
  inputs: [1, 1],
  check: (ctx) => ctx.sameShape(),
  outputShapes: sameAsInput,
  prepare: logSoftmaxParams,
  tflite: emptyOptions(50, OPTIONS.LogSoftmaxOptions),
};
