/*
 * unary_ops.c: standalone RELU, RELU6, RELU_N1_TO_1 and LEAKY_RELU (int8), with TFLite's
 * integer arithmetic; parameters are derived at prepare from the float scales.
 *
 * RELU family (TFLite ReluX): the input, offset by its zero point, is requantized with the
 * multiplier of float(in_scale / out_scale) and clamped to the activation's quantized bounds.
 * LEAKY_RELU: an identity and an alpha multiplier (float(in_scale * alpha / out_scale)), chosen
 * by the sign of the offset input.
 *
 * RSQRT (TFLM RsqrtEvalQuantized): 1 / sqrt(x - zero point) from TFLite's inverse-square-root
 * multiplier, requantized by 1 / (sqrt(in_scale) * out_scale); inputs below the zero point are
 * an error, the zero point itself gives 127.
 *
 * Options: RELU family [activation code]; LEAKY_RELU [alpha as float32 bits]; RSQRT none.
 */
#include "fixed_point.h"

TFLM_OP_DATA_INIT(unary_init, tflm_requant_data)

/* ---- RELU, RELU6, RELU_N1_TO_1 ----------------------------------------------------------- */

static int relu_prepare(tflm_interpreter *it, tflm_node *node) {
  TFLM_PREPARE_INT8_UNARY(tflm_requant_data);
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
  TFLM_INT8_ELEMENTS;
  for (uint32_t i = 0; i < n; i++) {
    const int32_t v =
        d.out_zero_point + tflm_requantize_any(x[i] - d.in_zero_point, d.multiplier, d.shift);
    o[i] = (int8_t)tflm_clamp(v, d.extra[0], d.extra[1]);
  }
  return TFLM_OK;
}

const tflm_registration tflm_register_relu = {unary_init, relu_prepare, relu_invoke};
const tflm_registration tflm_register_relu6 = {unary_init, relu_prepare, relu_invoke};
const tflm_registration tflm_register_relu_n1_to_1 = {unary_init, relu_prepare, relu_invoke};

/* ---- LEAKY_RELU ------------------------------------------------------------------------- */

static int leaky_relu_prepare(tflm_interpreter *it, tflm_node *node) {
  TFLM_PREPARE_INT8_UNARY(tflm_requant_data);
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
  TFLM_INT8_ELEMENTS;
  for (uint32_t i = 0; i < n; i++) {
    const int32_t v = x[i] - d.in_zero_point;
    const int32_t s = v >= 0 ? tflm_requantize_any(v, d.multiplier, d.shift)
                             : tflm_requantize_any(v, d.extra[0], d.extra[1]);
    o[i] = (int8_t)tflm_clamp(d.out_zero_point + s, -128, 127);
  }
  return TFLM_OK;
}

const tflm_registration tflm_register_leaky_relu = {unary_init, leaky_relu_prepare,
                                                    leaky_relu_invoke};

/* ---- RSQRT ------------------------------------------------------------------------------- */

/*
 * TFLite's GetInvSqrtQuantizedMultiplierExp(input, kReverseShift = -1): 1 / sqrt(input) by five
 * Newton-Raphson steps in Q3.28, as a Q0.31 multiplier and a shift.
 */
static void inv_sqrt_multiplier(int32_t input, int32_t *multiplier, int32_t *shift) {
  if (input <= 1) {
    *multiplier = 2147483647;
    *shift = 0;
    return;
  }
  int32_t s = 11;
  while (input >= (1 << 29)) {
    input /= 4;
    s++;
  }
  const int32_t pairs = (int32_t)((__builtin_clz((uint32_t)input) - 1) / 2) - 1;
  s -= pairs;
  input = (int32_t)((uint32_t)input << (2 * pairs));
  const int32_t half_input = fp_mul_pot(input >> 1, -1);
  const int32_t half_three = (1 << 28) + (1 << 27);
  int32_t x = 1 << 28;
  for (int i = 0; i < 5; i++) {
    const int32_t x3 = fp_rescale(fp_srdhm(fp_srdhm(x, x), x), 9, 3);
    x = fp_rescale(fp_sub(fp_srdhm(half_three, x), fp_srdhm(half_input, x3)), 6, 3);
  }
  x = fp_srdhm(x, 1518500250); /* sqrt(2) / 2 */
  if (s < 0) {
    x = (int32_t)((uint32_t)x << -s);
    s = 0;
  }
  *multiplier = x;
  *shift = -s;
}

static int rsqrt_prepare(tflm_interpreter *it, tflm_node *node) {
  TFLM_PREPARE_INT8_UNARY(tflm_requant_data);
  /* SetRsqrtOutputMultiplier: sqrt and product in float32, the reciprocal in double. */
  const float si = (float)tflm_scale(it, in, 0), so = (float)tflm_scale(it, out, 0);
  tflm_quantize_multiplier(1.0 / (double)(__builtin_sqrtf(si) * so), &d->multiplier, &d->shift);
  d->in_zero_point = in->zero_point;
  d->out_zero_point = out->zero_point;
  return TFLM_OK;
}

static int rsqrt_invoke(tflm_interpreter *it, tflm_node *node) {
  const tflm_requant_data d = *(const tflm_requant_data *)node->op_data;
  TFLM_INT8_ELEMENTS;
  for (uint32_t i = 0; i < n; i++) {
    const int32_t value = x[i] - d.in_zero_point;
    if (value < 0) return TFLM_ERR_UNSUPPORTED; /* "Rsqrt is only defined for positive values" */
    if (value == 0) {
      o[i] = 127;
      continue;
    }
    int32_t m, s;
    inv_sqrt_multiplier(value, &m, &s);
    const int32_t data = tflm_requantize_any(1, m, s + 20);
    o[i] = (int8_t)tflm_clamp(tflm_requantize_any(data, d.multiplier, d.shift - 20) + d.out_zero_point,
                              -128, 127);
  }
  return TFLM_OK;
}

const tflm_registration tflm_register_rsqrt = {unary_init, rsqrt_prepare, rsqrt_invoke};
