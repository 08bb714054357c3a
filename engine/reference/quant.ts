/**
 * TensorFlow Lite's integer quantization arithmetic, reproduced bit for bit.
 *
 * Two kinds of export live here:
 * - the run-time primitives every int8 kernel uses (`saturatingRoundingDoublingHighMul`,
 *   `roundingDivideByPOT`, `multiplyByQuantizedMultiplier`), with the exact 64-bit product that
 *   TFLite's `common.h` relies on (computed with exact double halves, no BigInt on the hot path);
 * - the prepare-time derivations of multipliers and shifts from float scales
 *   (`quantizeMultiplier` and the per-operator `*Params` functions). The code generators must bake
 *   these very constants into firmware: calling the same functions is how the firmware and the
 *   reference interpreter stay bit-exact.
 *
 * Conventions follow TFLite: a multiplier is a Q0.31 significand in [2^30, 2^31) (or 0) and a
 * shift is the power-of-two exponent, positive for a left shift. Float32 scales from the model are
 * rounded with `Math.fround` first, and every expression is evaluated in the precision (float or
 * double) and order that TF-Lite Micro uses.
 *
 * @module
 */

import type {
  Activation,
  AddNode,
  ConcatenationNode,
  Conv2DNode,
  DepthwiseConv2DNode,
  DType,
  FullyConnectedNode,
  Graph,
  HardSwishNode,
  LeakyReluNode,
  LogisticNode,
  MeanNode,
  MulNode,
  Node,
  QuantizeNode,
  ReluNode,
  SoftmaxNode,
  SubNode,
  TanhNode,
  Tensor,
} from "../ir/graph.ts";

/** Smallest int32. */
export const INT32_MIN = -2147483648;
/** Largest int32. */
export const INT32_MAX = 2147483647;

const TWO_POW_31 = 2147483648;

/**
 * gemmlowp's `SaturatingRoundingDoublingHighMul` for int32 (ARM `SQRDMULH`): the high half of
 * `2 * a * b`, rounded to nearest (ties away from zero), with `INT32_MIN * INT32_MIN` saturating to
 * `INT32_MAX`. The 64-bit product is formed exactly from two 47-bit partial products.
 *
 * @example
 * ```ts
 * import { saturatingRoundingDoublingHighMul } from "./quant.ts";
 * saturatingRoundingDoublingHighMul(1 << 30, 1 << 30); // 536870912 (0.5 * 0.5 = 0.25 in Q0.31)
 * ```
 */
export function saturatingRoundingDoublingHighMul(a: number, b: number): number {
  if (a === b && a === INT32_MIN) return INT32_MAX;
  const bLo = b & 0xffff;
  const bHi = b >> 16;
  const p1 = a * bHi; // |p1| <= 2^46, exact
  const p2 = a * bLo; // |p2| < 2^47, exact
  const nonNegative = a === 0 || b === 0 || (a > 0) === (b > 0);
  const nudge = nonNegative ? 1073741824 : -1073741823;
  // a*b + nudge = p1 * 2^16 + p2 + nudge = q1 * 2^31 + s, with p1 = q1 * 2^15 + r1.
  const q1 = Math.floor(p1 / 32768);
  const r1 = p1 - q1 * 32768;
  const s = r1 * 65536 + p2 + nudge; // |s| < 2^48, exact
  const q2 = Math.floor(s / TWO_POW_31);
  const rem = s - q2 * TWO_POW_31;
  let q = q1 + q2; // floor((a*b + nudge) / 2^31)
  if (q < 0 && rem !== 0) q += 1; // C division truncates toward zero
  return q | 0;
}

/**
 * gemmlowp's `RoundingDivideByPOT`: `x / 2^exponent` rounded to nearest, ties away from zero
 * (a rounding arithmetic right shift). `exponent` must be in [0, 31].
 *
 * @example
 * ```ts
 * import { roundingDivideByPOT } from "./quant.ts";
 * roundingDivideByPOT(5, 1); // 3
 * roundingDivideByPOT(-5, 1); // -3
 * ```
 */
export function roundingDivideByPOT(x: number, exponent: number): number {
  const mask = (2 ** exponent - 1) | 0;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return ((x >> exponent) + (remainder > threshold ? 1 : 0)) | 0;
}

/**
 * TFLite's `MultiplyByQuantizedMultiplier` (double rounding, the default build):
 * `RoundingDivideByPOT(SRDHM(x * 2^max(shift,0), multiplier), max(-shift,0))`. The left shift
 * wraps like the int32 multiplication on the target.
 *
 * @example
 * ```ts
 * import { multiplyByQuantizedMultiplier } from "./quant.ts";
 * multiplyByQuantizedMultiplier(100, 1 << 30, 0); // 50 (multiplier 0.5)
 * multiplyByQuantizedMultiplier(100, 1 << 30, -1); // 25
 * ```
 */
export function multiplyByQuantizedMultiplier(
  x: number,
  multiplier: number,
  shift: number,
): number {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  const shifted = left === 0 ? x : Math.imul(x, (2 ** left) | 0);
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(shifted, multiplier), right);
}

/**
 * TFLite's `MultiplyByQuantizedMultiplierGreaterThanOne`: `SRDHM(x * 2^leftShift, multiplier)`.
 *
 * @example
 * ```ts
 * import { multiplyByQuantizedMultiplierGreaterThanOne } from "./quant.ts";
 * multiplyByQuantizedMultiplierGreaterThanOne(3, 1 << 30, 2); // 6
 * ```
 */
export function multiplyByQuantizedMultiplierGreaterThanOne(
  x: number,
  multiplier: number,
  leftShift: number,
): number {
  return saturatingRoundingDoublingHighMul(Math.imul(x, (2 ** leftShift) | 0), multiplier);
}

/**
 * C's `std::round`: nearest integer, halfway cases away from zero (JavaScript's `Math.round`
 * sends -2.5 to -2; TFLite sends it to -3).
 *
 * @example
 * ```ts
 * import { roundHalfAwayFromZero } from "./quant.ts";
 * roundHalfAwayFromZero(-2.5); // -3
 * ```
 */
export function roundHalfAwayFromZero(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/**
 * C's `std::frexp`: splits `x` into a fraction in [0.5, 1) (same sign as `x`) and an exponent
 * with `x = fraction * 2^exponent`. Exact for every finite double.
 *
 * @example
 * ```ts
 * import { frexp } from "./quant.ts";
 * frexp(0.75); // { fraction: 0.75, exponent: 0 }
 * frexp(8); // { fraction: 0.5, exponent: 4 }
 * ```
 */
export function frexp(x: number): { fraction: number; exponent: number } {
  if (x === 0 || !Number.isFinite(x)) return { fraction: x, exponent: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  let bits = (view.getUint16(0) >> 4) & 0x7ff;
  let extra = 0;
  if (bits === 0) {
    // Subnormal: scale into the normal range first.
    view.setFloat64(0, x * 2 ** 64);
    bits = (view.getUint16(0) >> 4) & 0x7ff;
    extra = -64;
  }
  const exponent = bits - 1022 + extra;
  const fraction = extra === 0 ? x * 2 ** -exponent : x * 2 ** 64 * 2 ** -(exponent + 64);
  return { fraction, exponent };
}

/** A Q0.31 multiplier and its power-of-two shift (positive = left). */
export interface QuantizedMultiplier {
  readonly multiplier: number;
  readonly shift: number;
}

/**
 * TFLite's `QuantizeMultiplier(double)`: `real = multiplier * 2^(shift - 31)` with the
 * significand rounded half away from zero, 2^31 folded into the exponent, and multipliers below
 * 2^-31 flushed to `(0, 0)`.
 *
 * @example
 * ```ts
 * import { quantizeMultiplier } from "./quant.ts";
 * quantizeMultiplier(0.5); // { multiplier: 1073741824, shift: 0 }
 * quantizeMultiplier(0.25); // { multiplier: 1073741824, shift: -1 }
 * ```
 */
export function quantizeMultiplier(real: number): QuantizedMultiplier {
  if (real === 0) return { multiplier: 0, shift: 0 };
  const { fraction, exponent } = frexp(real);
  let shift = exponent;
  let fixed = roundHalfAwayFromZero(fraction * TWO_POW_31);
  if (fixed === TWO_POW_31) {
    fixed /= 2;
    shift += 1;
  }
  if (shift < -31) {
    shift = 0;
    fixed = 0;
  }
  return { multiplier: fixed, shift };
}

/** Round a model scale to the float32 value TFLite stores. */
export function f32(x: number): number {
  return Math.fround(x);
}

/** The integer range of a quantized dtype. */
export function dtypeRange(dtype: DType): { min: number; max: number } {
  switch (dtype) {
    case "int8":
      return { min: -128, max: 127 };
    case "uint8":
      return { min: 0, max: 255 };
    case "int16":
      return { min: -32768, max: 32767 };
    case "int32":
      return { min: INT32_MIN, max: INT32_MAX };
    default:
      throw new TypeError(`Cannot give an integer range for dtype ${dtype}: it is not an integer`);
  }
}

/** Clamp bounds of a fused activation in the quantized domain. */
export interface ActivationRange {
  readonly min: number;
  readonly max: number;
}

/**
 * TFLite's `CalculateActivationRangeQuantized`: the fused activation's bounds, quantized with
 * the output's float32 scale (`zp + round(float(f / scale))`) and intersected with the dtype range.
 *
 * @example
 * ```ts
 * import { activationRange } from "./quant.ts";
 * activationRange("RELU6", { scale: 0.05, zeroPoint: -128 }); // { min: -128, max: -8 }
 * ```
 */
export function activationRange(
  activation: Activation,
  output: { scale: number; zeroPoint: number },
  dtype: DType = "int8",
): ActivationRange {
  const { min: qmin, max: qmax } = dtypeRange(dtype);
  const scale = f32(output.scale);
  const quantize = (f: number) =>
    output.zeroPoint + Math.trunc(roundHalfAwayFromZero(Math.fround(f / scale)));
  switch (activation) {
    case "NONE":
      return { min: qmin, max: qmax };
    case "RELU":
      return { min: Math.max(qmin, quantize(0)), max: qmax };
    case "RELU6":
      return { min: Math.max(qmin, quantize(0)), max: Math.min(qmax, quantize(6)) };
    case "RELU_N1_TO_1":
      return { min: Math.max(qmin, quantize(-1)), max: Math.min(qmax, quantize(1)) };
  }
}

/**
 * TFLite's `CalculateInputRadius`: the largest input difference that cannot overflow after a
 * left shift of `inputLeftShift` in a Q(`integerBits`) representation.
 */
export function calculateInputRadius(
  integerBits: number,
  inputLeftShift: number,
  totalSignedBits = 31,
): number {
  const maxRescaled = 1.0 * (2 ** integerBits - 1) * 2 ** (totalSignedBits - integerBits) /
    2 ** inputLeftShift;
  return Math.floor(maxRescaled);
}

// ---------------------------------------------------------------------------------------------
// Per-operator parameters (what TF-Lite Micro computes in each kernel's Prepare).

/** Thrown when a node's tensors lack the quantization its int8 kernel needs. */
export class QuantizationParamsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "QuantizationParamsError";
  }
}

function tensorAt(graph: Graph, index: number | undefined, what: string, node: Node): Tensor {
  const t = index === undefined || index < 0 ? undefined : graph.tensors[index];
  if (!t) {
    throw new QuantizationParamsError(
      `Cannot derive ${node.op} parameters: the ${what} tensor (index ${index}) is missing`,
    );
  }
  return t;
}

/** Per-tensor (first) scale and zero point of a tensor, scale rounded to float32. */
export function tensorQuant(t: Tensor): { scale: number; zeroPoint: number } {
  const q = t.quant;
  const scale = q?.scale[0];
  const zeroPoint = q?.zeroPoint[0];
  if (!q || scale === undefined) {
    throw new QuantizationParamsError(
      `Cannot read quantization of tensor '${t.name}': it has no scale`,
    );
  }
  return { scale: f32(scale), zeroPoint: zeroPoint ?? 0 };
}

/** Requantization of a convolution-like node (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED). */
export interface ConvParams {
  /** `-input zero point`, added to every input value. */
  readonly inputOffset: number;
  /** `-filter zero point` (0 for symmetric int8 weights). */
  readonly filterOffset: number;
  /** Output zero point, added after requantization. */
  readonly outputOffset: number;
  /** One multiplier per output channel (all equal for per-tensor quantization). */
  readonly multipliers: Int32Array;
  /** One shift per output channel (positive = left). */
  readonly shifts: Int32Array;
  /** Whether the filter is quantized per output channel. */
  readonly perChannel: boolean;
  readonly activationMin: number;
  readonly activationMax: number;
}

/**
 * Per-channel requantization of CONV_2D / DEPTHWISE_CONV_2D, as TFLM's
 * `PopulateConvolutionQuantizationParams`: for each output channel,
 * `QuantizeMultiplier(double(in_scale) * double(filter_scale[c]) / double(out_scale))`.
 * A per-tensor filter scale is broadcast to every channel.
 *
 * @example
 * ```ts
 * import { convParams } from "./quant.ts";
 * // const p = convParams(graph, node); p.multipliers[c], p.shifts[c]
 * ```
 */
export function convParams(graph: Graph, node: Conv2DNode | DepthwiseConv2DNode): ConvParams {
  const input = tensorAt(graph, node.inputs[0], "input", node);
  const filter = tensorAt(graph, node.inputs[1], "filter", node);
  const output = tensorAt(graph, node.outputs[0], "output", node);
  const iq = tensorQuant(input);
  const oq = tensorQuant(output);
  const fq = filter.quant;
  if (!fq || fq.scale.length === 0) {
    throw new QuantizationParamsError(
      `Cannot derive ${node.op} parameters: filter '${filter.name}' is not quantized`,
    );
  }
  const channels = output.shape[output.shape.length - 1] ?? 1;
  const perChannel = fq.scale.length > 1;
  if (perChannel && fq.scale.length !== channels) {
    throw new QuantizationParamsError(
      `Cannot derive ${node.op} parameters: filter '${filter.name}' has ${fq.scale.length} ` +
        `scales for ${channels} output channels`,
    );
  }
  const multipliers = new Int32Array(channels);
  const shifts = new Int32Array(channels);
  for (let c = 0; c < channels; c++) {
    const filterScale = f32((perChannel ? fq.scale[c] : fq.scale[0]) ?? 0);
    const q = quantizeMultiplier(iq.scale * filterScale / oq.scale);
    multipliers[c] = q.multiplier;
    shifts[c] = q.shift;
  }
  const act = activationRange(node.options.activation, oq, output.dtype);
  return {
    inputOffset: -iq.zeroPoint,
    filterOffset: 0,
    outputOffset: oq.zeroPoint,
    multipliers,
    shifts,
    perChannel,
    activationMin: act.min,
    activationMax: act.max,
  };
}

/**
 * FULLY_CONNECTED requantization, as TFLM's `CalculateOpDataFullyConnected`: per-channel
 * filters use `double(in) * double(filter[c]) / double(out)`; per-tensor filters use
 * `GetQuantizedConvolutionMultipler`, whose product `in_scale * filter_scale` is a float32
 * product widened to double before dividing by the output scale.
 *
 * @example
 * ```ts
 * import { fullyConnectedParams } from "./quant.ts";
 * // const p = fullyConnectedParams(graph, node); p.multipliers[0], p.shifts[0]
 * ```
 */
export function fullyConnectedParams(graph: Graph, node: FullyConnectedNode): ConvParams {
  const input = tensorAt(graph, node.inputs[0], "input", node);
  const filter = tensorAt(graph, node.inputs[1], "weights", node);
  const output = tensorAt(graph, node.outputs[0], "output", node);
  const iq = tensorQuant(input);
  const oq = tensorQuant(output);
  const fq = tensorQuant(filter);
  const outDepth = filter.shape[0] ?? 1;
  const perChannel = (filter.quant?.scale.length ?? 1) > 1;
  const multipliers = new Int32Array(outDepth);
  const shifts = new Int32Array(outDepth);
  if (perChannel) {
    const scales = filter.quant?.scale ?? [];
    if (scales.length !== outDepth) {
      throw new QuantizationParamsError(
        `Cannot derive FULLY_CONNECTED parameters: weights '${filter.name}' have ` +
          `${scales.length} scales for ${outDepth} outputs`,
      );
    }
    for (let c = 0; c < outDepth; c++) {
      const q = quantizeMultiplier(iq.scale * f32(scales[c] ?? 0) / oq.scale);
      multipliers[c] = q.multiplier;
      shifts[c] = q.shift;
    }
  } else {
    const q = quantizeMultiplier(Math.fround(iq.scale * fq.scale) / oq.scale);
    multipliers.fill(q.multiplier);
    shifts.fill(q.shift);
  }
  const act = activationRange(node.options.activation, oq, output.dtype);
  return {
    inputOffset: -iq.zeroPoint,
    filterOffset: perChannel ? 0 : -fq.zeroPoint,
    outputOffset: oq.zeroPoint,
    multipliers,
    shifts,
    perChannel,
    activationMin: act.min,
    activationMax: act.max,
  };
}

/** Parameters of TFLite's int8 ADD (`left_shift` 20, three multipliers below one). */
export interface AddParams {
  readonly input1Offset: number;
  readonly input2Offset: number;
  readonly outputOffset: number;
  readonly leftShift: number;
  readonly input1Multiplier: number;
  /** Non-positive exponent (`QuantizeMultiplierSmallerThanOneExp`). */
  readonly input1Shift: number;
  readonly input2Multiplier: number;
  readonly input2Shift: number;
  readonly outputMultiplier: number;
  readonly outputShift: number;
  readonly activationMin: number;
  readonly activationMax: number;
}

function quantizeMultiplierSmallerThanOne(real: number, node: Node, what: string) {
  if (!(real > 0 && real < 1)) {
    throw new QuantizationParamsError(
      `Cannot derive ${node.op} parameters: the ${what} multiplier ${real} is not in (0, 1)`,
    );
  }
  return quantizeMultiplier(real);
}

/**
 * ADD requantization, as TFLM's `CalculateOpDataAdd` for int8: inputs are shifted left by 20,
 * scaled by `scale_i / (2 * max_scale)`, summed, and scaled by `2 * max_scale / (2^20 * out)`.
 *
 * @example
 * ```ts
 * import { addParams } from "./quant.ts";
 * // const p = addParams(graph, node); p.leftShift === 20
 * ```
 */
export function addParams(graph: Graph, node: AddNode | SubNode): AddParams {
  const in1 = tensorAt(graph, node.inputs[0], "first input", node);
  const in2 = tensorAt(graph, node.inputs[1], "second input", node);
  const output = tensorAt(graph, node.outputs[0], "output", node);
  const q1 = tensorQuant(in1);
  const q2 = tensorQuant(in2);
  const oq = tensorQuant(output);
  const leftShift = output.dtype === "int16" ? 15 : 20;
  const twiceMaxInputScale = 2 * Math.max(q1.scale, q2.scale);
  const m1 = quantizeMultiplierSmallerThanOne(q1.scale / twiceMaxInputScale, node, "first input");
  const m2 = quantizeMultiplierSmallerThanOne(q2.scale / twiceMaxInputScale, node, "second input");
  const mo = quantizeMultiplierSmallerThanOne(
    twiceMaxInputScale / (2 ** leftShift * oq.scale),
    node,
    "output",
  );
  const act = activationRange(node.options.activation, oq, output.dtype);
  return {
    input1Offset: -q1.zeroPoint,
    input2Offset: -q2.zeroPoint,
    outputOffset: oq.zeroPoint,
    leftShift,
    input1Multiplier: m1.multiplier,
    input1Shift: m1.shift,
    input2Multiplier: m2.multiplier,
    input2Shift: m2.shift,
    outputMultiplier: mo.multiplier,
    outputShift: mo.shift,
    activationMin: act.min,
    activationMax: act.max,
  };
}

/** Parameters of TFLite's int8 MUL. */
export interface MulParams {
  readonly input1Offset: number;
  readonly input2Offset: number;
  readonly outputOffset: number;
  readonly outputMultiplier: number;
  readonly outputShift: number;
  readonly activationMin: number;
  readonly activationMax: number;
}

/**
 * MUL requantization, as TFLM's `CalculateOpDataMul`:
 * `QuantizeMultiplier(double(s1) * double(s2) / double(out))`.
 *
 * @example
 * ```ts
 * import { mulParams } from "./quant.ts";
 * // const p = mulParams(graph, node);
 * ```
 */
export function mulParams(graph: Graph, node: MulNode): MulParams {
  const in1 = tensorAt(graph, node.inputs[0], "first input", node);
  const in2 = tensorAt(graph, node.inputs[1], "second input", node);
  const output = tensorAt(graph, node.outputs[0], "output", node);
  const q1 = tensorQuant(in1);
  const q2 = tensorQuant(in2);
  const oq = tensorQuant(output);
  const m = quantizeMultiplier(q1.scale * q2.scale / oq.scale);
  const act = activationRange(node.options.activation, oq, output.dtype);
  return {
    input1Offset: -q1.zeroPoint,
    input2Offset: -q2.zeroPoint,
    outputOffset: oq.zeroPoint,
    outputMultiplier: m.multiplier,
    outputShift: m.shift,
    activationMin: act.min,
    activationMax: act.max,
  };
}

/** Clamp range of a pooling node (pooling does not requantize in TFLite). */
export function poolParams(
  graph: Graph,
  node: Node & { options: { activation: Activation } },
): ActivationRange {
  const output = tensorAt(graph, node.outputs[0], "output", node);
  return activationRange(node.options.activation, tensorQuant(output), output.dtype);
}

/** Parameters of TFLite's integer MEAN (`QuantizedMeanOrSum` with the count folded in). */
export interface MeanParams {
  readonly inputZeroPoint: number;
  readonly outputZeroPoint: number;
  /** Number of input elements averaged into each output. */
  readonly count: number;
  /** The multiplier of `in_scale / out_scale` with `1 / count` folded in. */
  readonly multiplier: number;
  readonly shift: number;
  /** Reduced axes, resolved to non-negative, deduplicated, ascending. */
  readonly axes: readonly number[];
}

function constantInt32(t: Tensor, node: Node): Int32Array {
  if (!t.data || t.dtype !== "int32") {
    throw new QuantizationParamsError(
      `Cannot derive ${node.op} parameters: tensor '${t.name}' is not a constant int32 tensor`,
    );
  }
  const view = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const out = new Int32Array(t.data.byteLength >> 2);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt32(i * 4, true);
  return out;
}

/** Resolve MEAN axes (negative axes count from the end; duplicates dropped). */
export function resolveAxes(axes: ArrayLike<number>, rank: number): number[] {
  const out = new Set<number>();
  for (let i = 0; i < axes.length; i++) {
    const a = axes[i] ?? 0;
    const r = a < 0 ? a + rank : a;
    if (r < 0 || r >= rank) throw new RangeError(`Cannot reduce axis ${a}: rank is ${rank}`);
    out.add(r);
  }
  return [...out].sort((x, y) => x - y);
}

/**
 * MEAN parameters as TFLite's reference `QuantizedMeanOrSum` (the integer version TFLM and
 * CMSIS-NN's `arm_mean_s8` share): `QuantizeMultiplier(double(in) / double(out))`, then with
 * `k = min(floor(log2(count)), 32, 31 + shift)` the multiplier becomes
 * `trunc((multiplier << k) / count)` and the shift `shift - k`.
 *
 * @example
 * ```ts
 * import { meanParams } from "./quant.ts";
 * // const p = meanParams(graph, node); // axes read from the node's constant axes tensor
 * ```
 */
export function meanParams(graph: Graph, node: MeanNode, axes?: ArrayLike<number>): MeanParams {
  const input = tensorAt(graph, node.inputs[0], "input", node);
  if (!axes) axes = constantInt32(tensorAt(graph, node.inputs[1], "axes", node), node);
  const output = tensorAt(graph, node.outputs[0], "output", node);
  const iq = tensorQuant(input);
  const oq = tensorQuant(output);
  const resolved = resolveAxes(axes, input.shape.length);
  let count = 1;
  for (const a of resolved) count *= input.shape[a] ?? 1;
  const base = quantizeMultiplier(iq.scale / oq.scale);
  const folded = foldCountIntoMultiplier(base, count);
  return {
    inputZeroPoint: iq.zeroPoint,
    outputZeroPoint: oq.zeroPoint,
    count,
    multiplier: folded.multiplier,
    shift: folded.shift,
    axes: resolved,
  };
}

/**
 * Fold `1 / count` into a quantized multiplier the way TFLite's `QuantizedMeanOrSum` does
 * (64-bit integer division, truncating).
 */
export function foldCountIntoMultiplier(
  q: QuantizedMultiplier,
  count: number,
): QuantizedMultiplier {
  if (count <= 0) return q;
  let k = Math.floor(Math.log2(count));
  while (2 ** (k + 1) <= count) k++;
  while (2 ** k > count) k--;
  k = Math.min(k, 32, 31 + q.shift);
  const multiplier = Number((BigInt(q.multiplier) << BigInt(k)) / BigInt(count));
  return { multiplier: multiplier | 0, shift: q.shift - k };
}

/** Parameters of TFLite's int8 -> int8 SOFTMAX (gemmlowp fixed point). */
export interface SoftmaxParams {
  readonly inputMultiplier: number;
  readonly inputLeftShift: number;
  /** Differences from the row maximum below this contribute nothing. */
  readonly diffMin: number;
}

/**
 * SOFTMAX parameters as TFLM's `CalculateSoftmaxParams` for int8: `PreprocessSoftmaxScaling`
 * with 5 integer bits (`min(beta * in_scale * 2^26, 2^31 - 1)` quantized as a multiplier greater
 * than one) and `diff_min = -CalculateInputRadius(5, left_shift)`.
 *
 * @example
 * ```ts
 * import { softmaxParamsFromScale } from "./quant.ts";
 * softmaxParamsFromScale(1, 1 / 16).inputLeftShift; // 23
 * ```
 */
export function softmaxParams(graph: Graph, node: SoftmaxNode): SoftmaxParams {
  const input = tensorAt(graph, node.inputs[0], "input", node);
  return softmaxParamsFromScale(node.options.beta, tensorQuant(input).scale);
}

/** {@link softmaxParams} from the raw beta and input scale. */
export function softmaxParamsFromScale(beta: number, inputScale: number): SoftmaxParams {
  const scaledDiffIntegerBits = 5;
  const real = Math.min(
    f32(beta) * f32(inputScale) * 2 ** (31 - scaledDiffIntegerBits),
    TWO_POW_31 - 1,
  );
  const q = quantizeMultiplier(real);
  return {
    inputMultiplier: q.multiplier,
    inputLeftShift: q.shift,
    diffMin: -calculateInputRadius(scaledDiffIntegerBits, q.shift),
  };
}

/**
 * Parameters of TFLite's int8 LOGISTIC and TANH (gemmlowp fixed point, 4 integer bits; both
 * kernels' Prepare compute them the same way).
 */
export interface LogisticParams {
  readonly inputZeroPoint: number;
  readonly inputRangeRadius: number;
  readonly inputMultiplier: number;
  readonly inputLeftShift: number;
}

/**
 * LOGISTIC parameters as TFLM's `CalculateArithmeticOpDataLogistic` for int8:
 * `frexp(double(in_scale) * 2^27)` with the significand rounded to Q0.31 (no renormalisation),
 * and the input radius for 4 integer bits.
 *
 * @example
 * ```ts
 * import { logisticParams } from "./quant.ts";
 * // const p = logisticParams(graph, node);
 * ```
 */
export function logisticParams(graph: Graph, node: LogisticNode | TanhNode): LogisticParams {
  const input = tensorAt(graph, node.inputs[0], "input", node);
  const iq = tensorQuant(input);
  const inputIntegerBits = 4;
  const real = iq.scale * 2 ** (31 - inputIntegerBits);
  const { fraction, exponent } = frexp(real);
  return {
    inputZeroPoint: iq.zeroPoint,
    inputMultiplier: roundHalfAwayFromZero(fraction * TWO_POW_31) | 0,
    inputLeftShift: exponent,
    inputRangeRadius: calculateInputRadius(inputIntegerBits, exponent, 31),
  };
}

/** Parameters of TFLite's int8 HARD_SWISH (16-bit fixed point). */
export interface HardSwishParams {
  readonly inputZeroPoint: number;
  readonly outputZeroPoint: number;
  readonly outputMultiplierFixedpointInt16: number;
  readonly outputMultiplierExponent: number;
  readonly reluishMultiplierFixedpointInt16: number;
  readonly reluishMultiplierExponent: number;
}

/** TFLite's `DownScaleInt32ToInt16Multiplier`. */
export function downScaleInt32ToInt16Multiplier(multiplier: number): number {
  const rounding = 1 << 15;
  if (multiplier >= INT32_MAX - rounding) return 32767;
  return (multiplier + rounding) >> 16;
}

/**
 * HARD_SWISH parameters as TFLM's `HardSwishPrepare`: with float32 arithmetic
 * `hires = in_scale / 128`, the output multiplier is `hires / out_scale` and the "relu-ish"
 * multiplier `hires / (3 / 32768)`, each quantized then narrowed to int16.
 *
 * @example
 * ```ts
 * import { hardSwishParams } from "./quant.ts";
 * // const p = hardSwishParams(graph, node);
 * ```
 */
export function hardSwishParams(graph: Graph, node: HardSwishNode): HardSwishParams {
  const input = tensorAt(graph, node.inputs[0], "input", node);
  const output = tensorAt(graph, node.outputs[0], "output", node);
  const iq = tensorQuant(input);
  const oq = tensorQuant(output);
  const hiresInputScale = Math.fround(Math.fround(1 / 128) * iq.scale);
  const reluishScale = Math.fround(3 / 32768);
  const om = quantizeMultiplier(Math.fround(hiresInputScale / oq.scale));
  if (om.shift > 0) {
    throw new QuantizationParamsError(
      `Cannot derive HARD_SWISH parameters: output multiplier exponent ${om.shift} is positive`,
    );
  }
  const rm = quantizeMultiplier(Math.fround(hiresInputScale / reluishScale));
  return {
    inputZeroPoint: iq.zeroPoint,
    outputZeroPoint: oq.zeroPoint,
    outputMultiplierFixedpointInt16: downScaleInt32ToInt16Multiplier(om.multiplier),
    outputMultiplierExponent: om.shift,
    reluishMultiplierFixedpointInt16: downScaleInt32ToInt16Multiplier(rm.multiplier),
    reluishMultiplierExponent: rm.shift,
  };
}

/** Integer requantization from one int8 quantization to another (`reference_ops::Requantize`). */
export interface RequantizeParams {
  readonly inputZeroPoint: number;
  readonly outputZeroPoint: number;
  readonly multiplier: number;
  readonly shift: number;
}

/**
 * Requantization parameters, as TFLM's QUANTIZE prepare for int8 -> int8:
 * `QuantizeMultiplier(double(in_scale) / double(out_scale))`.
 *
 * @example
 * ```ts
 * import { requantizeParams } from "./quant.ts";
 * requantizeParams({ scale: 0.5, zeroPoint: 0 }, { scale: 0.5, zeroPoint: 3 }).multiplier; // 1073741824
 * ```
 */
export function requantizeParams(
  input: { scale: number; zeroPoint: number },
  output: { scale: number; zeroPoint: number },
): RequantizeParams {
  const q = quantizeMultiplier(f32(input.scale) / f32(output.scale));
  return {
    inputZeroPoint: input.zeroPoint,
    outputZeroPoint: output.zeroPoint,
    multiplier: q.multiplier,
    shift: q.shift,
  };
}

/** {@link requantizeParams} of an int8 -> int8 QUANTIZE node. */
export function quantizeNodeParams(graph: Graph, node: QuantizeNode): RequantizeParams {
  const input = tensorAt(graph, node.inputs[0], "input", node);
  const output = tensorAt(graph, node.outputs[0], "output", node);
  return requantizeParams(tensorQuant(input), tensorQuant(output));
}

/**
 * Per-input requantization of CONCATENATION. Where an input's scale and zero point match the
 * output's it is copied (`identity`); otherwise this project requantizes it with the integer
 * `Requantize` arithmetic of QUANTIZE (TFLite rejects such int8 models; TF-Lite Micro copies
 * their bytes unchanged).
 */
export function concatenationParams(
  graph: Graph,
  node: ConcatenationNode,
): (RequantizeParams & { identity: boolean })[] {
  const output = tensorAt(graph, node.outputs[0], "output", node);
  const oq = tensorQuant(output);
  return node.inputs.map((index, i) => {
    const iq = tensorQuant(tensorAt(graph, index, `input ${i}`, node));
    const identity = iq.scale === oq.scale && iq.zeroPoint === oq.zeroPoint;
    return { ...requantizeParams(iq, oq), identity };
  });
}

/**
 * SUB requantization as TFLite's `PrepareGeneralSubOp` for int8: the ADD parameters with the
 * second input's multiplier negated, so that the ADD arithmetic computes the difference.
 *
 * @example
 * ```ts
 * import { subParams } from "./quant.ts";
 * // const p = subParams(graph, node); p.input2Multiplier < 0
 * ```
 */
export function subParams(graph: Graph, node: SubNode): AddParams {
  const p = addParams(graph, node);
  return { ...p, input2Multiplier: -p.input2Multiplier };
}

/** Parameters of TFLite's int8 RELU, RELU6 and RELU_N1_TO_1 (`ReluX`). */
export interface ReluParams {
  readonly inputZeroPoint: number;
  readonly outputZeroPoint: number;
  readonly multiplier: number;
  readonly shift: number;
  readonly min: number;
  readonly max: number;
}

/**
 * RELU-family parameters as TFLite's `ReluPrepare` and `QuantizedReluX`: the multiplier of
 * `in_scale / out_scale` (a float32 division) and the bounds `zp + roundf(bound / out_scale)`
 * intersected with the int8 range (no upper bound for RELU).
 *
 * @example
 * ```ts
 * import { reluParams } from "./quant.ts";
 * // const p = reluParams(graph, node); // p.min === output zero point for RELU
 * ```
 */
export function reluParams(graph: Graph, node: ReluNode): ReluParams {
  const input = tensorAt(graph, node.inputs[0], "input", node);
  const output = tensorAt(graph, node.outputs[0], "output", node);
  const iq = tensorQuant(input);
  const oq = tensorQuant(output);
  const q = quantizeMultiplier(f32(iq.scale / oq.scale));
  const range = activationRange(node.op, oq, output.dtype);
  return {
    inputZeroPoint: iq.zeroPoint,
    outputZeroPoint: oq.zeroPoint,
    multiplier: q.multiplier,
    shift: q.shift,
    min: range.min,
    max: range.max,
  };
}

/** Parameters of TFLite's int8 LEAKY_RELU. */
export interface LeakyReluParams {
  readonly inputZeroPoint: number;
  readonly outputZeroPoint: number;
  readonly identityMultiplier: number;
  readonly identityShift: number;
  readonly alphaMultiplier: number;
  readonly alphaShift: number;
}

/**
 * LEAKY_RELU parameters as TFLite's `LeakyReluPrepare`: `in_scale * alpha / out_scale` and
 * `in_scale / out_scale`, each computed in float32 and quantized as a multiplier.
 *
 * @example
 * ```ts
 * import { leakyReluParams } from "./quant.ts";
 * // const p = leakyReluParams(graph, node);
 * ```
 */
export function leakyReluParams(graph: Graph, node: LeakyReluNode): LeakyReluParams {
  const input = tensorAt(graph, node.inputs[0], "input", node);
  const output = tensorAt(graph, node.outputs[0], "output", node);
  const iq = tensorQuant(input);
  const oq = tensorQuant(output);
  const alpha = quantizeMultiplier(f32(f32(iq.scale * f32(node.options.alpha)) / oq.scale));
  const identity = quantizeMultiplier(f32(iq.scale / oq.scale));
  return {
    inputZeroPoint: iq.zeroPoint,
    outputZeroPoint: oq.zeroPoint,
    identityMultiplier: identity.multiplier,
    identityShift: identity.shift,
    alphaMultiplier: alpha.multiplier,
    alphaShift: alpha.shift,
  };
}
