/**
 * Quantization parameters of the attention-block operators: BATCH_MATMUL (TFLM's int8 Prepare:
 * one per-tensor multiplier from `GetQuantizedConvolutionMultipler`, the three zero points, the
 * full int8 range as clamp) and GELU (TFLite's Prepare fills a 256-entry table from float32
 * math: `LUTPopulate` over `GeluTransform` or `GeluTransformApproximate`).
 *
 * @module
 */
import type { BatchMatMulNode, GeluNode, Graph } from "../ir/mod.ts";
import { f32, quantizeMultiplier, roundHalfAwayFromZero } from "./arithmetic.ts";
import { QuantizationParamsError, quantizedBinary, quantizedInOut } from "./params_common.ts";

/** BATCH_MATMUL's int8 parameters. */
export interface BatchMatMulParams {
  readonly lhsZeroPoint: number;
  readonly rhsZeroPoint: number;
  readonly outputZeroPoint: number;
  readonly outputMultiplier: number;
  readonly outputShift: number;
}

/**
 * BATCH_MATMUL parameters as TFLM's Prepare: the multiplier of `float(lhs_scale * rhs_scale)`
 * widened to double and divided by the output scale; per-tensor scales only.
 *
 * @example
 * ```ts ignore
 * const p = batchMatMulParams(graph, node); // p.outputMultiplier, p.outputShift
 * ```
 */
export function batchMatMulParams(graph: Graph, node: BatchMatMulNode): BatchMatMulParams {
  const { in1: lhs, in2: rhs, q1: lq, q2: rq, oq } = quantizedBinary(graph, node);
  for (const t of [lhs, rhs]) {
    if ((t.quant?.scale.length ?? 1) > 1) {
      throw new QuantizationParamsError(
        `Cannot derive BATCH_MATMUL parameters: '${t.name}' is quantized per channel`,
      );
    }
  }
  const m = quantizeMultiplier(Math.fround(lq.scale * rq.scale) / oq.scale);
  return {
    lhsZeroPoint: lq.zeroPoint,
    rhsZeroPoint: rq.zeroPoint,
    outputZeroPoint: oq.zeroPoint,
    outputMultiplier: m.multiplier,
    outputShift: m.shift,
  };
}

/**
 * The complementary error function in double precision (about 1e-15 relative): `1 - erf` from
 * a series with positive terms below 1.5 (`erf = 2/sqrt(pi) e^(-x^2) sum 2^n x^(2n+1) /
 * (2n+1)!!`; erfc stays above 0.03 there, so the subtraction loses little), Laplace's continued
 * fraction (200 terms, converged from 1.5 up) above; `erfc(-x) = 2 - erfc(x)`.
 *
 * @example
 * ```ts
 * import { erfc } from "./params_transformer.ts";
 * erfc(1); // 0.157299207050285...
 * ```
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return x;
  if (x < 0) return 2 - erfc(-x);
  if (x < 1.5) {
    let term = x;
    let sum = x;
    for (let n = 0; term > sum * 1e-17; n++) {
      term *= (2 * x * x) / (2 * n + 3);
      sum += term;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
  }
  if (x > 27) return 0;
  let f = x;
  for (let n = 200; n >= 1; n--) f = x + n / 2 / f;
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/** `sqrt(2 / pi)` as TFLite's `constexpr float kSqrt2dPi = M_2_SQRTPI * M_SQRT1_2`. */
const SQRT_2_OVER_PI = f32((2 / Math.sqrt(Math.PI)) * Math.SQRT1_2);
const MINUS_SQRT1_2 = f32(-Math.SQRT1_2);
const CUBIC = f32(0.044715);

/**
 * TFLite's `GeluTransform` (`0.5f * x * erfc(x * -M_SQRT1_2)`) or `GeluTransformApproximate`
 * (`0.5f * x * (1 + tanh(kSqrt2dPi * (x + 0.044715f * x * x * x)))`), every operation rounded to
 * float32 as the C++ evaluates it; `erfcf` and `tanhf` as the double results rounded to float.
 *
 * @example
 * ```ts
 * import { geluTransform } from "./params_transformer.ts";
 * geluTransform(1, false); // 0.8413447...
 * ```
 */
export function geluTransform(x: number, approximate: boolean): number {
  const v = f32(x);
  const half = f32(0.5 * v);
  if (!approximate) return f32(half * f32(erfc(f32(v * MINUS_SQRT1_2))));
  const cube = f32(f32(f32(CUBIC * v) * v) * v);
  const t = f32(Math.tanh(f32(SQRT_2_OVER_PI * f32(v + cube))));
  return f32(half * f32(1 + t));
}

/**
 * The int8 table TFLite's `LUTPopulate` builds for GELU: entry `q + 128` is
 * `round(transform(in_scale * (q - in_zp)) / out_scale) + out_zp`, clamped to int8, where the
 * product, the transform and the product by `1 / out_scale` are float32 and the rounding is half
 * away from zero (`TfLiteRound`).
 */
export function geluTable(
  input: { readonly scale: number; readonly zeroPoint: number },
  output: { readonly scale: number; readonly zeroPoint: number },
  approximate: boolean,
): Int8Array {
  const inverse = f32(1 / f32(output.scale));
  const lut = new Int8Array(256);
  for (let q = -128; q < 128; q++) {
    const dequantized = f32(f32(input.scale) * (q - input.zeroPoint));
    const transformed = geluTransform(dequantized, approximate);
    const rescaled = roundHalfAwayFromZero(f32(transformed * inverse));
    const quantized = Number.isFinite(rescaled) ? f32(rescaled + output.zeroPoint) : -128;
    lut[q + 128] = Math.max(-128, Math.min(127, quantized));
  }
  return lut;
}

/** GELU's int8 parameters: the table its Prepare builds. */
export interface GeluParams {
  /** Entry `q + 128` is the output for input `q`. */
  readonly table: Int8Array;
}

/**
 * GELU parameters as TFLite's Prepare (per-tensor input and output quantization).
 *
 * @example
 * ```ts ignore
 * const { table } = geluParams(graph, node); // table[q + 128]
 * ```
 */
export function geluParams(graph: Graph, node: GeluNode): GeluParams {
  const { iq, oq } = quantizedInOut(graph, node);
  return { table: geluTable(iq, oq, node.options.approximate) };
}
