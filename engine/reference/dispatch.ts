/**
 * The operator -> kernel table of the reference interpreter (a record over every operator name,
 * so a new operator in the IR fails type checking here until it has a kernel).
 *
 * @module
 */

import type { Node, NodeOf, OpName } from "../ir/mod.ts";
import type { Kernel, KernelArgs } from "./kernels/_kernel.ts";
import { add } from "./kernels/add.ts";
import { argMax } from "./kernels/arg_max.ts";
import { batchMatMul } from "./kernels/batch_matmul.ts";
import { gelu } from "./kernels/gelu.ts";
import { averagePool2d } from "./kernels/average_pool2d.ts";
import { concatenation } from "./kernels/concatenation.ts";
import { conv2d } from "./kernels/conv2d.ts";
import { depthwiseConv2d } from "./kernels/depthwise_conv2d.ts";
import { dequantize } from "./kernels/dequantize.ts";
import { fullyConnected } from "./kernels/fully_connected.ts";
import { hardSwish } from "./kernels/hard_swish.ts";
import { logistic } from "./kernels/logistic.ts";
import { maxPool2d } from "./kernels/max_pool2d.ts";
import { mean } from "./kernels/mean.ts";
import { mul } from "./kernels/mul.ts";
import { pad } from "./kernels/pad.ts";
import { quantize } from "./kernels/quantize.ts";
import { reshape } from "./kernels/reshape.ts";
import { softmax } from "./kernels/softmax.ts";
import { logSoftmax } from "./kernels/log_softmax.ts";
import { pack, split, splitV, unpack } from "./kernels/split_pack.ts";
import { prelu, rsqrt, squaredDifference } from "./kernels/transformer_elementwise.ts";
import { transpose } from "./kernels/transpose.ts";
import { leakyRelu, relu } from "./kernels/relu.ts";
import { tanh } from "./kernels/tanh.ts";
import { sub } from "./kernels/sub.ts";
import { maximumMinimum } from "./kernels/maximum_minimum.ts";
import { stridedSlice } from "./kernels/strided_slice.ts";
import { resizeNearestNeighbor } from "./kernels/resize_nearest_neighbor.ts";
import { lstm } from "./kernels/lstm.ts";
import { svdf } from "./kernels/svdf.ts";

/** Each operator's reference kernel, typed against its own node (a missing one is a type error). */
const KERNELS: { readonly [K in OpName]: Kernel<NodeOf<K>> } = {
  CONV_2D: conv2d,
  DEPTHWISE_CONV_2D: depthwiseConv2d,
  FULLY_CONNECTED: fullyConnected,
  ADD: add,
  MUL: mul,
  AVERAGE_POOL_2D: averagePool2d,
  MAX_POOL_2D: maxPool2d,
  MEAN: mean,
  PAD: pad,
  RESHAPE: reshape,
  SOFTMAX: softmax,
  LOGISTIC: logistic,
  QUANTIZE: quantize,
  DEQUANTIZE: dequantize,
  TRANSPOSE: transpose,
  CONCATENATION: concatenation,
  HARD_SWISH: hardSwish,
  RELU: relu,
  RELU6: relu,
  RELU_N1_TO_1: relu,
  LEAKY_RELU: leakyRelu,
  TANH: tanh,
  SUB: sub,
  MAXIMUM: maximumMinimum,
  MINIMUM: maximumMinimum,
  STRIDED_SLICE: stridedSlice,
  RESIZE_NEAREST_NEIGHBOR: resizeNearestNeighbor,
  LOG_SOFTMAX: logSoftmax,
  UNIDIRECTIONAL_SEQUENCE_LSTM: lstm,
  SVDF: svdf,
  SPLIT: split,
  SPLIT_V: splitV,
  PACK: pack,
  UNPACK: unpack,
  RSQRT: rsqrt,
  SQUARED_DIFFERENCE: squaredDifference,
  PRELU: prelu,
  ARG_MAX: argMax,
  BATCH_MATMUL: batchMatMul,
  GELU: gelu,
};

/** Run the reference kernel of `args.node`. */
export function runKernel(args: KernelArgs<Node>): void {
  // The table pairs each op with its own node type; the lookup by `node.op` keeps that pairing.
  (KERNELS[args.node.op] as Kernel<Node>)(args);
}
