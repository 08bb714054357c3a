/**
 * Quantization parameters of the elementwise operators added for small transformers (RSQRT,
 * SQUARED_DIFFERENCE, PRELU): what TF-Lite Micro's Prepare computes, and TFLite's
 * `GetInvSqrtQuantizedMultiplierExp`.
 *
 * @module
 */
import type { Graph, PreluNode, RsqrtNode, SquaredDifferenceNode } from "../ir/mod.ts";
import { f32, INT32_MAX, quantizeMultiplier } from "./arithmetic.ts";
import { rescale, saturatingRoundingMultiplyByPOT } from "./fixed_point.ts";
import { saturatingRoundingDoublingHighMul as srdhm } from "./arithmetic.ts";
import {
  QuantizationParamsError,
  quantizedBinary,
  tensorAt,
  tensorQuant,
} from "./params_common.ts";

/**
 * TFLite's `GetInvSqrtQuantizedMultiplierExp(input, reverse_shift)`: `1 / sqrt(input)` as a
 * Q0.31 multiplier and a shift (times `reverseShift`), by five Newton-Raphson steps in Q3.28.
 *
 * @example
 * ```ts
 * import { invSqrtQuantizedMultiplierExp } from "./params_elementwise.ts";
 * invSqrtQuantizedMultiplierExp(1, -1); // { multiplier: 2147483647, shift: 0 }
 * ```
 */
export function invSqrtQuantizedMultiplierExp(
  input: number,
  reverseShift: number,
): { multiplier: number; shift: number } {
  if (input <= 1) return { multiplier: INT32_MAX, shift: 0 };
  let shift = 11;
  let x = input;
  while (x >= 1 << 29) {
    x = Math.trunc(x / 4);
    shift++;
  }
  const maxLeftShiftBits = Math.clz32(x) - 1;
  const leftShiftBitPairs = Math.floor(maxLeftShiftBits / 2) - 1;
  shift -= leftShiftBitPairs;
  x = (x << (2 * leftShiftBitPairs)) | 0;
  const fixedInput = x >> 1; // Q3.28
  const halfInput = saturatingRoundingMultiplyByPOT(fixedInput, -1);
  const halfThree = (1 << 28) + (1 << 27);
  let r = 1 << 28; // one in Q3.28
  for (let i = 0; i < 5; i++) {
    // x3 = Rescale<3>(x * x * x): the Q6 then Q9 products, back to Q3.
    const x3 = rescale(srdhm(srdhm(r, r), r), 9, 3);
    r = rescale((srdhm(halfThree, r) - srdhm(halfInput, x3)) | 0, 6, 3);
  }
  const halfSqrt2 = 1518500250; // sqrt(2) / 2 in Q0.31
  let multiplier = srdhm(r, halfSqrt2);
  if (shift < 0) {
    multiplier = (multiplier << -shift) | 0;
    shift = 0;
  }
  return { multiplier, shift: shift * reverseShift };
}

/** RSQRT: the output multiplier `1 / (sqrt(in_scale) * out_scale)` and the zero points. */
export interface RsqrtParams {
  readonly multiplier: number;
  readonly shift: number;
  readonly inputZeroPoint: number;
  readonly outputZeroPoint: number;
}

/** RSQRT parameters as TFLM's `SetRsqrtOutputMultiplier` (sqrt and product in float32). */
export function rsqrtParams(graph: Graph, node: RsqrtNode): RsqrtParams {
  const iq = tensorQuant(tensorAt(graph, node.inputs[0], "input", node));
  const oq = tensorQuant(tensorAt(graph, node.outputs[0], "output", node));
  const m = quantizeMultiplier(1 / f32(f32(Math.sqrt(iq.scale)) * oq.scale));
  return {
    multiplier: m.multiplier,
    shift: m.shift,
    inputZeroPoint: iq.zeroPoint,
    outputZeroPoint: oq.zeroPoint,
  };
}

/** SQUARED_DIFFERENCE: both inputs rescaled to twice the larger scale, then squared. */
export interface SquaredDifferenceParams {
  readonly input1ZeroPoint: number;
  readonly input2ZeroPoint: number;
  readonly outputZeroPoint: number;
  /** Left shift of both inputs before rescaling (7 for int8). */
  readonly leftShift: number;
  readonly input1Multiplier: number;
  readonly input1Shift: number;
  readonly input2Multiplier: number;
  readonly input2Shift: number;
  readonly outputMultiplier: number;
  readonly outputShift: number;
}

/** SQUARED_DIFFERENCE parameters as TFLM's `PrepareQuantized` for int8 (left shift 7). */
export function squaredDifferenceParams(
  graph: Graph,
  node: SquaredDifferenceNode,
): SquaredDifferenceParams {
  const { q1, q2, oq } = quantizedBinary(graph, node);
  const leftShift = 7;
  const twiceMax = 2 * Math.max(q1.scale, q2.scale);
  const m1 = quantizeMultiplier(q1.scale / twiceMax);
  const m2 = quantizeMultiplier(q2.scale / twiceMax);
  const mo = quantizeMultiplier((twiceMax * twiceMax) / f32((1 << (leftShift * 2)) * oq.scale));
  return {
    input1ZeroPoint: q1.zeroPoint,
    input2ZeroPoint: q2.zeroPoint,
    outputZeroPoint: oq.zeroPoint,
    leftShift,
    input1Multiplier: m1.multiplier,
    input1Shift: m1.shift,
    input2Multiplier: m2.multiplier,
    input2Shift: m2.shift,
    outputMultiplier: mo.multiplier,
    outputShift: mo.shift,
  };
}

/** PRELU: separate multipliers for the identity (x >= 0) and the alpha product (x < 0). */
export interface PreluParams {
  readonly inputZeroPoint: number;
  readonly alphaZeroPoint: number;
  readonly outputZeroPoint: number;
  readonly identityMultiplier: number;
  readonly identityShift: number;
  readonly alphaMultiplier: number;
  readonly alphaShift: number;
}

/** PRELU parameters as TFLM's `CalculatePreluParams` (`in/out` and `in*alpha/out`, in double). */
export function preluParams(graph: Graph, node: PreluNode): PreluParams {
  const iq = tensorQuant(tensorAt(graph, node.inputs[0], "input", node));
  const alpha = tensorAt(graph, node.inputs[1], "alpha", node);
  if ((alpha.quant?.scale.length ?? 1) > 1) {
    throw new QuantizationParamsError(
      `Cannot derive PRELU parameters: alpha '${alpha.name}' is quantized per channel`,
    );
  }
  const aq = tensorQuant(alpha);
  const oq = tensorQuant(tensorAt(graph, node.outputs[0], "output", node));
  const m1 = quantizeMultiplier(iq.scale / oq.scale);
  const m2 = quantizeMultiplier((iq.scale * aq.scale) / oq.scale);
  return {
    inputZeroPoint: iq.zeroPoint,
    alphaZeroPoint: aq.zeroPoint,
    outputZeroPoint: oq.zeroPoint,
    identityMultiplier: m1.multiplier,
    identityShift: m1.shift,
    alphaMultiplier: m2.multiplier,
    alphaShift: m2.shift,
  };
}
