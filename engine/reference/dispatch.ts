/**
 * The operator -> kernel table of the reference interpreter (an exhaustive switch, so a new
 * operator in the IR fails type checking here until it has a kernel).
 *
 * @module
 */

import type { Node } from "../ir/graph.ts";
import type { KernelArgs } from "./kernels/_kernel.ts";
import { add } from "./kernels/add.ts";
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
import { transpose } from "./kernels/transpose.ts";
import { leakyRelu, relu } from "./kernels/relu.ts";
import { tanh } from "./kernels/tanh.ts";
import { sub } from "./kernels/sub.ts";
import { maximumMinimum } from "./kernels/maximum_minimum.ts";
import { stridedSlice } from "./kernels/strided_slice.ts";
import { resizeNearestNeighbor } from "./kernels/resize_nearest_neighbor.ts";

/** Run the reference kernel of `args.node`. */
export function runKernel(args: KernelArgs<Node>): void {
  const node = args.node;
  switch (node.op) {
    case "CONV_2D":
      return conv2d({ ...args, node });
    case "DEPTHWISE_CONV_2D":
      return depthwiseConv2d({ ...args, node });
    case "FULLY_CONNECTED":
      return fullyConnected({ ...args, node });
    case "ADD":
      return add({ ...args, node });
    case "MUL":
      return mul({ ...args, node });
    case "AVERAGE_POOL_2D":
      return averagePool2d({ ...args, node });
    case "MAX_POOL_2D":
      return maxPool2d({ ...args, node });
    case "MEAN":
      return mean({ ...args, node });
    case "PAD":
      return pad({ ...args, node });
    case "RESHAPE":
      return reshape({ ...args, node });
    case "SOFTMAX":
      return softmax({ ...args, node });
    case "LOGISTIC":
      return logistic({ ...args, node });
    case "QUANTIZE":
      return quantize({ ...args, node });
    case "DEQUANTIZE":
      return dequantize({ ...args, node });
    case "TRANSPOSE":
      return transpose({ ...args, node });
    case "CONCATENATION":
      return concatenation({ ...args, node });
    case "HARD_SWISH":
      return hardSwish({ ...args, node });
    case "RELU":
    case "RELU6":
    case "RELU_N1_TO_1":
      return relu({ ...args, node });
    case "LEAKY_RELU":
      return leakyRelu({ ...args, node });
    case "TANH":
      return tanh({ ...args, node });
    case "SUB":
      return sub({ ...args, node });
    case "MAXIMUM":
    case "MINIMUM":
      return maximumMinimum({ ...args, node });
    case "STRIDED_SLICE":
      return stridedSlice({ ...args, node });
    case "RESIZE_NEAREST_NEIGHBOR":
      return resizeNearestNeighbor({ ...args, node });
  }
}
