/**
 * Operator -> kernel template dispatch: an emitter registered per operator name.
 *
 * @module
 */
import { UnsupportedOpError } from "../../ir/mod.ts";
import type { OpName } from "../../ir/mod.ts";
import type { Layer, Lowered } from "../../schedule/mod.ts";
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
import { logSoftmaxTemplate } from "./kernels/log_softmax.ts";
import { lstmTemplate, svdfTemplate } from "./kernels/recurrent.ts";
import { axisCopyTemplate } from "./kernels/split_pack.ts";
import { argMaxTemplate } from "./kernels/arg_max.ts";
import { batchMatMulTemplate } from "./kernels/batch_matmul.ts";
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

/** A backend emitter: the kernel of one lowered layer under a kernel configuration. */
type Emitter = (lowered: Lowered, layer: Layer, config: KernelConfig) => LayerKernel;

const binary: Emitter = (lowered, layer) => binaryTemplate(lowered, layer);
const lut: Emitter = (lowered, layer) => lutTemplate(lowered, layer);
const pool: Emitter = (lowered, layer) => poolTemplate(lowered, layer);

/**
 * The tinyengine emitter of every operator, registered by name (a missing operator is a type
 * error). Unary int8 operators become a 256-entry lookup table; elementwise binaries share one.
 */
const EMITTERS: { readonly [K in OpName]: Emitter } = {
  CONV_2D: (lowered, layer, config) => convTemplate(lowered, layer, config.rowBlock),
  DEPTHWISE_CONV_2D: (lowered, layer, config) =>
    layer.pre ? fusedExpandTemplate(lowered, layer, config.rowBlock) : depthwiseTemplate(
      lowered,
      layer,
      !layer.inPlace && (config.depthwiseDirect || depthMultiplier(lowered, layer) >= 4),
    ),
  FULLY_CONNECTED: (lowered, layer, config) =>
    fullyConnectedTemplate(lowered, layer, config.fcDirect),
  ADD: binary,
  SUB: binary,
  MUL: binary,
  MAXIMUM: binary,
  MINIMUM: binary,
  AVERAGE_POOL_2D: pool,
  MAX_POOL_2D: pool,
  MEAN: (lowered, layer) => meanTemplate(lowered, layer),
  PAD: (lowered, layer) => padTemplate(lowered, layer),
  RESHAPE: (lowered, layer) => copyTemplate(lowered, layer),
  SOFTMAX: (lowered, layer) => softmaxTemplate(lowered, layer),
  LOG_SOFTMAX: (lowered, layer) => logSoftmaxTemplate(lowered, layer),
  SPLIT: (lowered, layer) => axisCopyTemplate(lowered, layer),
  SPLIT_V: (lowered, layer) => axisCopyTemplate(lowered, layer),
  PACK: (lowered, layer) => axisCopyTemplate(lowered, layer),
  UNPACK: (lowered, layer) => axisCopyTemplate(lowered, layer),
  // RSQRT is defined from the input zero point up: the table covers that domain.
  RSQRT: (lowered, layer) =>
    lutTemplate(
      lowered,
      layer,
      lowered.graph.tensors[layer.inputs[0]!]?.quant?.zeroPoint[0] ?? -128,
    ),
  SQUARED_DIFFERENCE: binary,
  PRELU: binary,
  ARG_MAX: (lowered, layer) => argMaxTemplate(lowered, layer),
  BATCH_MATMUL: (lowered, layer) => batchMatMulTemplate(lowered, layer),
  GELU: lut,
  LOGISTIC: lut,
  HARD_SWISH: lut,
  QUANTIZE: lut,
  RELU: lut,
  RELU6: lut,
  RELU_N1_TO_1: lut,
  LEAKY_RELU: lut,
  TANH: lut,
  TRANSPOSE: (lowered, layer) => transposeTemplate(lowered, layer),
  CONCATENATION: (lowered, layer) => concatTemplate(lowered, layer),
  STRIDED_SLICE: (lowered, layer) => stridedSliceTemplate(lowered, layer),
  RESIZE_NEAREST_NEIGHBOR: (lowered, layer) => resizeNearestTemplate(lowered, layer),
  UNIDIRECTIONAL_SEQUENCE_LSTM: (lowered, layer) => lstmTemplate(lowered, layer),
  SVDF: (lowered, layer) => svdfTemplate(lowered, layer),
  DEQUANTIZE: (_lowered, layer) => {
    throw new UnsupportedOpError(
      "DEQUANTIZE",
      layer.from[0] ?? -1,
      "tinyengine supports float only at the model boundary",
    );
  },
};

/**
 * The kernel for one lowered layer.
 *
 * @example
 * ```ts
 * import type { Lowered } from "../../schedule/mod.ts";
 * declare const lowered: Lowered;
 * const k = layerKernel(lowered, lowered.layers[0]!); // k.scratchBytes, k.emit(ctx)
 * ```
 */
export function layerKernel(
  lowered: Lowered,
  layer: Layer,
  config: KernelConfig = DEFAULT_KERNEL_CONFIG,
): LayerKernel {
  return EMITTERS[layer.op](lowered, layer, config);
}
