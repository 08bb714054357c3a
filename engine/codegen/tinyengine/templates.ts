/**
 * Operator -> kernel template dispatch (an exhaustive switch over the IR's ops).
 *
 * @module
 */
import { UnsupportedOpError } from "../../ir/errors.ts";
import type { Layer, Lowered } from "../../schedule/passes/types.ts";
import { depthwiseTemplate } from "./kernels/depthwise.ts";
import { fusedExpandTemplate } from "./kernels/fused_expand.ts";
import { binaryTemplate, lutTemplate } from "./kernels/elementwise.ts";
import { convTemplate, fullyConnectedTemplate } from "./kernels/matmul.ts";
import {
  concatTemplate,
  copyTemplate,
  padTemplate,
  resizeNearestTemplate,
  stridedSliceTemplate,
  transposeTemplate,
} from "./kernels/movement.ts";
import { meanTemplate, poolTemplate, softmaxTemplate } from "./kernels/reduce.ts";
import type { LayerKernel } from "./kernels/types.ts";

/** Output channels per input channel of a depthwise layer. */
function depthMultiplier(lowered: Lowered, layer: Layer): number {
  const inC = lowered.graph.tensors[layer.inputs[0]!]!.shape.at(-1) ?? 1;
  const outC = lowered.graph.tensors[layer.outputs[0]!]!.shape.at(-1) ?? 1;
  return outC / inC;
}

/** Kernel choices that trade instructions for scratch bytes. */
export interface KernelConfig {
  /** Depthwise layers that are not in place read the input directly (no plane copy). */
  readonly depthwiseDirect: boolean;
  /** Single-row FULLY_CONNECTED unpacks its input on the fly (no int16 copy). */
  readonly fcDirect: boolean;
  /** Rows per matrix-kernel pass (scratch grows with it). */
  readonly rowBlock: number;
}

/** The fastest kernels. */
export const DEFAULT_KERNEL_CONFIG: KernelConfig = {
  depthwiseDirect: false,
  fcDirect: false,
  rowBlock: 4,
};

/** The kernels with the least scratch. */
export const LEAN_KERNEL_CONFIG: KernelConfig = {
  depthwiseDirect: true,
  fcDirect: true,
  rowBlock: 1,
};

/**
 * The kernel for one lowered layer.
 *
 * @example
 * ```ts
 * const k = layerKernel(lowered, lowered.layers[0]); // k.scratchBytes, k.emit(ctx)
 * ```
 */
export function layerKernel(
  lowered: Lowered,
  layer: Layer,
  config: KernelConfig = DEFAULT_KERNEL_CONFIG,
): LayerKernel {
  switch (layer.op) {
    case "CONV_2D":
      return convTemplate(lowered, layer, config.rowBlock);
    case "DEPTHWISE_CONV_2D":
      if (layer.pre) return fusedExpandTemplate(lowered, layer, config.rowBlock);
      return depthwiseTemplate(
        lowered,
        layer,
        !layer.inPlace && (config.depthwiseDirect || depthMultiplier(lowered, layer) >= 4),
      );
    case "FULLY_CONNECTED":
      return fullyConnectedTemplate(lowered, layer, config.fcDirect);
    case "ADD":
    case "SUB":
    case "MUL":
    case "MAXIMUM":
    case "MINIMUM":
      return binaryTemplate(lowered, layer);
    case "AVERAGE_POOL_2D":
    case "MAX_POOL_2D":
      return poolTemplate(lowered, layer);
    case "MEAN":
      return meanTemplate(lowered, layer);
    case "PAD":
      return padTemplate(lowered, layer);
    case "RESHAPE":
      return copyTemplate(lowered, layer);
    case "SOFTMAX":
      return softmaxTemplate(lowered, layer);
    case "LOGISTIC":
    case "HARD_SWISH":
    case "QUANTIZE":
    case "RELU":
    case "RELU6":
    case "RELU_N1_TO_1":
    case "LEAKY_RELU":
    case "TANH":
      return lutTemplate(lowered, layer);
    case "TRANSPOSE":
      return transposeTemplate(lowered, layer);
    case "CONCATENATION":
      return concatTemplate(lowered, layer);
    case "STRIDED_SLICE":
      return stridedSliceTemplate(lowered, layer);
    case "RESIZE_NEAREST_NEIGHBOR":
      return resizeNearestTemplate(lowered, layer);
    case "DEQUANTIZE":
      throw new UnsupportedOpError(
        "DEQUANTIZE",
        layer.from[0] ?? -1,
        "tinyengine supports float only at the model boundary",
      );
  }
}
