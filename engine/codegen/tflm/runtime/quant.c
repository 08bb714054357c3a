/*
 * quant.c: TFLite's quantization_util arithmetic, done at init (Prepare) from the float scales.
 *
 * frexp and round are done on the double's bits, so the firmware needs no libm; the results are
 * the same as std::frexp / std::round.
 */
#include <string.h>

#include "tflm.h"

double tflm_round(double x) {
  /* Round half away from zero. Values >= 2^52 are already integers. */
  double a = x < 0 ? -x : x;
  if (!(a < 4503599627370496.0)) return x;
  int64_t i = (int64_t)(a + 0.5);
  /* a + 0.5 is exact for a < 2^52 except when it rounds up from x.4999..: correct it. */
  if ((double)i - a > 0.5) i--;
  double r = (double)i;
  return x < 0 ? -r : r;
}

void tflm_quantize_multiplier(double m, int32_t *multiplier, int32_t *shift) {
  uint64_t bits;
  memcpy(&bits, &m, sizeof bits);
  int negative = (int)(bits >> 63);
  int32_t biased = (int32_t)((bits >> 52) & 0x7FFu);
  uint64_t frac = bits & 0xFFFFFFFFFFFFFull;
  if (biased == 0) {
    /* Zero (and subnormals, far below 2^-31): flushed to zero as TFLite does. */
    *multiplier = 0;
    *shift = 0;
    return;
  }
  /* m = q * 2^e with q = (2^52 + frac) / 2^53 in [0.5, 1). */
  int32_t e = biased - 1022;
  uint64_t mant = (1ull << 52) | frac;
  int64_t q = (int64_t)((mant + (1ull << 21)) >> 22); /* round(q * 2^31), half away from 0 */
  /* TFLite's QuantizeMultiplier halves only +2^31: a negative m keeps -2^31 (INT32_MIN). */
  if (q == (1ll << 31) && !negative) {
    q /= 2;
    e++;
  }
  if (e < -31) {
    e = 0;
    q = 0;
  }
  *multiplier = (int32_t)(negative ? -q : q);
  *shift = e;
}

/* zero_point + round(f / scale) with the quotient in float32 (as TFLite), kept in double so
 * that a tiny scale saturates instead of overflowing int32. */
static double quantize_bound(float f, float scale, int32_t zero_point) {
  return (double)zero_point + tflm_round((double)(f / scale));
}

static int32_t clamp_bound(double q, int32_t lo, int32_t hi) {
  return q < (double)lo ? lo : (q > (double)hi ? hi : (int32_t)q);
}

void tflm_activation_range(int activation, double scale, int32_t zero_point, int32_t *min,
                           int32_t *max) {
  int32_t lo = -128, hi = 127;
  const float s = (float)scale;
  if (activation == TFLM_ACT_RELU || activation == TFLM_ACT_RELU6) {
    lo = clamp_bound(quantize_bound(0.0f, s, zero_point), -128, 127);
  }
  if (activation == TFLM_ACT_RELU6) hi = clamp_bound(quantize_bound(6.0f, s, zero_point), -128, 127);
  if (activation == TFLM_ACT_RELU_N1_TO_1) {
    lo = clamp_bound(quantize_bound(-1.0f, s, zero_point), -128, 127);
    hi = clamp_bound(quantize_bound(1.0f, s, zero_point), -128, 127);
  }
  *min = lo;
  *max = hi;
}
