/**
 * Operator -> kernel template dispatch (an exhaustive switch over the IR's ops).
 *
 * @module
 */
import { UnsupportedOpError } from "../../ir/errors.ts";
import type { Layer, Lowered } from "../../schedule/passes/types.ts";
import { depthwiseTemplate } from "./kernels/depthwise.ts";
import { binaryTemplate, lutTemplate } from "./kernels/elementwise.ts";
import { convTemplate, fullyConnectedTemplate } from "./kernels/matmul.ts";
import {
  concatTemplate,
  copyTemplate,
  padTemplate,
  transposeTemplate,
} from "./kernels/movement.ts";
import { meanTemplate, poolTemplate, softmaxTemplate } from "./kernels/reduce.ts";
import type { LayerKernel } from "./kernels/types.ts";

/**
 * The kernel for one lowered layer.
 *
 * @example
 * ```ts
 * const k = layerKernel(lowered, lowered.layers[0]); // k.scratchBytes, k.emit(ctx)
 * ```
 */
export function layerKernel(lowered: Lowered, layer: Layer): LayerKernel {
  switch (layer.op) {
    case "CONV_2D":
      return convTemplate(lowered, layer);
    case "DEPTHWISE_CONV_2D":
      return depthwiseTemplate(lowered, layer);
    case "FULLY_CONNECTED":
      return fullyConnectedTemplate(lowered, layer);
    case "ADD":
    case "MUL":
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
      return lutTemplate(lowered, layer);
    case "TRANSPOSE":
      return transposeTemplate(lowered, layer);
    case "CONCATENATION":
      return concatTemplate(lowered, layer);
    case "DEQUANTIZE":
      throw new UnsupportedOpError(
        "DEQUANTIZE",
        layer.from[0] ?? -1,
        "tinyengine supports float only at the model boundary",
      );
  }
}
