/**
 * The scalar int32 subset of gemmlowp's `fixedpoint.h` that TFLite's int8 SOFTMAX, LOGISTIC and
 * TANH use: fixed-point exp on negative values, 1/(1+x), (1-x)/(1+x), logistic, tanh, and the
 * reciprocal helper of
 * `common.h`. Raw values are int32 numbers; a value with `m` integer bits stands for
 * `raw / 2^(31 - m)`. Additions and subtractions wrap like int32 on the target.
 *
 * @module
 */

import {
  INT32_MAX,
  INT32_MIN,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul as srdhm,
} from "./arithmetic.ts";

/**
 * gemmlowp's `SaturatingRoundingMultiplyByPOT<exponent>`: a saturating left shift for
 * positive exponents, a rounding right shift for negative ones.
 *
 * @example
 * ```ts
 * import { saturatingRoundingMultiplyByPOT } from "./fixed_point.ts";
 * saturatingRoundingMultiplyByPOT(1 << 30, 2); // 2147483647
 * ```
 */
export function saturatingRoundingMultiplyByPOT(x: number, exponent: number): number {
  if (exponent === 0) return x;
  if (exponent < 0) return roundingDivideByPOT(x, -exponent);
  const threshold = 2 ** (31 - exponent) - 1;
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return Math.imul(x, 2 ** exponent);
}

/** gemmlowp's `Rescale<dst>` of a value with `srcIntegerBits` integer bits. */
export function rescale(x: number, srcIntegerBits: number, dstIntegerBits: number): number {
  return saturatingRoundingMultiplyByPOT(x, srcIntegerBits - dstIntegerBits);
}

/** gemmlowp's int32 `RoundingHalfSum`: `(a + b) / 2` rounded half away from zero. */
export function roundingHalfSum(a: number, b: number): number {
  const sum = a + b;
  const sign = sum >= 0 ? 1 : -1;
  return Math.trunc((sum + sign) / 2) | 0;
}

const EXP_BARREL: readonly (readonly [number, number])[] = [
  [-2, 1672461947],
  [-1, 1302514674],
  [0, 790015084],
  [1, 290630308],
  [2, 39332535],
  [3, 720401],
  [4, 242],
];

/** `exp(a)` for a Q0.31 `a` in [-1/4, 0), as a Q0.31 value (Taylor expansion around -1/8). */
export function expOnIntervalBetweenNegativeOneQuarterAnd0Excl(a: number): number {
  const constantTerm = 1895147668; // exp(-1/8)
  const constantOneOver3 = 715827883;
  const x = (a + (1 << 28)) | 0;
  const x2 = srdhm(x, x);
  const x3 = srdhm(x2, x);
  const x4 = srdhm(x2, x2);
  const x4Over4 = roundingDivideByPOT(x4, 2);
  const poly = roundingDivideByPOT((srdhm((x4Over4 + x3) | 0, constantOneOver3) + x2) | 0, 1);
  return (constantTerm + srdhm(constantTerm, (x + poly) | 0)) | 0;
}

/**
 * gemmlowp's `exp_on_negative_values`: `exp(a)` for `a <= 0` with `integerBits` integer bits,
 * returned as Q0.31 (`exp(0)` gives `INT32_MAX`).
 *
 * @example
 * ```ts
 * import { expOnNegativeValues } from "./fixed_point.ts";
 * expOnNegativeValues(0, 5); // 2147483647
 * ```
 */
export function expOnNegativeValues(a: number, integerBits: number): number {
  const fractionalBits = 31 - integerBits;
  const oneQuarter = 2 ** (fractionalBits - 2);
  const mask = oneQuarter - 1;
  const aModQuarterMinusOneQuarter = ((a & mask) - oneQuarter) | 0;
  let result = expOnIntervalBetweenNegativeOneQuarterAnd0Excl(
    rescale(aModQuarterMinusOneQuarter, integerBits, 0),
  );
  const remainder = (aModQuarterMinusOneQuarter - a) | 0;
  for (const [exponent, multiplier] of EXP_BARREL) {
    if (integerBits > exponent) {
      const bit = 2 ** (fractionalBits + exponent);
      if ((remainder & (bit | 0)) !== 0) result = srdhm(result, multiplier);
    }
  }
  if (integerBits > 5) {
    const clamp = -(2 ** (36 - integerBits));
    if (a < clamp) result = 0;
  }
  if (a === 0) result = INT32_MAX;
  return result;
}

/**
 * gemmlowp's `one_over_one_plus_x_for_x_in_0_1`: `1 / (1 + a)` for a Q0.31 `a` in [0, 1), by
 * three Newton-Raphson steps in Q2.29, returned as Q0.31.
 */
export function oneOverOnePlusXForXIn01(a: number): number {
  // ExactMulByPot<-1> turns Q2.29 into Q1.30 without touching the raw value; Rescale<0> follows.
  return rescale(newtonReciprocalQ2(a), 1, 0);
}

/** `2 / (1 + a)` for a Q0.31 `a` in [0, 1) as a Q2.29 raw value (three Newton-Raphson steps). */
function newtonReciprocalQ2(a: number): number {
  const halfDenominator = roundingHalfSum(a, INT32_MAX);
  const constant48Over17 = 1515870810;
  const constantNeg32Over17 = -1010580540;
  const oneQ2 = 1 << 29;
  let x = (constant48Over17 + srdhm(halfDenominator, constantNeg32Over17)) | 0;
  for (let i = 0; i < 3; i++) {
    const halfDenominatorTimesX = srdhm(halfDenominator, x);
    const oneMinus = (oneQ2 - halfDenominatorTimesX) | 0;
    x = (x + rescale(srdhm(x, oneMinus), 4, 2)) | 0;
  }
  return x;
}

/**
 * gemmlowp's `one_minus_x_over_one_plus_x_for_x_in_0_1`: `(1 - a) / (1 + a)` for a Q0.31 `a` in
 * [0, 1): the same three Newton-Raphson steps as {@link oneOverOnePlusXForXIn01} give `2 / (1 + a)`
 * in Q2.29; one is subtracted and the result saturated back to Q0.31.
 */
export function oneMinusXOverOnePlusXForXIn01(a: number): number {
  return rescale((newtonReciprocalQ2(a) - (1 << 29)) | 0, 2, 0);
}

/**
 * gemmlowp's `tanh` of a value with `integerBits` integer bits, returned as Q0.31:
 * `(1 - exp(-2|a|)) / (1 + exp(-2|a|))` with the sign of `a` (0 for 0).
 *
 * @example
 * ```ts
 * import { tanh } from "./fixed_point.ts";
 * tanh(0, 4); // 0
 * ```
 */
export function tanh(a: number, integerBits: number): number {
  if (a === 0) return 0;
  const negative = a < 0;
  const n = negative ? a : -a | 0;
  // exp(2n): the raw value of n read with one more integer bit (ExactMulByPot<1>).
  const t = oneMinusXOverOnePlusXForXIn01(expOnNegativeValues(n, integerBits + 1));
  return negative ? -t | 0 : t;
}

/**
 * gemmlowp's `logistic` of a value with `integerBits` integer bits, returned as Q0.31.
 *
 * @example
 * ```ts
 * import { logistic } from "./fixed_point.ts";
 * logistic(0, 4); // 1073741824 (0.5)
 * ```
 */
export function logistic(a: number, integerBits: number): number {
  if (a === 0) return 1 << 30;
  const positive = a > 0;
  const absInput = positive ? a : -a | 0;
  const resultIfPositive = oneOverOnePlusXForXIn01(expOnNegativeValues(-absInput | 0, integerBits));
  return positive ? resultIfPositive : (INT32_MAX - resultIfPositive) | 0;
}

/**
 * TFLite's `GetReciprocal` (common.h): a Q0.31 `1 / x` scaled into [0.5, 1) plus the number of
 * bits `x` has above one, for an `x` with `integerDigits` integer bits.
 */
export function getReciprocal(
  x: number,
  integerDigits: number,
): { reciprocal: number; numBitsOverUnit: number } {
  const headroomPlusOne = Math.clz32(x);
  const numBitsOverUnit = integerDigits - headroomPlusOne;
  const shiftedSumMinusOne = ((x << headroomPlusOne) - 2147483648) | 0;
  return { reciprocal: oneOverOnePlusXForXIn01(shiftedSumMinusOne), numBitsOverUnit };
}

/** int32 addition saturated to the int32 range (TFLite's `SaturatingAddNonGemmlowp`). */
function saturatingAdd(a: number, b: number): number {
  const s = a + b;
  return s > INT32_MAX ? INT32_MAX : s < INT32_MIN ? INT32_MIN : s;
}

/** int32 subtraction saturated to the int32 range (TFLite's `SaturatingSub`). */
function saturatingSub(a: number, b: number): number {
  const s = a - b;
  return s > INT32_MAX ? INT32_MAX : s < INT32_MIN ? INT32_MIN : s;
}

/**
 * TFLite's `log_x_for_x_greater_than_or_equal_to_1_impl` (common.h): `ln(x)` of a value with
 * `inputIntegerBits` integer bits, returned with `outputIntegerBits` integer bits. The input is
 * normalised twice (once premultiplied by sqrt(1/2)), the better normalisation kept, and the log
 * of the remaining factor in [sqrt(1/2), sqrt(2)) comes from a rational approximation around
 * 2^(-1/4); the power of two adds `z * ln 2`. Fixed-point products are SRDHM, sums wrap.
 *
 * @example
 * ```ts
 * import { logXForXGreaterThanOrEqualTo1 } from "./fixed_point.ts";
 * logXForXGreaterThanOrEqualTo1(1 << 19, 12, 5); // ln(1) = 0 (within a few raw units)
 * ```
 */
export function logXForXGreaterThanOrEqualTo1(
  raw: number,
  inputIntegerBits: number,
  outputIntegerBits: number,
): number {
  const accumIntegerBits = outputIntegerBits + 1;
  const log2 = 1488522236;
  const sqrtSqrtHalf = 1805811301;
  const sqrtHalf = 1518500250;
  const oneQuarter = 536870912;
  const alphaN = 117049297;
  const alphaD = 127690142;
  const alphaI = 1057819769;
  const alphaF = 638450708;
  const shiftedQuarter = rescale(oneQuarter, 0, accumIntegerBits);

  const zA = raw | 0;
  const zAHeadroomPlus1 = Math.clz32(zA);
  const rATmp = saturatingRoundingMultiplyByPOT(zA, zAHeadroomPlus1 - 1);
  const rARaw = saturatingRoundingMultiplyByPOT(srdhm(rATmp, sqrtHalf), 1);
  const zAPow2Adj = saturatingAdd(
    saturatingRoundingMultiplyByPOT(inputIntegerBits - zAHeadroomPlus1, 31 - accumIntegerBits),
    shiftedQuarter,
  );
  const zB = srdhm(zA, sqrtHalf);
  const zBHeadroom = Math.clz32(zB) - 1;
  const rBRaw = saturatingRoundingMultiplyByPOT(zA, zBHeadroom);
  const zBPow2Adj = saturatingSub(
    saturatingRoundingMultiplyByPOT(inputIntegerBits - zBHeadroom, 31 - accumIntegerBits),
    shiftedQuarter,
  );
  const r = Math.min(rARaw, rBRaw);
  const zPow2Adj = Math.max(zAPow2Adj, zBPow2Adj);

  const p = roundingHalfSum(r, sqrtSqrtHalf);
  let q = (r - sqrtSqrtHalf) | 0;
  q = (q + q) | 0;
  const commonSq = srdhm(q, q);
  const num = (srdhm(q, r) + srdhm(srdhm(q, commonSq), alphaN)) | 0;
  const denomMinusOne = (srdhm(p, (((alphaI + q) | 0) + srdhm(alphaD, commonSq)) | 0) +
    srdhm(alphaF, q)) | 0;
  const recipDenom = oneOverOnePlusXForXIn01(denomMinusOne);
  const numScaled = rescale(num, 0, accumIntegerBits);
  const sum = (srdhm(zPow2Adj, log2) + srdhm(numScaled, recipDenom)) | 0;
  return rescale(sum, accumIntegerBits, outputIntegerBits);
}
