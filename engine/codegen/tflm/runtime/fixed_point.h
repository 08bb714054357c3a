/*
 * fixed_point.h: the scalar int32 fixed-point functions (gemmlowp style) TFLite's int8 SOFTMAX and
 * LOGISTIC use: exp on negative values, 1 / (1 + x), logistic, and the reciprocal helper.
 * A raw value with m integer bits stands for raw / 2^(31 - m). Adds wrap like int32.
 */
#ifndef TFLM_FIXED_POINT_H
#define TFLM_FIXED_POINT_H

#include "kernel_util.h"

#define FP_INT32_MAX 2147483647
#define FP_INT32_MIN (-2147483647 - 1)

TFLM_INLINE int32_t fp_add(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }
TFLM_INLINE int32_t fp_sub(int32_t a, int32_t b) { return (int32_t)((uint32_t)a - (uint32_t)b); }

/* SaturatingRoundingDoublingHighMul with the INT32_MIN * INT32_MIN saturation. */
TFLM_INLINE int32_t fp_srdhm(int32_t a, int32_t b) {
  if (a == b && a == FP_INT32_MIN) return FP_INT32_MAX;
  return tflm_doubling_high_mul(a, b);
}

TFLM_INLINE int32_t fp_mul_pot(int32_t x, int exponent) {
  if (exponent == 0) return x;
  if (exponent < 0) return tflm_rounding_shift_right(x, -exponent);
  const int32_t threshold = (int32_t)((1u << (31 - exponent)) - 1u);
  if (x > threshold) return FP_INT32_MAX;
  if (x < -threshold) return FP_INT32_MIN;
  return (int32_t)((uint32_t)x << exponent);
}

TFLM_INLINE int32_t fp_rescale(int32_t x, int src_bits, int dst_bits) {
  return fp_mul_pot(x, src_bits - dst_bits);
}

TFLM_INLINE int32_t fp_rounding_half_sum(int32_t a, int32_t b) {
  const int64_t sum = (int64_t)a + b;
  const int64_t sign = sum >= 0 ? 1 : -1;
  return (int32_t)((sum + sign) / 2);
}

static inline int32_t fp_exp_quarter(int32_t a) {
  const int32_t constant_term = 1895147668;
  const int32_t one_over_3 = 715827883;
  const int32_t x = fp_add(a, 1 << 28);
  const int32_t x2 = fp_srdhm(x, x);
  const int32_t x3 = fp_srdhm(x2, x);
  const int32_t x4 = fp_srdhm(x2, x2);
  const int32_t x4_over_4 = tflm_rounding_shift_right(x4, 2);
  const int32_t poly = tflm_rounding_shift_right(
      fp_add(fp_srdhm(fp_add(x4_over_4, x3), one_over_3), x2), 1);
  return fp_add(constant_term, fp_srdhm(constant_term, fp_add(x, poly)));
}

/* exp(a) for a <= 0 with `integer_bits` integer bits, as Q0.31. */
static inline int32_t fp_exp_on_negative_values(int32_t a, int integer_bits) {
  static const int32_t barrel[7] = {1672461947, 1302514674, 790015084, 290630308,
                                    39332535,   720401,     242};
  const int fractional_bits = 31 - integer_bits;
  const int32_t one_quarter = (int32_t)(1u << (fractional_bits - 2));
  const int32_t mask = one_quarter - 1;
  const int32_t a_mod = fp_sub(a & mask, one_quarter);
  int32_t result = fp_exp_quarter(fp_rescale(a_mod, integer_bits, 0));
  const int32_t remainder = fp_sub(a_mod, a);
  for (int i = 0; i < 7; i++) {
    const int exponent = i - 2;
    if (integer_bits > exponent) {
      const int shift = fractional_bits + exponent;
      if (shift >= 0 && shift < 32 && (remainder & (int32_t)(1u << shift)) != 0) {
        result = fp_srdhm(result, barrel[i]);
      }
    }
  }
  if (integer_bits > 5) {
    const int32_t clamp = -(int32_t)(1u << (36 - integer_bits));
    if (a < clamp) result = 0;
  }
  if (a == 0) result = FP_INT32_MAX;
  return result;
}

/* 1 / (1 + a) for a Q0.31 a in [0, 1), as Q0.31. */
static inline int32_t fp_one_over_one_plus_x(int32_t a) {
  const int32_t half_denominator = fp_rounding_half_sum(a, FP_INT32_MAX);
  const int32_t c48_17 = 1515870810;
  const int32_t cneg32_17 = -1010580540;
  const int32_t one_q2 = 1 << 29;
  int32_t x = fp_add(c48_17, fp_srdhm(half_denominator, cneg32_17));
  for (int i = 0; i < 3; i++) {
    const int32_t hdx = fp_srdhm(half_denominator, x);
    const int32_t one_minus = fp_sub(one_q2, hdx);
    x = fp_add(x, fp_rescale(fp_srdhm(x, one_minus), 4, 2));
  }
  return fp_rescale(x, 1, 0);
}

static inline int32_t fp_logistic(int32_t a, int integer_bits) {
  if (a == 0) return 1 << 30;
  const int positive = a > 0;
  const int32_t abs_a = positive ? a : (int32_t)(0u - (uint32_t)a);
  const int32_t r = fp_one_over_one_plus_x(
      fp_exp_on_negative_values((int32_t)(0u - (uint32_t)abs_a), integer_bits));
  return positive ? r : fp_sub(FP_INT32_MAX, r);
}


TFLM_INLINE int32_t fp_sat_add(int32_t a, int32_t b) {
  const int64_t s = (int64_t)a + b;
  return s > FP_INT32_MAX ? FP_INT32_MAX : s < FP_INT32_MIN ? FP_INT32_MIN : (int32_t)s;
}

TFLM_INLINE int32_t fp_sat_sub(int32_t a, int32_t b) {
  const int64_t s = (int64_t)a - b;
  return s > FP_INT32_MAX ? FP_INT32_MAX : s < FP_INT32_MIN ? FP_INT32_MIN : (int32_t)s;
}

/*
 * ln(x) of a value with `in_bits` integer bits (x >= 1), with `out_bits` integer bits: TFLite's
 * log_x_for_x_greater_than_or_equal_to_1_impl (two normalisations of x, the better one kept, then
 * a rational approximation of the log of the remaining factor plus its power of two times ln 2).
 */
static inline int32_t fp_log_x_ge_1(int32_t x, int in_bits, int out_bits) {
  const int accum_bits = out_bits + 1;
  const int32_t log_2 = 1488522236, sqrt_sqrt_half = 1805811301, sqrt_half = 1518500250;
  const int32_t alpha_n = 117049297, alpha_d = 127690142, alpha_i = 1057819769;
  const int32_t alpha_f = 638450708;
  const int32_t shifted_quarter = fp_rescale(536870912, 0, accum_bits);
  const int za_headroom_plus_1 = __builtin_clz((uint32_t)x);
  const int32_t ra_tmp = fp_mul_pot(x, za_headroom_plus_1 - 1);
  const int32_t ra = fp_mul_pot(fp_srdhm(ra_tmp, sqrt_half), 1);
  const int32_t za_pow2_adj =
      fp_sat_add(fp_mul_pot(in_bits - za_headroom_plus_1, 31 - accum_bits), shifted_quarter);
  const int32_t zb = fp_srdhm(x, sqrt_half);
  const int zb_headroom = __builtin_clz((uint32_t)zb) - 1;
  const int32_t rb = fp_mul_pot(x, zb_headroom);
  const int32_t zb_pow2_adj =
      fp_sat_sub(fp_mul_pot(in_bits - zb_headroom, 31 - accum_bits), shifted_quarter);
  const int32_t r = ra < rb ? ra : rb;
  const int32_t z_pow2_adj = za_pow2_adj > zb_pow2_adj ? za_pow2_adj : zb_pow2_adj;
  const int32_t p = fp_rounding_half_sum(r, sqrt_sqrt_half);
  int32_t q = fp_sub(r, sqrt_sqrt_half);
  q = fp_add(q, q);
  const int32_t common_sq = fp_srdhm(q, q);
  const int32_t num = fp_add(fp_srdhm(q, r), fp_srdhm(fp_srdhm(q, common_sq), alpha_n));
  const int32_t denom_minus_one = fp_add(
      fp_srdhm(p, fp_add(fp_add(alpha_i, q), fp_srdhm(alpha_d, common_sq))), fp_srdhm(alpha_f, q));
  const int32_t recip_denom = fp_one_over_one_plus_x(denom_minus_one);
  const int32_t num_scaled = fp_rescale(num, 0, accum_bits);
  const int32_t sum = fp_add(fp_srdhm(z_pow2_adj, log_2), fp_srdhm(num_scaled, recip_denom));
  return fp_rescale(sum, accum_bits, out_bits);
}

#endif /* TFLM_FIXED_POINT_H */
