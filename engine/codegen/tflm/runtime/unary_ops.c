/*
 * unary_ops.c: standalone RELU, RELU6, RELU_N1_TO_1 and LEAKY_RELU (int8), with TFLite's
 * integer arithmetic; parameters are derived at prepare from the float scales.
 *
 * RELU family (TFLite ReluX): the input, offset by its zero point, is requantized with the
 * multiplier of float(in_scale / out_scale) and clamped to the activation's quantized bounds.
 * LEAKY_RELU: an identity and an alpha multiplier (float(in_scale * alpha / out_scale)), chosen
 * by the sign of the offset input.
 *
 * Options: RELU family [activation code]; LEAKY_RELU [alpha as float32 bits].
 */
#include "kernel_util.h"

TFLM_OP_DATA_INIT(unary_init, tflm_requant_data)

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
    const int32_t s = v >= 0 ? tflm_requantize_any(v, d.multiplier, d.shift)
                             : tflm_requantize_any(v, d.extra[0], d.extra[1]);
    o[i] = (int8_t)tflm_clamp(d.out_zero_point + s, -128, 127);
  }
  return TFLM_OK;
}

const tflm_registration tflm_register_leaky_relu = {unary_init, leaky_relu_prepare,
                                                    leaky_relu_invoke};
