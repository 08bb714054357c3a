/**
 * Per-operator quantization parameters of the arithmetic operators (CONV_2D, DEPTHWISE_CONV_2D,
 * FULLY_CONNECTED, ADD, MUL, the pools, MEAN): what TF-Lite Micro computes in each kernel's
 * Prepare. The code generators bake these very constants into firmware; calling the same
 * functions is how the firmware and the reference interpreter stay bit-exact.
 *
 * @module
 */

import type {
  Activation,
  AddNode,
  Conv2DNode,
  DepthwiseConv2DNode,
  FullyConnectedNode,
  Graph,
  MeanNode,
  MulNode,
  Node,
  SubNode,
  Tensor,
} from "../ir/mod.ts";
import type { ActivationRange, QuantizedMultiplier } from "./arithmetic.ts";
import { activationRange, f32, quantizeMultiplier } from "./arithmetic.ts";
import {
  QuantizationParamsError,
  quantizedBinary,
  tensorAt,
  tensorQuant,
} from "./params_common.ts";

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
 * import { convParams } from "./mod.ts";
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
 * import { fullyConnectedParams } from "./mod.ts";
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
 * import { addParams } from "./mod.ts";
 * // const p = addParams(graph, node); p.leftShift === 20
 * ```
 */
export function addParams(graph: Graph, node: AddNode | SubNode): AddParams {
  const { output, q1, q2, oq } = quantizedBinary(graph, node);
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
 * import { mulParams } from "./mod.ts";
 * // const p = mulParams(graph, node);
 * ```
 */
export function mulParams(graph: Graph, node: MulNode): MulParams {
  const { output, q1, q2, oq } = quantizedBinary(graph, node);
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
 * import { meanParams } from "./mod.ts";
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
