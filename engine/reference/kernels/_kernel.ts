/**
 * What every reference kernel receives, and small shared helpers.
 *
 * @module
 */

import type { DType, Graph, Node, Tensor } from "../../ir/mod.ts";
import { multiplyByQuantizedMultiplier, tensorQuant } from "../../quant/mod.ts";
import { UnsupportedKernelError } from "../errors.ts";
import { type Window2D, window2D } from "../geometry.ts";

/** The arguments of one kernel invocation. */
export interface KernelArgs<N extends Node> {
  readonly graph: Graph;
  readonly node: N;
  /** Index of the node in `graph.nodes` (for error messages). */
  readonly index: number;
  /** Raw bytes of each node input (aligned copies); `undefined` for an absent optional input. */
  readonly inputs: readonly (Uint8Array | undefined)[];
  /** Preallocated, zeroed, aligned output buffers, one per node output. */
  readonly outputs: readonly Uint8Array[];
  /**
   * For convolutions and pools run on a crop of their input (patch-wise evaluation): the output
   * size and leading padding of the crop, replacing what the node's padding mode gives for the
   * (cropped) tensor shapes. Absent for a whole-tensor run.
   */
  readonly window?: Window2D;
}

/** Signature of a reference kernel. */
export type Kernel<N extends Node> = (args: KernelArgs<N>) => void;

/** The tensor behind the `i`-th input of the node (throws if absent). */
export function inputTensor<N extends Node>(args: KernelArgs<N>, i: number): Tensor {
  const index = args.node.inputs[i];
  const t = index === undefined || index < 0 ? undefined : args.graph.tensors[index];
  if (!t) fail(args, `input ${i} is missing`);
  return t;
}

/** The tensor behind the `i`-th output of the node. */
export function outputTensor<N extends Node>(args: KernelArgs<N>, i = 0): Tensor {
  const index = args.node.outputs[i];
  const t = index === undefined ? undefined : args.graph.tensors[index];
  if (!t) fail(args, `output ${i} is missing`);
  return t;
}

/** Bytes of the `i`-th input (throws if absent). */
export function inputBytes<N extends Node>(args: KernelArgs<N>, i: number): Uint8Array {
  const b = args.inputs[i];
  if (!b) fail(args, `input ${i} has no data`);
  return b;
}

/** Bytes of the `i`-th output. */
export function outputBytes<N extends Node>(args: KernelArgs<N>, i = 0): Uint8Array {
  const b = args.outputs[i];
  if (!b) fail(args, `output ${i} has no buffer`);
  return b;
}

/** The int8 values of the `i`-th input (a view of its bytes). */
export function int8Input<N extends Node>(args: KernelArgs<N>, i: number): Int8Array {
  return asInt8(inputBytes(args, i));
}

/** The `i`-th output buffer as int8 (a view of its bytes). */
export function int8Output<N extends Node>(args: KernelArgs<N>, i = 0): Int8Array {
  return asInt8(outputBytes(args, i));
}

/** The input and output tensors of a one-input int8 operator (either of another dtype is refused). */
export function int8InOut<N extends Node>(args: KernelArgs<N>): { input: Tensor; output: Tensor } {
  const input = inputTensor(args, 0);
  const output = outputTensor(args);
  requireDtype(args, "int8", { input, output });
  return { input, output };
}

/**
 * The int8 elements of a one-input operator applied element by element (RELU, LEAKY_RELU, RSQRT,
 * HARD_SWISH): the input values `x` and the output buffer `out`, after refusing another dtype.
 */
export function int8Elements<N extends Node>(
  args: KernelArgs<N>,
): { x: Int8Array; out: Int8Array } {
  int8InOut(args);
  return { x: int8Input(args, 0), out: int8Output(args) };
}

/**
 * The input and output tensors of an operator that moves elements without changing them (PAD,
 * TRANSPOSE, STRIDED_SLICE, RESIZE_NEAREST_NEIGHBOR): any dtype, the same on both sides; `src` and
 * `dst` are their bytes.
 */
export function sameDtypeInOut<N extends Node>(
  args: KernelArgs<N>,
): { input: Tensor; output: Tensor; src: Uint8Array; dst: Uint8Array } {
  const input = inputTensor(args, 0);
  const output = outputTensor(args);
  if (input.dtype !== output.dtype) {
    fail(args, `output dtype ${output.dtype} differs from input dtype ${input.dtype}`);
  }
  return { input, output, src: inputBytes(args, 0), dst: outputBytes(args) };
}

/**
 * The bias of a convolution or FULLY_CONNECTED (input 2; SVDF's is input 3): int32 values, or
 * undefined when the node has none; another dtype is refused.
 */
export function optionalBias<N extends Node>(
  args: KernelArgs<N>,
  index = 2,
): Int32Array | undefined {
  if ((args.node.inputs[index] ?? -1) < 0) return undefined;
  const t = inputTensor(args, index);
  if (t.dtype !== "int32") fail(args, `bias dtype ${t.dtype} is not supported (needs int32)`);
  return asInt32(inputBytes(args, index));
}

/** Throw an {@link UnsupportedKernelError} for this node. */
export function fail<N extends Node>(args: KernelArgs<N>, detail: string): never {
  throw new UnsupportedKernelError(args.node.op, args.index, detail);
}

/** Require every named tensor to have the given dtype. */
export function requireDtype<N extends Node>(
  args: KernelArgs<N>,
  dtype: DType,
  tensors: Record<string, Tensor>,
): void {
  for (const [what, t] of Object.entries(tensors)) {
    if (t.dtype !== dtype) fail(args, `${what} dtype ${t.dtype} is not supported (needs ${dtype})`);
  }
}

/** An int8 view of the same bytes. */
export function asInt8(b: Uint8Array): Int8Array {
  return new Int8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** An int16 view of the same bytes (2-aligned, as interpreter buffers are). */
export function asInt16(b: Uint8Array): Int16Array {
  return new Int16Array(b.buffer, b.byteOffset, b.byteLength >> 1);
}

/** The int16 values of the `i`-th input (a view of its bytes: `.slice()` it to write). */
export function int16Input<N extends Node>(args: KernelArgs<N>, i: number): Int16Array {
  return asInt16(inputBytes(args, i));
}

/** The int32 values of the `i`-th input (a view of its bytes). */
export function int32Input<N extends Node>(args: KernelArgs<N>, i: number): Int32Array {
  return asInt32(inputBytes(args, i));
}

/** An int32 view of the same bytes (the buffer must be 4-byte aligned, as interpreter buffers are). */
export function asInt32(b: Uint8Array): Int32Array {
  return new Int32Array(b.buffer, b.byteOffset, b.byteLength >> 2);
}

/** A float32 view of the same bytes (4-byte aligned). */
export function asFloat32(b: Uint8Array): Float32Array {
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength >> 2);
}

/** Read an int32 constant input as numbers. */
export function int32Values<N extends Node>(args: KernelArgs<N>, i: number): Int32Array {
  const t = inputTensor(args, i);
  if (t.dtype !== "int32" && t.dtype !== "int64") {
    fail(args, `input ${i} dtype ${t.dtype} is not int32`);
  }
  const b = inputBytes(args, i);
  if (t.dtype === "int32") return asInt32(b);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out = new Int32Array(b.byteLength >> 3);
  for (let k = 0; k < out.length; k++) out[k] = Number(view.getBigInt64(k * 8, true));
  return out;
}

/** Dimension `i` of a shape (1 when absent). */
export function dim(shape: readonly number[], i: number): number {
  return shape[i] ?? 1;
}

/** Clamp to [lo, hi]. */
export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/**
 * The sliding window of a convolution or pooling node, after checking that the output tensor has
 * the shape TFLite computes for it (batches, window rows and columns, `outC` channels).
 */
export function checkedWindow<N extends Node>(
  args: KernelArgs<N>,
  window: Parameters<typeof window2D>[0],
  outC: number,
): Window2D {
  const output = outputTensor(args);
  const win = args.window ?? window2D(window);
  const batches = dim(inputTensor(args, 0).shape, 0);
  if (
    dim(output.shape, 1) !== win.outH || dim(output.shape, 2) !== win.outW ||
    dim(output.shape, 3) !== outC
  ) {
    fail(
      args,
      `output shape [${output.shape}] does not match the computed [${batches},${win.outH},${win.outW},${outC}]`,
    );
  }
  return win;
}

/** The operands of a layer with weights, as {@link weightedOperands} reads them. */
export interface WeightedOperands {
  readonly input: Tensor;
  readonly filter: Tensor;
  readonly output: Tensor;
  /** int32 bias values, or undefined when the node has none. */
  readonly bias: Int32Array | undefined;
  readonly inData: Int8Array;
  readonly fData: Int8Array;
  readonly out: Int8Array;
}

/**
 * The int8 input, filter (input 1, called `filterName` in errors) and output of a convolution or
 * FULLY_CONNECTED, their data and the optional int32 bias; another dtype is refused.
 */
export function weightedOperands<N extends Node>(
  args: KernelArgs<N>,
  filterName = "filter",
): WeightedOperands {
  const input = inputTensor(args, 0);
  const filter = inputTensor(args, 1);
  const output = outputTensor(args);
  requireDtype(args, "int8", { input, [filterName]: filter, output });
  const bias = optionalBias(args);
  return {
    input,
    filter,
    output,
    bias,
    inData: int8Input(args, 0),
    fData: int8Input(args, 1),
    out: int8Output(args),
  };
}

/** The options of a convolution that place its sliding window. */
type ConvWindowOptions = Pick<
  Parameters<typeof window2D>[0],
  "padding" | "strideH" | "strideW" | "dilationH" | "dilationW"
>;

/**
 * The sliding window of a CONV_2D or DEPTHWISE_CONV_2D over an `inH` x `inW` input with a
 * `kH` x `kW` filter, checked against the output tensor as {@link checkedWindow} does.
 */
export function checkedConvWindow<N extends Node>(
  args: KernelArgs<N>,
  o: ConvWindowOptions,
  input: { inH: number; inW: number; kH: number; kW: number; outC: number },
): Window2D {
  const { inH, inW, kH, kW, outC } = input;
  return checkedWindow(args, { ...o, inH, inW, filterH: kH, filterW: kW }, outC);
}

/** The per-output-channel requantization of a layer with weights (`convParams`, FC params). */
export interface ChannelRequantization {
  readonly multipliers: Int32Array;
  readonly shifts: Int32Array;
  readonly outputOffset: number;
  readonly activationMin: number;
  readonly activationMax: number;
}

/**
 * Output channel `oc`'s int8 value from its accumulator: wrapped to int32, plus the bias (int32
 * wrap), scaled by the channel's multiplier, offset by the output zero point and clamped to the
 * fused activation's range (TFLite's per-channel requantization).
 */
export function requantizeChannel(
  acc: number,
  oc: number,
  bias: Int32Array | undefined,
  p: ChannelRequantization,
): number {
  let v = acc | 0;
  if (bias) v = (v + bias[oc]!) | 0;
  v = multiplyByQuantizedMultiplier(v, p.multipliers[oc]!, p.shifts[oc]!) + p.outputOffset;
  return clamp(v, p.activationMin, p.activationMax);
}

/** The int8 rows a SOFTMAX-like kernel normalizes, as {@link softmaxRows} reads them. */
export interface SoftmaxRows {
  readonly inData: Int8Array;
  readonly out: Int8Array;
  /** Elements per row (the last dimension). */
  readonly depth: number;
  readonly rows: number;
}

/**
 * The rows of a SOFTMAX or LOG_SOFTMAX node (int8 in and out, normalized along the last
 * dimension), after checking the fixed output quantization TFLite requires of it (`scaleText`
 * names the scale in the error, e.g. "1/256").
 */
export function softmaxRows<N extends Node>(
  args: KernelArgs<N>,
  output: { readonly zeroPoint: number; readonly scale: number; readonly scaleText: string },
): SoftmaxRows {
  const { input, output: outTensor } = int8InOut(args);
  const oq = tensorQuant(outTensor);
  if (oq.zeroPoint !== output.zeroPoint || oq.scale !== output.scale) {
    fail(
      args,
      `int8 output must have zero point ${output.zeroPoint} and scale ${output.scaleText} (has ${oq.zeroPoint}, ${oq.scale})`,
    );
  }
  const inData = int8Input(args, 0);
  const depth = dim(input.shape, input.shape.length - 1);
  return { inData, out: int8Output(args), depth, rows: depth === 0 ? 0 : inData.length / depth };
}

/** The largest of `depth` values from `base` (at least -128, the int8 minimum). */
export function rowMax(data: Int8Array, base: number, depth: number): number {
  let max = -128;
  for (let c = 0; c < depth; c++) if (data[base + c]! > max) max = data[base + c]!;
  return max;
}
