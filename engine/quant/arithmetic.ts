/**
 * TensorFlow Lite's integer quantization arithmetic, reproduced bit for bit: the run-time
 * primitives every int8 kernel uses (`saturatingRoundingDoublingHighMul`, `roundingDivideByPOT`,
 * `multiplyByQuantizedMultiplier`), with the exact 64-bit product that TFLite's `common.h` relies
 * on (computed with exact double halves, no BigInt on the hot path), `quantizeMultiplier`, and the
 * quantized activation ranges.
 *
 * Conventions follow TFLite: a multiplier is a Q0.31 significand in [2^30, 2^31) (or 0) and a
 * shift is the power-of-two exponent, positive for a left shift. Float32 scales from the model are
 * rounded with `Math.fround` first, and every expression is evaluated in the precision (float or
 * double) and order that TF-Lite Micro uses.
 *
 * @module
 */

import type { Activation, DType } from "../ir/mod.ts";

/** Smallest int32. */
export const INT32_MIN = -2147483648;
/** Largest int32. */
export const INT32_MAX = 2147483647;

/** 2^31, the scale of a Q0.31 multiplier. */
export const TWO_POW_31 = 2147483648;

/**
 * gemmlowp's `SaturatingRoundingDoublingHighMul` for int32 (ARM `SQRDMULH`): the high half of
 * `2 * a * b`, rounded to nearest (ties away from zero), with `INT32_MIN * INT32_MIN` saturating to
 * `INT32_MAX`. The 64-bit product is formed exactly from two 47-bit partial products.
 *
 * @example
 * ```ts
 * import { saturatingRoundingDoublingHighMul } from "./mod.ts";
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

/** `(2 ** n) | 0` without a pow() call for n in 0..31. */
function pow2Int32(n: number): number {
  return n >= 0 && n < 32 ? 1 << n : (2 ** n) | 0;
}

/**
 * gemmlowp's `RoundingDivideByPOT`: `x / 2^exponent` rounded to nearest, ties away from zero
 * (a rounding arithmetic right shift). `exponent` must be in [0, 31].
 *
 * @example
 * ```ts
 * import { roundingDivideByPOT } from "./mod.ts";
 * roundingDivideByPOT(5, 1); // 3
 * roundingDivideByPOT(-5, 1); // -3
 * ```
 */
export function roundingDivideByPOT(x: number, exponent: number): number {
  // `**` runs as a libm pow() call in V8, the reference's hottest line; `1 << e` is the same
  // for e in 0..31 (TFLite's range), and any other e keeps the exact old formula.
  const mask = exponent >= 0 && exponent < 32 ? ((1 << exponent) - 1) | 0 : (2 ** exponent - 1) | 0;
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
 * import { multiplyByQuantizedMultiplier } from "./mod.ts";
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
  const shifted = left === 0 ? x : Math.imul(x, pow2Int32(left));
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(shifted, multiplier), right);
}

/**
 * TFLite's `MultiplyByQuantizedMultiplierGreaterThanOne`: `SRDHM(x * 2^leftShift, multiplier)`.
 *
 * @example
 * ```ts
 * import { multiplyByQuantizedMultiplierGreaterThanOne } from "./mod.ts";
 * multiplyByQuantizedMultiplierGreaterThanOne(3, 1 << 30, 2); // 6
 * ```
 */
export function multiplyByQuantizedMultiplierGreaterThanOne(
  x: number,
  multiplier: number,
  leftShift: number,
): number {
  return saturatingRoundingDoublingHighMul(Math.imul(x, pow2Int32(leftShift)), multiplier);
}

/**
 * C's `std::round`: nearest integer, halfway cases away from zero (JavaScript's `Math.round`
 * sends -2.5 to -2; TFLite sends it to -3).
 *
 * @example
 * ```ts
 * import { roundHalfAwayFromZero } from "./mod.ts";
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
 * import { frexp } from "./mod.ts";
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
 * import { quantizeMultiplier } from "./mod.ts";
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

/** Real-valued bounds of each fused activation (undefined: the dtype's own bound). */
const ACTIVATION_BOUNDS: Readonly<Record<Activation, readonly [number?, number?]>> = {
  NONE: [],
  RELU: [0],
  RELU6: [0, 6],
  RELU_N1_TO_1: [-1, 1],
};

/**
 * TFLite's `CalculateActivationRangeQuantized`: the fused activation's bounds, quantized with
 * the output's float32 scale (`zp + round(float(f / scale))`) and intersected with the dtype range.
 *
 * @example
 * ```ts
 * import { activationRange } from "./mod.ts";
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
  const [lo, hi] = ACTIVATION_BOUNDS[activation];
  return {
    min: lo === undefined ? qmin : Math.max(qmin, quantize(lo)),
    max: hi === undefined ? qmax : Math.min(qmax, quantize(hi)),
  };
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

/**
 * TFLite's float32 -> int8 QUANTIZE of one value: `x / float(scale)` in float32, rounded half
 * away from zero, plus the zero point, clamped to int8. Beyond int32 the quotient saturates (as
 * the ARM conversion does: an infinity gives -128 or 127) and NaN counts as 0.
 *
 * @example
 * ```ts
 * import { quantizeValue } from "./arithmetic.ts";
 * quantizeValue(0.25, 0.1, 0); // 3 (2.5 rounds away from zero)
 * ```
 */
export function quantizeValue(x: number, scale: number, zeroPoint: number): number {
  // TFLite divides in float: `val / static_cast<float>(scale)`.
  const q = roundHalfAwayFromZero(Math.fround(Math.fround(x) / Math.fround(scale)));
  const v = (Number.isNaN(q) ? 0 : Math.max(-2147483648, Math.min(2147483647, q))) + zeroPoint;
  return v < -128 ? -128 : v > 127 ? 127 : v;
}

/**
 * TFLite's int8 -> float32 DEQUANTIZE of one value: `float(double(scale) * (q - zp))`.
 *
 * @example
 * ```ts
 * import { dequantizeValue } from "./arithmetic.ts";
 * dequantizeValue(3, 0.5, 1); // 1
 * ```
 */
export function dequantizeValue(q: number, scale: number, zeroPoint: number): number {
  return Math.fround(Math.fround(scale) * (q - zeroPoint));
}
