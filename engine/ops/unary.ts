/**
 * Elementwise unary operators: one input, an output of the same shape. LOGISTIC, TANH,
 * HARD_SWISH, QUANTIZE, DEQUANTIZE, the standalone RELUs and LEAKY_RELU.
 *
 * @module
 */
import { oneNumberOption } from "./_codec.ts";
import {
  hardSwishParams,
  leakyReluParams,
  logisticParams,
  quantizeNodeParams,
  reluParams,
} from "../quant/mod.ts";
import { sameAsInput } from "./_shape_util.ts";
import type { OpDef, OptionsTableKind } from "./op_def.ts";
import { OPTIONS } from "./tflite_options.ts";

type OptionlessUnary =
  | "LOGISTIC"
  | "TANH"
  | "HARD_SWISH"
  | "QUANTIZE"
  | "DEQUANTIZE"
  | "RELU"
  | "RELU6"
  | "RELU_N1_TO_1";

/**
 * A unary operator without options: `table` is the (empty) options table it writes and checks,
 * undefined for operators that write none.
 */
function unary(code: number, table: OptionsTableKind | undefined): OpDef<OptionlessUnary> {
  return {
    inputs: [1, 1],
    check: (ctx) => ctx.sameShape(),
    outputShapes: sameAsInput,
    tflite: {
      code,
      ...(table ? { options: table, write: () => [] } : {}),
      read: () => ({}),
    },
  };
}

/** LOGISTIC. */
export const LOGISTIC: OpDef<"LOGISTIC"> = { ...unary(14, undefined), prepare: logisticParams };
/** TANH (int8: output scale 1/128, zero point 0). */
export const TANH: OpDef<"TANH"> = { ...unary(28, undefined), prepare: logisticParams };
/** HARD_SWISH. */
export const HARD_SWISH: OpDef<"HARD_SWISH"> = {
  ...unary(117, OPTIONS.HardSwishOptions),
  prepare: hardSwishParams,
};
/** QUANTIZE (float to int8, or int8 requantized). */
export const QUANTIZE: OpDef<"QUANTIZE"> = {
  ...unary(114, OPTIONS.QuantizeOptions),
  prepare: quantizeNodeParams,
};
/** DEQUANTIZE. */
export const DEQUANTIZE: OpDef<"DEQUANTIZE"> = { ...unary(6, OPTIONS.DequantizeOptions) };
/** RELU. */
export const RELU: OpDef<"RELU"> = { ...unary(19, undefined), prepare: reluParams };
/** RELU6. */
export const RELU6: OpDef<"RELU6"> = { ...unary(21, undefined), prepare: reluParams };
/** RELU_N1_TO_1. */
export const RELU_N1_TO_1: OpDef<"RELU_N1_TO_1"> = { ...unary(20, undefined), prepare: reluParams };

/** LEAKY_RELU: `x >= 0 ? x : alpha * x`. */
export const LEAKY_RELU: OpDef<"LEAKY_RELU"> = {
  inputs: [1, 1],
  check(ctx, node) {
    if (!Number.isFinite(node.options.alpha)) ctx.fail(`alpha ${node.options.alpha} is not finite`);
    ctx.sameShape();
  },
  outputShapes: sameAsInput,
  describe: (node) => `alpha ${node.options.alpha}`,
  prepare: leakyReluParams,
  tflite: oneNumberOption(98, OPTIONS.LeakyReluOptions, "f32", "alpha", "alpha"),
};
