/**
 * SOFTMAX and LOG_SOFTMAX over the last axis, int8 with TFLite's fixed-point exp, reciprocal
 * and log.
 *
 * @module
 */
import { logSoftmaxParams, softmaxParams } from "../quant/mod.ts";
import { sameAsInput } from "./_shape_util.ts";
import type { OpDef } from "./op_def.ts";
import { f32, OPTIONS } from "./tflite_options.ts";

/** SOFTMAX. */
export const SOFTMAX: OpDef<"SOFTMAX"> = {
  inputs: [1, 1],
  check: (ctx) => ctx.sameShape(),
  outputShapes: sameAsInput,
  describe: (node) => `beta ${node.options.beta}`,
  prepare: softmaxParams,
  tflite: {
    code: 25,
    options: OPTIONS.SoftmaxOptions,
    read: (o) => ({ beta: o?.f32(0, "beta") ?? 0 }),
    write: (o) => [f32(0, o.beta)],
  },
};

/** LOG_SOFTMAX (int8: output scale 16/256, zero point 127). */
export const LOG_SOFTMAX: OpDef<"LOG_SOFTMAX"> = {
  inputs: [1, 1],
  check: (ctx) => ctx.sameShape(),
  outputShapes: sameAsInput,
  prepare: logSoftmaxParams,
  tflite: {
    code: 50,
    options: OPTIONS.LogSoftmaxOptions,
    read: () => ({}),
    write: () => [],
  },
};
