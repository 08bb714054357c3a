/**
 * Per-operator quantization parameters of the activation and data-movement operators (SOFTMAX,
 * LOGISTIC, TANH, HARD_SWISH, QUANTIZE, CONCATENATION, SUB, RELU family, LEAKY_RELU): what
 * TF-Lite Micro computes in each kernel's Prepare.
 *
 * @module
 */

import type {
  ConcatenationNode,
  Graph,
  HardSwishNode,
  LeakyReluNode,
  LogisticNode,
  LogSoftmaxNode,
  QuantizeNode,
  ReluNode,
  SoftmaxNode,
  SubNode,
  TanhNode,
} from "../ir/mod.ts";
import {
  activationRange,
  calculateInputRadius,
  f32,
  frexp,
  INT32_MAX,
  quantizeMultiplier,
  roundHalfAwayFromZero,
  TWO_POW_31,
} from "./arithmetic.ts";
import { QuantizationParamsError, quantizedInOut, tensorAt, tensorQuant } from "./params_common.ts";
import { AddParams, addParams } from "./params_arithmetic.ts";

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
 * import { softmaxParamsFromScale } from "./mod.ts";
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

/** Parameters of TFLite's int8 LOG_SOFTMAX (`PreprocessLogSoftmaxScalingExp`, beta 1). */
export interface LogSoftmaxParams {
  /** Input differences to Q5.26: `in_scale * 2^26` as a multiplier greater than one. */
  readonly inputMultiplier: number;
  readonly inputLeftShift: number;
  /** The inverse of that scaling (Q5.26 back to input units), a multiplier below one. */
  readonly reverseScalingDivisor: number;
  /** Its shift (<= 0: a right shift), as `MultiplyByQuantizedMultiplier` takes it. */
  readonly reverseScalingShift: number;
  /** Differences from the row maximum below this contribute nothing to the sum. */
  readonly diffMin: number;
}

/**
 * LOG_SOFTMAX parameters as TFLM's Prepare computes them for int8 (beta 1, 5 integer bits):
 * the softmax input multiplier, the reverse scaling divisor `2^(31 - left_shift) / multiplier`
 * quantized as a multiplier below one, and `diff_min = -CalculateInputRadius(5, left_shift)`.
 * The output must have scale 16/256 and zero point 127.
 *
 * @example
 * ```ts
 * import { logSoftmaxParamsFromScale } from "./mod.ts";
 * logSoftmaxParamsFromScale(1 / 16).inputLeftShift; // 23
 * ```
 */
export function logSoftmaxParams(graph: Graph, node: LogSoftmaxNode): LogSoftmaxParams {
  const input = tensorAt(graph, node.inputs[0], "input", node);
  return logSoftmaxParamsFromScale(tensorQuant(input).scale);
}

/** {@link logSoftmaxParams} from the input scale. */
export function logSoftmaxParamsFromScale(inputScale: number): LogSoftmaxParams {
  const s = softmaxParamsFromScale(1, inputScale);
  const reverse = quantizeMultiplier(2 ** (31 - s.inputLeftShift) / s.inputMultiplier);
  return {
    inputMultiplier: s.inputMultiplier,
    inputLeftShift: s.inputLeftShift,
    reverseScalingDivisor: reverse.multiplier,
    reverseScalingShift: reverse.shift,
    diffMin: s.diffMin,
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
 * import { logisticParams } from "./mod.ts";
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
 * import { hardSwishParams } from "./mod.ts";
 * // const p = hardSwishParams(graph, node);
 * ```
 */
export function hardSwishParams(graph: Graph, node: HardSwishNode): HardSwishParams {
  const { iq, oq } = quantizedInOut(graph, node);
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
 * import { requantizeParams } from "./mod.ts";
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
 * import { subParams } from "./mod.ts";
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
 * import { reluParams } from "./mod.ts";
 * // const p = reluParams(graph, node); // p.min === output zero point for RELU
 * ```
 */
export function reluParams(graph: Graph, node: ReluNode): ReluParams {
  const { output, iq, oq } = quantizedInOut(graph, node);
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
 * import { leakyReluParams } from "./mod.ts";
 * // const p = leakyReluParams(graph, node);
 * ```
 */
export function leakyReluParams(graph: Graph, node: LeakyReluNode): LeakyReluParams {
  const { iq, oq } = quantizedInOut(graph, node);
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
