/*
 * activations.c: SOFTMAX, LOGISTIC, TANH, HARD_SWISH, QUANTIZE and DEQUANTIZE (int8), with
 * TFLite's integer arithmetic; parameters are derived at prepare from the float scales. TANH is
 * reference_integer_ops::Tanh: LOGISTIC's input rescaling to Q4.27, gemmlowp's fixed-point tanh,
 * rounded to Q0.7.
 *
 * Options: SOFTMAX [beta as float32 bits]; the others none.
 */
#include "fixed_point.h"
#include "float_io.h"

/* floor((2^integer_bits - 1) * 2^(31 - integer_bits) / 2^left_shift), TFLite CalculateInputRadius. */
static int32_t input_radius(int integer_bits, int32_t left_shift) {
  double v = (double)((1 << integer_bits) - 1) * (double)(1u << (31 - integer_bits));
  for (int32_t i = 0; i < left_shift; i++) v /= 2.0;
  for (int32_t i = left_shift; i < 0; i++) v *= 2.0;
  const int64_t f = (int64_t)v; /* v >= 0: truncation is floor */
  return (int32_t)f;
}

TFLM_OP_DATA_INIT(requant_init, tflm_requant_data)

/* ---- SOFTMAX ---------------------------------------------------------------------------- */

static int softmax_prepare(tflm_interpreter *it, tflm_node *node) {
  TFLM_PREPARE_INT8_UNARY(tflm_requant_data);
  float beta;
  const int32_t bits = tflm_option(it, node, 0);
  memcpy(&beta, &bits, 4);
  double real = (double)beta * (double)(float)tflm_scale(it, in, 0) * 67108864.0; /* 2^26 */
  if (real > 2147483647.0) real = 2147483647.0;
  tflm_quantize_multiplier(real, &d->multiplier, &d->shift);
  d->extra[0] = -input_radius(5, d->shift); /* diff_min */
  return TFLM_OK;
}

static int softmax_invoke(tflm_interpreter *it, tflm_node *node) {
  const tflm_requant_data *d = node->op_data;
  const tflm_tensor *in = tflm_input(it, node, 0);
  const tflm_tensor *out = tflm_output(it, node, 0);
  const int32_t depth = in->dims[in->rank - 1];
  const int32_t rows = (int32_t)(tflm_elements(in) / (uint32_t)depth);
  const int32_t diff_min = d->extra[0];
  for (int32_t r = 0; r < rows; r++) {
    TFLM_SOFTMAX_ROW(r);
    for (int32_t c = 0; c < depth; c++) {
      const int32_t diff = x[c] - max;
      if (diff >= diff_min) {
        const int32_t scaled =
            fp_srdhm((int32_t)((uint32_t)diff << d->shift), d->multiplier);
        sum = fp_add(sum, fp_rescale(fp_exp_on_negative_values(scaled, 5), 0, 12));
      }
    }
    const int headroom = __builtin_clz((uint32_t)sum);
    const int32_t bits_over_unit = 12 - headroom;
    const int32_t shifted = fp_sub((int32_t)((uint32_t)sum << headroom), FP_INT32_MIN);
    const int32_t reciprocal = fp_one_over_one_plus_x(shifted);
    const int32_t exponent = bits_over_unit + 31 - 8;
    for (int32_t c = 0; c < depth; c++) {
      const int32_t diff = x[c] - max;
      if (diff >= diff_min) {
        const int32_t scaled =
            fp_srdhm((int32_t)((uint32_t)diff << d->shift), d->multiplier);
        const int32_t e = fp_exp_on_negative_values(scaled, 5);
        const int32_t v = tflm_rounding_shift_right(fp_srdhm(reciprocal, e), exponent) - 128;
        o[c] = (int8_t)tflm_clamp(v, -128, 127);
      } else {
        o[c] = -128;
      }
    }
  }
  return TFLM_OK;
}

const tflm_registration tflm_register_softmax = {requant_init, softmax_prepare, softmax_invoke};

/* ---- LOGISTIC --------------------------------------------------------------------------- */

static int logistic_prepare(tflm_interpreter *it, tflm_node *node) {
  TFLM_PREPARE_INT8_UNARY(tflm_requant_data);
  const double real = (double)(float)tflm_scale(it, in, 0) * 134217728.0; /* 2^27 */
  /* frexp, significand rounded to Q0.31 without renormalisation. */
  uint64_t b;
  memcpy(&b, &real, 8);
  const int32_t biased = (int32_t)((b >> 52) & 0x7FFu);
  const uint64_t mant = (1ull << 52) | (b & 0xFFFFFFFFFFFFFull);
  d->multiplier = biased ? (int32_t)(uint32_t)((mant + (1ull << 21)) >> 22) : 0;
  d->shift = biased ? biased - 1022 : 0;
  d->in_zero_point = in->zero_point;
  d->extra[0] = input_radius(4, d->shift);
  return TFLM_OK;
}

static int logistic_invoke(tflm_interpreter *it, tflm_node *node) {
  const tflm_requant_data *d = node->op_data;
  TFLM_INT8_ELEMENTS;
  const int32_t radius = d->extra[0];
  for (uint32_t i = 0; i < n; i++) {
    const int32_t v = x[i] - d->in_zero_point;
    if (v <= -radius) {
      o[i] = -128;
    } else if (v >= radius) {
      o[i] = 127;
    } else {
      const int32_t q4 = tflm_requantize(v, d->multiplier, d->shift);
      const int32_t r = tflm_rounding_shift_right(fp_logistic(q4, 4), 31 - 8) - 128;
      o[i] = (int8_t)tflm_clamp(r, -128, 127);
    }
  }
  return TFLM_OK;
}

const tflm_registration tflm_register_logistic = {requant_init, logistic_prepare,
                                                  logistic_invoke};

/* ---- TANH ------------------------------------------------------------------------------- */

/* (1 - a) / (1 + a) for a Q0.31 a in [0, 1): Newton-Raphson for 2 / (1 + a) in Q2.29, minus 1. */
static int32_t fp_one_minus_x_over_one_plus_x(int32_t a) {
  const int32_t half_denominator = fp_rounding_half_sum(a, FP_INT32_MAX);
  int32_t x = fp_add(1515870810, fp_srdhm(half_denominator, -1010580540));
  for (int i = 0; i < 3; i++) {
    const int32_t hdx = fp_srdhm(half_denominator, x);
    x = fp_add(x, fp_rescale(fp_srdhm(x, fp_sub(1 << 29, hdx)), 4, 2));
  }
  return fp_rescale(fp_sub(x, 1 << 29), 2, 0);
}

/* gemmlowp tanh of a Q4.27 value, as Q0.31. */
static int32_t fp_tanh_q4(int32_t a) {
  if (a == 0) return 0;
  const int negative = a < 0;
  const int32_t n = negative ? a : (int32_t)(0u - (uint32_t)a);
  /* exp(2n): the same raw value read with 5 integer bits. */
  const int32_t t = fp_one_minus_x_over_one_plus_x(fp_exp_on_negative_values(n, 5));
  return negative ? (int32_t)(0u - (uint32_t)t) : t;
}

static int tanh_invoke(tflm_interpreter *it, tflm_node *node) {
  const tflm_requant_data d = *(const tflm_requant_data *)node->op_data;
  TFLM_INT8_ELEMENTS;
  const int32_t radius = d.extra[0];
  for (uint32_t i = 0; i < n; i++) {
    const int32_t v = x[i] - d.in_zero_point;
    if (v <= -radius) {
      o[i] = -128;
    } else if (v >= radius) {
      o[i] = 127;
    } else {
      const int32_t q4 = tflm_requantize_any(v, d.multiplier, d.shift);
      const int32_t r = tflm_rounding_shift_right(fp_tanh_q4(q4), 31 - 7);
      o[i] = (int8_t)tflm_clamp(r, -128, 127);
    }
  }
  return TFLM_OK;
}

/* The input side is LOGISTIC's: the same Q4.27 rescaling and radius. */
const tflm_registration tflm_register_tanh = {requant_init, logistic_prepare, tanh_invoke};

/* ---- HARD_SWISH ------------------------------------------------------------------------- */

TFLM_INLINE int32_t to16(int32_t x) { return (int32_t)(int16_t)x; }

TFLM_INLINE int32_t srdhm16(int32_t a, int32_t b) {
  if (a == b && a == -32768) return 32767;
  const int32_t ab = a * b;
  const int32_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
  return to16((ab + nudge) / 32768);
}

TFLM_INLINE int32_t sdhm16(int32_t a, int32_t b) {
  if (a == b && a == -32768) return 32767;
  return to16((a * b) / 32768);
}

TFLM_INLINE int32_t sat_left16(int32_t v, int32_t amount) {
  const int32_t r = v * (1 << amount);
  return r > 32767 ? 32767 : (r < -32768 ? -32768 : r);
}

TFLM_INLINE int32_t rdbpot16(int32_t x, int32_t exponent) {
  const int32_t mask = to16((1 << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return to16((x >> exponent) + (remainder > threshold ? 1 : 0));
}

static int32_t down_scale16(int32_t m) {
  if (m >= 2147483647 - 32768) return 32767;
  return (m + 32768) >> 16;
}

static int hard_swish_prepare(tflm_interpreter *it, tflm_node *node) {
  TFLM_PREPARE_INT8_UNARY(tflm_requant_data);
  const float hires = (1.0f / 128.0f) * (float)tflm_scale(it, in, 0);
  const float reluish = 3.0f / 32768.0f;
  int32_t om, os, rm, rs;
  tflm_quantize_multiplier((double)(hires / (float)tflm_scale(it, out, 0)), &om, &os);
  tflm_quantize_multiplier((double)(hires / reluish), &rm, &rs);
  if (os > 0) return TFLM_ERR_PREPARE;
  d->in_zero_point = in->zero_point;
  d->out_zero_point = out->zero_point;
  d->multiplier = down_scale16(om);
  d->shift = os;
  d->extra[0] = down_scale16(rm);
  d->extra[1] = rs;
  return TFLM_OK;
}

static int hard_swish_invoke(tflm_interpreter *it, tflm_node *node) {
  const tflm_requant_data *d = node->op_data;
  TFLM_INT8_ELEMENTS;
  const int32_t rel_exp = d->extra[1];
  for (uint32_t i = 0; i < n; i++) {
    const int32_t input_value = to16(x[i] - d->in_zero_point);
    const int32_t hires = to16(input_value * 128);
    const int32_t preshift_output = srdhm16(hires, d->multiplier);
    int32_t r = hires;
    if (rel_exp > 0) r = sat_left16(r, rel_exp - 1);
    r = srdhm16(r, d->extra[0]);
    if (rel_exp > 0) r = sat_left16(r, 1);
    if (rel_exp < 0) r = rdbpot16(r, -rel_exp);
    r = to16((r + (1 << 15)) >> 1);
    const int32_t preshift = sdhm16(r, preshift_output);
    int32_t v = rdbpot16(preshift, -d->shift);
    v = to16(v + d->out_zero_point);
    o[i] = (int8_t)tflm_clamp(v, -128, 127);
  }
  return TFLM_OK;
}

const tflm_registration tflm_register_hard_swish = {requant_init, hard_swish_prepare,
                                                    hard_swish_invoke};

/* ---- QUANTIZE / DEQUANTIZE -------------------------------------------------------------- */

static int quantize_prepare(tflm_interpreter *it, tflm_node *node) {
  tflm_requant_data *d = node->op_data;
  const tflm_tensor_desc *in = tflm_input_desc(it, node, 0);
  const tflm_tensor_desc *out = tflm_output_desc(it, node, 0);
  if (out->type != TFLM_INT8) return TFLM_ERR_UNSUPPORTED;
  d->out_zero_point = out->zero_point;
  if (in->type == TFLM_INT8) {
    d->in_zero_point = in->zero_point;
    tflm_quantize_multiplier(
        (double)(float)tflm_scale(it, in, 0) / (double)(float)tflm_scale(it, out, 0),
        &d->multiplier, &d->shift);
  } else if (in->type != TFLM_FLOAT32) {
    return TFLM_ERR_UNSUPPORTED;
  }
  return TFLM_OK;
}

static int quantize_invoke(tflm_interpreter *it, tflm_node *node) {
  const tflm_requant_data *d = node->op_data;
  const tflm_tensor *in = tflm_input(it, node, 0);
  const tflm_tensor *out = tflm_output(it, node, 0);
  const uint32_t n = tflm_elements(in);
  int8_t *o = out->data;
  if (in->type == TFLM_FLOAT32) {
    /* TFLite divides in float and rounds half away from zero: single precision on the FPU. */
    const float scale = (float)tflm_scale(it, tflm_output_desc(it, node, 0), 0);
    mcu_quantize_f32_array(in->data, o, (int32_t)n, scale, d->out_zero_point);
  } else {
    const int8_t *x = in->data;
    for (uint32_t i = 0; i < n; i++) {
      const int32_t v =
          tflm_requantize(x[i] - d->in_zero_point, d->multiplier, d->shift) + d->out_zero_point;
      o[i] = (int8_t)tflm_clamp(v, -128, 127);
    }
  }
  return TFLM_OK;
}

const tflm_registration tflm_register_quantize = {requant_init, quantize_prepare,
                                                  quantize_invoke};

static int dequantize_invoke(tflm_interpreter *it, tflm_node *node) {
  const tflm_tensor *in = tflm_input(it, node, 0);
  const tflm_tensor *out = tflm_output(it, node, 0);
  const tflm_tensor_desc *id = tflm_input_desc(it, node, 0);
  if (in->type != TFLM_INT8 || out->type != TFLM_FLOAT32) return TFLM_ERR_UNSUPPORTED;
  const float scale = (float)tflm_scale(it, id, 0);
  mcu_dequantize_i8_array(in->data, out->data, (int32_t)tflm_elements(in), scale, id->zero_point);
  return TFLM_OK;
}

const tflm_registration tflm_register_dequantize = {NULL, NULL, dequantize_invoke};
