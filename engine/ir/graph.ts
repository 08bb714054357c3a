/**
 * The Graph IR: the one record every stage of the pipeline reads and writes.
 *
 * A Graph is a flat list of tensors and a topologically ordered list of nodes that refer to
 * tensors by index (as a `.tflite` subgraph does). Nodes are a discriminated union on `op`, so a
 * switch over `node.op` is exhaustive and each case sees its own typed `options`.
 *
 * Constant tensors carry their raw little-endian bytes in `data`; activations have no `data`.
 *
 * @module
 */

/** Element types the IR keeps. */
export type DType = "int8" | "uint8" | "int16" | "int32" | "int64" | "float32" | "bool";

/** Bytes per element of each {@link DType}. */
export const DTYPE_BYTES: Readonly<Record<DType, number>> = {
  int8: 1,
  uint8: 1,
  int16: 2,
  int32: 4,
  int64: 8,
  float32: 4,
  bool: 1,
};

/**
 * Affine quantization: `real = scale * (q - zeroPoint)`.
 * Per-tensor when `scale.length === 1`; per-channel along `axis` otherwise.
 */
export interface Quantization {
  readonly scale: readonly number[];
  readonly zeroPoint: readonly number[];
  /** The quantized dimension (TFLite `quantized_dimension`); 0 for per-tensor. */
  readonly axis: number;
}

/** One tensor of a graph. */
export interface Tensor {
  readonly name: string;
  /** Dimensions, outermost first (NHWC for activations, OHWI for conv filters, 1HWO for depthwise). */
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly quant?: Quantization;
  /** Raw little-endian bytes of a constant tensor; absent for activations. */
  readonly data?: Uint8Array;
  /**
   * A variable tensor (TFLite `is_variable`): the recurrent state of an LSTM or SVDF. Its `data`
   * is the state every inference starts from (zeros, as TFLM's variable reset leaves it); the
   * operator works on a private copy, so the tensor itself stays constant.
   */
  readonly variable?: boolean;
}

/** Fused activation functions TFLite attaches to an operator. */
export type Activation = "NONE" | "RELU" | "RELU6" | "RELU_N1_TO_1";

/** Convolution and pooling padding. */
export type Padding = "SAME" | "VALID";

/** Fields every node has. `inputs`/`outputs` are tensor indices; -1 marks an absent optional input. */
interface NodeBase {
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
}

export interface Conv2DOptions {
  readonly padding: Padding;
  readonly strideH: number;
  readonly strideW: number;
  readonly dilationH: number;
  readonly dilationW: number;
  readonly activation: Activation;
}

export interface DepthwiseConv2DOptions extends Conv2DOptions {
  readonly depthMultiplier: number;
}

export interface Pool2DOptions {
  readonly padding: Padding;
  readonly strideH: number;
  readonly strideW: number;
  readonly filterH: number;
  readonly filterW: number;
  readonly activation: Activation;
}

/** inputs: [input, filter (OHWI), bias (int32) or -1]. */
export interface Conv2DNode extends NodeBase {
  readonly op: "CONV_2D";
  readonly options: Conv2DOptions;
}
/** inputs: [input, filter (1HW(C*M)), bias or -1]. */
export interface DepthwiseConv2DNode extends NodeBase {
  readonly op: "DEPTHWISE_CONV_2D";
  readonly options: DepthwiseConv2DOptions;
}
/** inputs: [input, weights (OI), bias or -1]. */
export interface FullyConnectedNode extends NodeBase {
  readonly op: "FULLY_CONNECTED";
  readonly options: { readonly activation: Activation; readonly keepNumDims: boolean };
}
export interface AddNode extends NodeBase {
  readonly op: "ADD";
  readonly options: { readonly activation: Activation };
}
export interface MulNode extends NodeBase {
  readonly op: "MUL";
  readonly options: { readonly activation: Activation };
}
export interface AveragePool2DNode extends NodeBase {
  readonly op: "AVERAGE_POOL_2D";
  readonly options: Pool2DOptions;
}
export interface MaxPool2DNode extends NodeBase {
  readonly op: "MAX_POOL_2D";
  readonly options: Pool2DOptions;
}
/** inputs: [input, axes (int32 constant)]. */
export interface MeanNode extends NodeBase {
  readonly op: "MEAN";
  readonly options: { readonly keepDims: boolean };
}
/** inputs: [input, paddings (int32 constant, [rank][2])]. */
export interface PadNode extends NodeBase {
  readonly op: "PAD";
  readonly options: Record<never, never>;
}
/** inputs: [input] or [input, shape]; the output tensor's shape is authoritative. */
export interface ReshapeNode extends NodeBase {
  readonly op: "RESHAPE";
  readonly options: { readonly newShape: readonly number[] };
}
export interface SoftmaxNode extends NodeBase {
  readonly op: "SOFTMAX";
  readonly options: { readonly beta: number };
}
export interface LogisticNode extends NodeBase {
  readonly op: "LOGISTIC";
  readonly options: Record<never, never>;
}
export interface QuantizeNode extends NodeBase {
  readonly op: "QUANTIZE";
  readonly options: Record<never, never>;
}
export interface DequantizeNode extends NodeBase {
  readonly op: "DEQUANTIZE";
  readonly options: Record<never, never>;
}
/** inputs: [input, perm (int32 constant)]. */
export interface TransposeNode extends NodeBase {
  readonly op: "TRANSPOSE";
  readonly options: Record<never, never>;
}
export interface ConcatenationNode extends NodeBase {
  readonly op: "CONCATENATION";
  readonly options: { readonly axis: number; readonly activation: Activation };
}
export interface HardSwishNode extends NodeBase {
  readonly op: "HARD_SWISH";
  readonly options: Record<never, never>;
}
/**
 * Standalone RELU, RELU6 and RELU_N1_TO_1: int8 input requantized to the output's scale, then
 * clamped to the activation's bounds.
 */
export interface ReluNode extends NodeBase {
  readonly op: "RELU" | "RELU6" | "RELU_N1_TO_1";
  readonly options: Record<never, never>;
}
/** `x >= 0 ? x : alpha * x`, int8 with an identity and an alpha multiplier. */
export interface LeakyReluNode extends NodeBase {
  readonly op: "LEAKY_RELU";
  readonly options: { readonly alpha: number };
}
/** int8 TANH: the output has scale 1/128 and zero point 0. */
export interface TanhNode extends NodeBase {
  readonly op: "TANH";
  readonly options: Record<never, never>;
}
/** inputs: [minuend, subtrahend] (broadcasting). */
export interface SubNode extends NodeBase {
  readonly op: "SUB";
  readonly options: { readonly activation: Activation };
}
/** Elementwise maximum or minimum (broadcasting); all tensors share one quantization. */
export interface MaximumMinimumNode extends NodeBase {
  readonly op: "MAXIMUM" | "MINIMUM";
  readonly options: Record<never, never>;
}

/**
 * inputs: [input, begin, end, strides] (int32 constants, one entry per input axis). Ellipsis and
 * new-axis masks are not representable (the reader rejects them).
 */
export interface StridedSliceNode extends NodeBase {
  readonly op: "STRIDED_SLICE";
  readonly options: {
    readonly beginMask: number;
    readonly endMask: number;
    readonly shrinkAxisMask: number;
    readonly offset: boolean;
  };
}
/** int8 LOG_SOFTMAX over the last axis: the output has scale 16/256 and zero point 127. */
export interface LogSoftmaxNode extends NodeBase {
  readonly op: "LOG_SOFTMAX";
  readonly options: Record<never, never>;
}
/** inputs: [axis (int32 constant scalar), input]; `numSplits` equal outputs along the axis. */
export interface SplitNode extends NodeBase {
  readonly op: "SPLIT";
  readonly options: { readonly numSplits: number };
}
/** inputs: [input, size_splits (int32 constant, one -1 allowed), axis (int32 constant scalar)]. */
export interface SplitVNode extends NodeBase {
  readonly op: "SPLIT_V";
  readonly options: { readonly numSplits: number };
}
/** `valuesCount` inputs of one shape stacked along a new `axis` of the output. */
export interface PackNode extends NodeBase {
  readonly op: "PACK";
  readonly options: { readonly valuesCount: number; readonly axis: number };
}
/** One input cut along `axis` into `num` outputs, the axis removed. */
export interface UnpackNode extends NodeBase {
  readonly op: "UNPACK";
  readonly options: { readonly num: number; readonly axis: number };
}
/** int8 `1 / sqrt(x)` (inputs below the zero point are refused, as TFLM does at run time). */
export interface RsqrtNode extends NodeBase {
  readonly op: "RSQRT";
  readonly options: Record<never, never>;
}
/** `(a - b)^2` with broadcasting, int8 with TFLite's rescale-to-twice-the-larger-scale path. */
export interface SquaredDifferenceNode extends NodeBase {
  readonly op: "SQUARED_DIFFERENCE";
  readonly options: Record<never, never>;
}
/** inputs: [input, alpha (broadcast to the input)]: `x >= 0 ? x : alpha * x`. */
export interface PreluNode extends NodeBase {
  readonly op: "PRELU";
  readonly options: Record<never, never>;
}
/**
 * inputs: [input (int8), axis (int32 or int64 constant, one value)]: the index of the largest
 * value along the axis (the first one on ties, as TFLite), which the output drops.
 */
export interface ArgMaxNode extends NodeBase {
  readonly op: "ARG_MAX";
  readonly options: { readonly outputType: "int32" | "int64" };
}
/**
 * inputs: [lhs, rhs] (int8, rank 2 to 5; rhs constant or computed): `lhs x rhs` over the last two
 * dimensions (each transposed first when `adjX` / `adjY`), batch dimensions broadcast.
 */
export interface BatchMatMulNode extends NodeBase {
  readonly op: "BATCH_MATMUL";
  readonly options: { readonly adjX: boolean; readonly adjY: boolean };
}
/** int8 GELU through TFLite's 256-entry table; `approximate` chooses the tanh form over erf. */
export interface GeluNode extends NodeBase {
  readonly op: "GELU";
  readonly options: { readonly approximate: boolean };
}
/** inputs: [input (NHWC), size (int32 constant [height, width])]. */
export interface ResizeNearestNeighborNode extends NodeBase {
  readonly op: "RESIZE_NEAREST_NEIGHBOR";
  readonly options: { readonly alignCorners: boolean; readonly halfPixelCenters: boolean };
}

/** Options of UNIDIRECTIONAL_SEQUENCE_LSTM (the cell gate's activation is always TANH). */
export interface LstmOptions {
  /** Cell state clip (0: none), in real units. */
  readonly cellClip: number;
  /** Projection clip (0: none); the IR has no projection, so only kept for the round trip. */
  readonly projClip: number;
  /** Input is [time, batch, input] when true, [batch, time, input] otherwise. */
  readonly timeMajor: boolean;
}

/**
 * The integer (int8 x int8 -> int16) LSTM of TF-Lite Micro, 24 inputs as TFLite orders them:
 * [input, 4 input weights (input, forget, cell, output gates), 4 recurrent weights, 3 peephole
 * (-1), 4 gate biases (int32), projection weights and bias (-1), hidden state (int8 variable),
 * cell state (int16 variable), 4 layer-norm coefficients (-1)]. Output [.., time, state].
 */
export interface UnidirectionalSequenceLstmNode extends NodeBase {
  readonly op: "UNIDIRECTIONAL_SEQUENCE_LSTM";
  readonly options: LstmOptions;
}

/**
 * Integer SVDF (TFLM's int8 input, int16 state): inputs [input [B, I], feature weights [F, I]
 * int8, time weights [F, M] int16, bias [F / rank] int32 or -1, state [B, M * F] int16
 * variable]; output [B, F / rank] int8. The fused activation is kept for the round trip; TFLM's
 * integer kernel does not apply it (it clamps to int8).
 */
export interface SvdfNode extends NodeBase {
  readonly op: "SVDF";
  readonly options: { readonly rank: number; readonly activation: Activation };
}

/** Every operator the IR supports. */
export type Node =
  | Conv2DNode
  | DepthwiseConv2DNode
  | FullyConnectedNode
  | AddNode
  | MulNode
  | AveragePool2DNode
  | MaxPool2DNode
  | MeanNode
  | PadNode
  | ReshapeNode
  | SoftmaxNode
  | LogisticNode
  | QuantizeNode
  | DequantizeNode
  | TransposeNode
  | ConcatenationNode
  | HardSwishNode
  | ReluNode
  | LeakyReluNode
  | TanhNode
  | SubNode
  | MaximumMinimumNode
  | StridedSliceNode
  | ResizeNearestNeighborNode
  | LogSoftmaxNode
  | UnidirectionalSequenceLstmNode
  | SvdfNode
  | SplitNode
  | SplitVNode
  | PackNode
  | UnpackNode
  | RsqrtNode
  | SquaredDifferenceNode
  | PreluNode
  | ArgMaxNode
  | BatchMatMulNode
  | GeluNode;

/** The operator names, in a stable order. */
export type OpName = Node["op"];

/**
 * The node type of one operator (`NodeOf<"CONV_2D">` is `Conv2DNode`, `NodeOf<"RELU6">` is
 * `ReluNode`: a node type shared by several operators counts for each of them).
 */
export type NodeOf<K extends OpName> = Node extends infer N
  ? N extends { readonly op: infer O } ? K extends O ? N : never : never
  : never;

export const OP_NAMES: readonly OpName[] = [
  "CONV_2D",
  "DEPTHWISE_CONV_2D",
  "FULLY_CONNECTED",
  "ADD",
  "MUL",
  "AVERAGE_POOL_2D",
  "MAX_POOL_2D",
  "MEAN",
  "PAD",
  "RESHAPE",
  "SOFTMAX",
  "LOGISTIC",
  "QUANTIZE",
  "DEQUANTIZE",
  "TRANSPOSE",
  "CONCATENATION",
  "HARD_SWISH",
  "RELU",
  "RELU6",
  "RELU_N1_TO_1",
  "LEAKY_RELU",
  "TANH",
  "SUB",
  "MAXIMUM",
  "MINIMUM",
  "STRIDED_SLICE",
  "RESIZE_NEAREST_NEIGHBOR",
  "LOG_SOFTMAX",
  "UNIDIRECTIONAL_SEQUENCE_LSTM",
  "SVDF",
  "SPLIT",
  "SPLIT_V",
  "PACK",
  "UNPACK",
  "RSQRT",
  "SQUARED_DIFFERENCE",
  "PRELU",
  "ARG_MAX",
  "BATCH_MATMUL",
  "GELU",
];

/** A whole network: one subgraph, nodes in execution order. */
export interface Graph {
  readonly name: string;
  readonly tensors: readonly Tensor[];
  readonly nodes: readonly Node[];
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
}

/** Number of elements of a shape (1 for a scalar). */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Bytes a tensor occupies. */
export function tensorBytes(t: Tensor): number {
  return elementCount(t.shape) * DTYPE_BYTES[t.dtype];
}

/** View a constant tensor's bytes as int8 values. */
export function int8Data(t: Tensor): Int8Array {
  if (!t.data) throw new TypeError(`Cannot read tensor '${t.name}' as int8: it has no data`);
  return new Int8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/** Read a constant tensor's bytes as int32 values (copies, so alignment never matters). */
export function int32Data(t: Tensor): Int32Array {
  if (!t.data) throw new TypeError(`Cannot read tensor '${t.name}' as int32: it has no data`);
  const view = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  if (t.dtype === "int64") {
    // Exporters often write shapes and paddings as int64 (PyTorch, newer TF converters).
    const out = new Int32Array(t.data.byteLength >> 3);
    for (let i = 0; i < out.length; i++) {
      const v = view.getBigInt64(i * 8, true);
      if (v < -2147483648n || v > 2147483647n) {
        throw new RangeError(`Cannot read tensor '${t.name}' as int32: value ${v} is out of range`);
      }
      out[i] = Number(v);
    }
    return out;
  }
  const out = new Int32Array(t.data.byteLength >> 2);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt32(i * 4, true);
  return out;
}
