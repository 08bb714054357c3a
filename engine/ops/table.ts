/**
 * The one table of operator definitions, typed against the operator-name union: an operator of
 * the IR without a definition here is a type error.
 *
 * @module
 */
import type { Node, OpName } from "../ir/mod.ts";
import { CONCATENATION } from "./concatenation.ts";
import { CONV_2D, DEPTHWISE_CONV_2D } from "./conv.ts";
import { ADD, MAXIMUM, MINIMUM, MUL, SUB } from "./elementwise_binary.ts";
import { FULLY_CONNECTED } from "./fully_connected.ts";
import { MEAN } from "./mean.ts";
import type { OpDef } from "./op_def.ts";
import { PAD } from "./pad.ts";
import { AVERAGE_POOL_2D, MAX_POOL_2D } from "./pool.ts";
import { SVDF, UNIDIRECTIONAL_SEQUENCE_LSTM } from "./recurrent.ts";
import { RESHAPE } from "./reshape.ts";
import { RESIZE_NEAREST_NEIGHBOR } from "./resize_nearest_neighbor.ts";
import { LOG_SOFTMAX, SOFTMAX } from "./softmax.ts";
import { PACK, SPLIT, SPLIT_V, UNPACK } from "./split_pack.ts";
import { STRIDED_SLICE } from "./strided_slice.ts";
import { TRANSPOSE } from "./transpose.ts";
import { PRELU, RSQRT, SQUARED_DIFFERENCE } from "./transformer_elementwise.ts";
import { ARG_MAX } from "./arg_max.ts";
import { BATCH_MATMUL } from "./batch_matmul.ts";
import { GELU } from "./gelu.ts";
import {
  DEQUANTIZE,
  HARD_SWISH,
  LEAKY_RELU,
  LOGISTIC,
  QUANTIZE,
  RELU,
  RELU6,
  RELU_N1_TO_1,
  TANH,
} from "./unary.ts";

/** Every operator's definition, by name. */
export const OPS: { readonly [K in OpName]: OpDef<K> } = {
  CONV_2D,
  DEPTHWISE_CONV_2D,
  FULLY_CONNECTED,
  ADD,
  MUL,
  AVERAGE_POOL_2D,
  MAX_POOL_2D,
  MEAN,
  PAD,
  RESHAPE,
  SOFTMAX,
  LOGISTIC,
  QUANTIZE,
  DEQUANTIZE,
  TRANSPOSE,
  CONCATENATION,
  HARD_SWISH,
  RELU,
  RELU6,
  RELU_N1_TO_1,
  LEAKY_RELU,
  TANH,
  SUB,
  MAXIMUM,
  MINIMUM,
  STRIDED_SLICE,
  RESIZE_NEAREST_NEIGHBOR,
  LOG_SOFTMAX,
  UNIDIRECTIONAL_SEQUENCE_LSTM,
  SVDF,
  SPLIT,
  SPLIT_V,
  PACK,
  UNPACK,
  RSQRT,
  SQUARED_DIFFERENCE,
  PRELU,
  ARG_MAX,
  BATCH_MATMUL,
  GELU,
};

/**
 * The definition of `node`'s operator, typed against that node (the table pairs each name with
 * its own node type), or undefined for a name the IR does not know.
 *
 * @example
 * ```ts
 * import { opDef } from "./table.ts";
 * if (opDef({ op: "RELU", inputs: [0], outputs: [1], options: {} })?.tflite.code !== 19) {
 *   throw new Error("unexpected");
 * }
 * ```
 */
export function opDef(node: Node): OpDef<OpName> | undefined {
  const name: string = node.op;
  // Own names only: a corrupt node named "constructor" must not find Object's prototype.
  return Object.hasOwn(OPS, name) ? (OPS[node.op] as unknown as OpDef<OpName>) : undefined;
}
