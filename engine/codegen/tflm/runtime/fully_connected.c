/*
 * fully_connected.c: FULLY_CONNECTED, CMSIS-NN style (vector x transposed matrix).
 *
 * For each input row, two output rows at a time: four input int8 are sign-extended with the input
 * offset added (SXTAB16, lanes (0,2) and (1,3)), four weights of each row with SXTB16 in the same
 * lane order, and SMLAD accumulates; a scalar loop takes the remainder. Per-tensor or
 * per-channel requantization. No scratch.
 *
 * Options: [activation, keep_num_dims].
 */
#include "kernel_util.h"

TFLM_OP_DATA_INIT(fc_init, tflm_fc_data)

static int fc_prepare(tflm_interpreter *it, tflm_node *node) {
  tflm_fc_data *d = node->op_data;
  const tflm_tensor_desc *in = tflm_input_desc(it, node, 0);
  const tflm_tensor_desc *w = tflm_input_desc(it, node, 1);
  const tflm_tensor_desc *out = tflm_output_desc(it, node, 0);
  if (in->type != TFLM_INT8 || w->type != TFLM_INT8) return TFLM_ERR_UNSUPPORTED;
  const int32_t rows = ((const int32_t *)(it->model + w->dims_off))[0];
  const int32_t n = w->n_scales > 1 ? rows : 1;
  d->per_channel = w->n_scales > 1;
  d->multipliers = tflm_alloc_persistent(it, (uint32_t)n * 4u);
  d->shifts = tflm_alloc_persistent(it, (uint32_t)n * 4u);
  if (!d->multipliers || !d->shifts) return TFLM_ERR_TAIL_OVERFLOW;
  const double in_scale = tflm_scale(it, in, 0), out_scale = tflm_scale(it, out, 0);
  if (d->per_channel) {
    for (int32_t c = 0; c < n; c++) {
      tflm_quantize_multiplier(in_scale * tflm_scale(it, w, c) / out_scale, &d->multipliers[c],
                               &d->shifts[c]);
    }
    d->filter_offset = 0;
  } else {
    /* GetQuantizedConvolutionMultipler: a float32 product, widened, then divided. */
    const float product = (float)in_scale * (float)tflm_scale(it, w, 0);
    tflm_quantize_multiplier((double)product / out_scale, &d->multipliers[0], &d->shifts[0]);
    d->filter_offset = -w->zero_point;
  }
  d->input_offset = -in->zero_point;
  d->output_offset = out->zero_point;
  tflm_activation_range(tflm_option(it, node, 0), out_scale, out->zero_point, &d->act_min,
                        &d->act_max);
  return TFLM_OK;
}

TFLM_INLINE int8_t fc_out(int32_t acc, const tflm_fc_data *d, int32_t c) {
  const int32_t i = d->per_channel ? c : 0;
  acc = tflm_requantize(acc, d->multipliers[i], d->shifts[i]) + d->output_offset;
  return (int8_t)tflm_clamp(acc, d->act_min, d->act_max);
}

static int fc_invoke(tflm_interpreter *it, tflm_node *node) {
  TFLM_INVOKE_WEIGHTED_HEAD(tflm_fc_data, w);
  const int32_t rows = w->dims[0], k = w->dims[1];
  const int32_t batches = (int32_t)(tflm_elements(in) / (uint32_t)k);
  const int32_t *bias = bias_t ? (const int32_t *)bias_t->data : NULL;
  const int8_t *weights = w->data;
  const int32_t offset = d->input_offset;
  const uint32_t offset2 = ((uint32_t)offset & 0xFFFFu) | ((uint32_t)offset << 16);
  const int32_t k4 = k & ~3;
  if (d->filter_offset != 0) {
    /* Asymmetric weights (rare in int8 models): the plain loop. */
    for (int32_t b = 0; b < batches; b++) {
      const int8_t *x = (const int8_t *)in->data + b * k;
      int8_t *o = (int8_t *)out->data + b * rows;
      for (int32_t r = 0; r < rows; r++) {
        int32_t acc = bias ? bias[r] : 0;
        for (int32_t i = 0; i < k; i++) {
          acc += (weights[r * k + i] + d->filter_offset) * (x[i] + offset);
        }
        o[r] = fc_out(acc, d, r);
      }
    }
    return TFLM_OK;
  }
  for (int32_t b = 0; b < batches; b++) {
    const int8_t *x = (const int8_t *)in->data + b * k;
    int8_t *o = (int8_t *)out->data + b * rows;
    int32_t r = 0;
    for (; r + 2 <= rows; r += 2) {
      const int8_t *w0 = weights + r * k, *w1 = w0 + k;
      int32_t a0 = bias ? bias[r] : 0, a1 = bias ? bias[r + 1] : 0;
      int32_t i = 0;
      for (; i < k4; i += 4) {
        const uint32_t xv = tflm_read32(x + i);
        const uint32_t xe = TFLM_SXTAB16_EVEN(offset2, xv), xo = TFLM_SXTAB16_ODD(offset2, xv);
        const uint32_t v0 = tflm_read32(w0 + i), v1 = tflm_read32(w1 + i);
        a0 = tflm_smlad(xe, TFLM_SXTB16_EVEN(v0), a0);
        a0 = tflm_smlad(xo, TFLM_SXTB16_ODD(v0), a0);
        a1 = tflm_smlad(xe, TFLM_SXTB16_EVEN(v1), a1);
        a1 = tflm_smlad(xo, TFLM_SXTB16_ODD(v1), a1);
      }
      for (; i < k; i++) {
        const int32_t xv = x[i] + offset;
        a0 += xv * w0[i];
        a1 += xv * w1[i];
      }
      o[r] = fc_out(a0, d, r);
      o[r + 1] = fc_out(a1, d, r + 1);
    }
    if (r < rows) {
      const int8_t *w0 = weights + r * k;
      int32_t a0 = bias ? bias[r] : 0;
      int32_t i = 0;
      for (; i < k4; i += 4) {
        const uint32_t xv = tflm_read32(x + i);
        const uint32_t v0 = tflm_read32(w0 + i);
        a0 = tflm_smlad(TFLM_SXTAB16_EVEN(offset2, xv), TFLM_SXTB16_EVEN(v0), a0);
        a0 = tflm_smlad(TFLM_SXTAB16_ODD(offset2, xv), TFLM_SXTB16_ODD(v0), a0);
      }
      for (; i < k; i++) a0 += (x[i] + offset) * w0[i];
      o[r] = fc_out(a0, d, r);
    }
  }
  return TFLM_OK;
}

const tflm_registration tflm_register_fully_connected = {fc_init, fc_prepare, fc_invoke};
