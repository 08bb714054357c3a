/*
 * log_softmax.c: LOG_SOFTMAX (int8), TFLite's LogSoftmaxQuantized as TFLM runs it. Prepare derives
 * the Q5.26 input multiplier, its reverse scaling and diff_min from the input scale (beta 1); the
 * output must have scale 16/256 and zero point 127.
 *
 * Options: none.
 */
#include "fixed_point.h"

/* floor((2^5 - 1) * 2^26 / 2^left_shift), TFLite CalculateInputRadius(5, left_shift). */
static int32_t log_softmax_radius(int32_t left_shift) {
  double v = 31.0 * 67108864.0;
  for (int32_t i = 0; i < left_shift; i++) v /= 2.0;
  return (int32_t)(int64_t)v;
}

TFLM_OP_DATA_INIT(log_softmax_init, tflm_requant_data)

static int log_softmax_prepare(tflm_interpreter *it, tflm_node *node) {
  TFLM_PREPARE_INT8_UNARY(tflm_requant_data);
  if ((float)tflm_scale(it, out, 0) != 16.0f / 256.0f || out->zero_point != 127) {
    return TFLM_ERR_UNSUPPORTED;
  }
  double real = (double)(float)tflm_scale(it, in, 0) * 67108864.0; /* 2^26, beta 1 */
  if (real > 2147483647.0) real = 2147483647.0;
  tflm_quantize_multiplier(real, &d->multiplier, &d->shift);
  /* reverse scaling: 2^(31 - left_shift) / multiplier, a multiplier below one. */
  const double reverse = (double)(1u << (31 - d->shift)) / (double)d->multiplier;
  tflm_quantize_multiplier(reverse, &d->extra[1], &d->extra[2]);
  d->extra[0] = -log_softmax_radius(d->shift); /* diff_min */
  return TFLM_OK;
}

static int log_softmax_invoke(tflm_interpreter *it, tflm_node *node) {
  const tflm_requant_data *d = node->op_data;
  const tflm_tensor *in = tflm_input(it, node, 0);
  const tflm_tensor *out = tflm_output(it, node, 0);
  const int32_t depth = in->dims[in->rank - 1];
  const int32_t rows = depth ? (int32_t)(tflm_elements(in) / (uint32_t)depth) : 0;
  const int32_t diff_min = d->extra[0];
  for (int32_t r = 0; r < rows; r++) {
    TFLM_SOFTMAX_ROW(r);
    for (int32_t c = 0; c < depth; c++) {
      const int32_t diff = x[c] - max;
      if (diff >= diff_min) {
        const int32_t q5 = tflm_requantize_any(diff, d->multiplier, d->shift);
        sum = fp_add(sum, fp_rescale(fp_exp_on_negative_values(q5, 5), 0, 12));
      }
    }
    const int32_t log_sum = fp_log_x_ge_1(sum, 12, 5);
    const int32_t reversed =
        tflm_requantize_any(fp_add(log_sum, FP_INT32_MIN), d->extra[1], d->extra[2]);
    const int32_t adjusted = diff_min - 1 > reversed ? diff_min - 1 : reversed;
    for (int32_t c = 0; c < depth; c++) {
      const int32_t diff = x[c] - max;
      if (diff > adjusted) {
        const int32_t q5 = tflm_requantize_any(diff, d->multiplier, d->shift);
        const int32_t v = tflm_rounding_shift_right(fp_sub(q5, log_sum), 22) + 127;
        o[c] = (int8_t)tflm_clamp(v, -128, 127);
      } else {
        o[c] = -128;
      }
    }
  }
  return TFLM_OK;
}

const tflm_registration tflm_register_log_softmax = {log_softmax_init, log_softmax_prepare,
                                                      log_softmax_invoke};
