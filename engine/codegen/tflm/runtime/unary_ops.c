/*
 * unary_ops.c: standalone RELU, RELU6, RELU_N1_TO_1, LEAKY_RELU and TANH (int8), with TFLite's
 * integer arithmetic; parameters are derived at prepare from the float scales.
 *
 * RELU family (TFLite ReluX): the input, offset by its zero point, is requantized with the
 * multiplier of float(in_scale / out_scale) and clamped to the activation's quantized bounds.
 * LEAKY_RELU: an identity and an alpha multiplier (float(in_scale * alpha / out_scale)), chosen
 * by the sign of the offset input. TANH (reference_integer_ops::Tanh): the LOGISTIC input
 * rescaling to Q4.27, gemmlowp's fixed-point tanh, rounded to Q0.7.
 *
 * Options: RELU family [activation code]; LEAKY_RELU [alpha as float32 bits]; TANH none.
 */
#include "fixed_point.h"

static void *unary_init(tflm_interpreter *it, tflm_node *node) {
  (void)node;
  return tflm_alloc_persistent(it, sizeof(tflm_requant_data));
}

/* MultiplyByQuantizedMultiplier for any sign of the multiplier (no fast path). */
static int32_t mbqm_any(int32_t x, int32_t multiplier, int32_t shift) {
  const int32_t left = shift > 0 ? shift : 0;
  const int32_t right = shift > 0 ? 0 : -shift;
  return tflm_rounding_shift_right(
      tflm_doubling_high_mul((int32_t)((uint32_t)x << left), multiplier), right);
}

/* ---- RELU, RELU6, RELU_N1_TO_1 ----------------------------------------------------------- */

static int relu_prepare(tflm_interpreter *it, tflm_node *node) {
  tflm_requant_data *d = node->op_data;
  const tflm_tensor_desc *in = tflm_input_desc(it, node, 0);
  const tflm_tensor_desc *out = tflm_output_desc(it, node, 0);
  if (in->type != TFLM_INT8 || out->type != TFLM_INT8) return TFLM_ERR_UNSUPPORTED;
  const float si = (float)tflm_scale(it, in, 0), so = (float)tflm_scale(it, out, 0);
  const float ratio = si / so;
  tflm_quantize_multiplier((double)ratio, &d->multiplier, &d->shift);
  d->in_zero_point = in->zero_point;
  d->out_zero_point = out->zero_point;
  tflm_activation_range(tflm_option(it, node, 0), so, out->zero_point, &d->extra[0],
                        &d->extra[1]);
  return TFLM_OK;
}

static int relu_invoke(tflm_interpreter *it, tflm_node *node) {
  const tflm_requant_data d = *(const tflm_requant_data *)node->op_data;
  const tflm_tensor *in = tflm_input(it, node, 0);
  const tflm_tensor *out = tflm_output(it, node, 0);
  const uint32_t n = tflm_elements(in);
  const int8_t *x = in->data;
  int8_t *o = out->data;
  for (uint32_t i = 0; i < n; i++) {
    const int32_t v =
        d.out_zero_point + mbqm_any(x[i] - d.in_zero_point, d.multiplier, d.shift);
    o[i] = (int8_t)tflm_clamp(v, d.extra[0], d.extra[1]);
  }
  return TFLM_OK;
}

const tflm_registration tflm_register_relu = {unary_init, relu_prepare, relu_invoke};
const tflm_registration tflm_register_relu6 = {unary_init, relu_prepare, relu_invoke};
const tflm_registration tflm_register_relu_n1_to_1 = {unary_init, relu_prepare, relu_invoke};

/* ---- LEAKY_RELU ------------------------------------------------------------------------- */

static int leaky_relu_prepare(tflm_interpreter *it, tflm_node *node) {
  tflm_requant_data *d = node->op_data;
  const tflm_tensor_desc *in = tflm_input_desc(it, node, 0);
  const tflm_tensor_desc *out = tflm_output_desc(it, node, 0);
  if (in->type != TFLM_INT8 || out->type != TFLM_INT8) return TFLM_ERR_UNSUPPORTED;
  float alpha;
  const int32_t bits = tflm_option(it, node, 0);
  memcpy(&alpha, &bits, 4);
  const float si = (float)tflm_scale(it, in, 0), so = (float)tflm_scale(it, out, 0);
  const float scaled_alpha = si * alpha;
  const float alpha_ratio = scaled_alpha / so;
  const float identity_ratio = si / so;
  tflm_quantize_multiplier((double)identity_ratio, &d->multiplier, &d->shift);
  tflm_quantize_multiplier((double)alpha_ratio, &d->extra[0], &d->extra[1]);
  d->in_zero_point = in->zero_point;
  d->out_zero_point = out->zero_point;
  return TFLM_OK;
}

static int leaky_relu_invoke(tflm_interpreter *it, tflm_node *node) {
  const tflm_requant_data d = *(const tflm_requant_data *)node->op_data;
  const tflm_tensor *in = tflm_input(it, node, 0);
  const tflm_tensor *out = tflm_output(it, node, 0);
  const uint32_t n = tflm_elements(in);
  const int8_t *x = in->data;
  int8_t *o = out->data;
  for (uint32_t i = 0; i < n; i++) {
    const int32_t v = x[i] - d.in_zero_point;
    const int32_t s = v >= 0 ? mbqm_any(v, d.multiplier, d.shift)
                             : mbqm_any(v, d.extra[0], d.extra[1]);
    o[i] = (int8_t)tflm_clamp(d.out_zero_point + s, -128, 127);
  }
  return TFLM_OK;
}

const tflm_registration tflm_register_leaky_relu = {unary_init, leaky_relu_prepare,
                                                    leaky_relu_invoke};

/* ---- TANH ------------------------------------------------------------------------------- */

/* floor((2^integer_bits - 1) * 2^(31 - integer_bits) / 2^left_shift), TFLite CalculateInputRadius. */
static int32_t tanh_input_radius(int integer_bits, int32_t left_shift) {
  double v = (double)((1 << integer_bits) - 1) * (double)(1u << (31 - integer_bits));
  for (int32_t i = 0; i < left_shift; i++) v /= 2.0;
  for (int32_t i = left_shift; i < 0; i++) v *= 2.0;
  return (int32_t)(int64_t)v;
}

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

static int tanh_prepare(tflm_interpreter *it, tflm_node *node) {
  tflm_requant_data *d = node->op_data;
  const tflm_tensor_desc *in = tflm_input_desc(it, node, 0);
  const tflm_tensor_desc *out = tflm_output_desc(it, node, 0);
  if (in->type != TFLM_INT8 || out->type != TFLM_INT8) return TFLM_ERR_UNSUPPORTED;
  const double real = (double)(float)tflm_scale(it, in, 0) * 134217728.0; /* 2^27 */
  /* frexp, significand rounded to Q0.31 without renormalisation (as LOGISTIC). */
  uint64_t b;
  memcpy(&b, &real, 8);
  const int32_t biased = (int32_t)((b >> 52) & 0x7FFu);
  const uint64_t mant = (1ull << 52) | (b & 0xFFFFFFFFFFFFFull);
  d->multiplier = biased ? (int32_t)(uint32_t)((mant + (1ull << 21)) >> 22) : 0;
  d->shift = biased ? biased - 1022 : 0;
  d->in_zero_point = in->zero_point;
  d->extra[0] = tanh_input_radius(4, d->shift);
  return TFLM_OK;
}

static int tanh_invoke(tflm_interpreter *it, tflm_node *node) {
  const tflm_requant_data d = *(const tflm_requant_data *)node->op_data;
  const tflm_tensor *in = tflm_input(it, node, 0);
  const tflm_tensor *out = tflm_output(it, node, 0);
  const uint32_t n = tflm_elements(in);
  const int8_t *x = in->data;
  int8_t *o = out->data;
  const int32_t radius = d.extra[0];
  for (uint32_t i = 0; i < n; i++) {
    const int32_t v = x[i] - d.in_zero_point;
    if (v <= -radius) {
      o[i] = -128;
    } else if (v >= radius) {
      o[i] = 127;
    } else {
      const int32_t q4 = mbqm_any(v, d.multiplier, d.shift);
      const int32_t r = tflm_rounding_shift_right(fp_tanh_q4(q4), 31 - 7);
      o[i] = (int8_t)tflm_clamp(r, -128, 127);
    }
  }
  return TFLM_OK;
}

const tflm_registration tflm_register_tanh = {unary_init, tanh_prepare, tanh_invoke};
