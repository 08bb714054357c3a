/*
 * pooling.c: AVERAGE_POOL_2D and MAX_POOL_2D (int8), CMSIS-NN style.
 *
 * Average: per output pixel the window sums of all channels accumulate in an int32 scratch
 * buffer (C * 4 bytes, as CMSIS-NN's DSP build requests), then each is divided by the number of
 * valid taps, rounded half away from zero. Max: the first valid tap is copied, later taps are
 * folded in four channels at a time with SSUB8/SEL. Both clamp to the fused activation.
 *
 * Options: [padding, stride_h, stride_w, filter_h, filter_w, activation].
 */
#include "kernel_util.h"

TFLM_OP_DATA_INIT(pool_init, tflm_pool_data)

static int pool_prepare_common(tflm_interpreter *it, tflm_node *node) {
  tflm_pool_data *d = node->op_data;
  const tflm_tensor *in = tflm_input(it, node, 0);
  const tflm_tensor *out = tflm_output(it, node, 0);
  const tflm_tensor_desc *od = tflm_output_desc(it, node, 0);
  if (in->type != TFLM_INT8) return TFLM_ERR_UNSUPPORTED;
  const int32_t padding = tflm_option(it, node, 0);
  d->pad_h = tflm_same_padding(padding, tflm_option(it, node, 1), 1, in->dims[1],
                               tflm_option(it, node, 3), out->dims[1]);
  d->pad_w = tflm_same_padding(padding, tflm_option(it, node, 2), 1, in->dims[2],
                               tflm_option(it, node, 4), out->dims[2]);
  tflm_activation_range(tflm_option(it, node, 5), tflm_scale(it, od, 0), od->zero_point,
                        &d->act_min, &d->act_max);
  return TFLM_OK;
}

static int avg_prepare(tflm_interpreter *it, tflm_node *node) {
  int s = pool_prepare_common(it, node);
  if (s != TFLM_OK) return s;
  const tflm_tensor *in = tflm_input(it, node, 0);
  if (node->desc->scratch_bytes != (uint32_t)in->dims[3] * 4u) return TFLM_ERR_SCRATCH;
  return TFLM_OK;
}

static int max_prepare(tflm_interpreter *it, tflm_node *node) {
  int s = pool_prepare_common(it, node);
  if (s != TFLM_OK) return s;
  if (node->desc->scratch_bytes != 0) return TFLM_ERR_SCRATCH;
  return TFLM_OK;
}

TFLM_INLINE int32_t imax(int32_t a, int32_t b) { return a > b ? a : b; }
TFLM_INLINE int32_t imin(int32_t a, int32_t b) { return a < b ? a : b; }

static int avg_invoke(tflm_interpreter *it, tflm_node *node) {
  const tflm_pool_data *d = node->op_data;
  const tflm_tensor *in = tflm_input(it, node, 0);
  const tflm_tensor *out = tflm_output(it, node, 0);
  const int32_t batches = in->dims[0], in_h = in->dims[1], in_w = in->dims[2], c = in->dims[3];
  const int32_t out_h = out->dims[1], out_w = out->dims[2];
  const int32_t sh = tflm_option(it, node, 1), sw = tflm_option(it, node, 2);
  const int32_t fh = tflm_option(it, node, 3), fw = tflm_option(it, node, 4);
  int32_t *sum = node->scratch;
  int8_t *o = out->data;
  for (int32_t b = 0; b < batches; b++) {
    const int8_t *input = (const int8_t *)in->data + b * in_h * in_w * c;
    for (int32_t oy = 0; oy < out_h; oy++) {
      const int32_t iy0 = oy * sh - d->pad_h;
      const int32_t y0 = imax(0, -iy0), y1 = imin(fh, in_h - iy0);
      for (int32_t ox = 0; ox < out_w; ox++) {
        const int32_t ix0 = ox * sw - d->pad_w;
        const int32_t x0 = imax(0, -ix0), x1 = imin(fw, in_w - ix0);
        for (int32_t ch = 0; ch < c; ch++) sum[ch] = 0;
        for (int32_t y = y0; y < y1; y++) {
          for (int32_t x = x0; x < x1; x++) {
            const int8_t *p = input + ((iy0 + y) * in_w + ix0 + x) * c;
            for (int32_t ch = 0; ch < c; ch++) sum[ch] += p[ch];
          }
        }
        const int32_t count = (y1 - y0) * (x1 - x0);
        const int32_t half = count / 2;
        for (int32_t ch = 0; ch < c; ch++) {
          const int32_t s = sum[ch];
          const int32_t avg = s > 0 ? (s + half) / count : (s - half) / count;
          o[ch] = (int8_t)tflm_clamp(avg, d->act_min, d->act_max);
        }
        o += c;
      }
    }
  }
  return TFLM_OK;
}

static int max_invoke(tflm_interpreter *it, tflm_node *node) {
  const tflm_pool_data *d = node->op_data;
  const tflm_tensor *in = tflm_input(it, node, 0);
  const tflm_tensor *out = tflm_output(it, node, 0);
  const int32_t batches = in->dims[0], in_h = in->dims[1], in_w = in->dims[2], c = in->dims[3];
  const int32_t out_h = out->dims[1], out_w = out->dims[2];
  const int32_t sh = tflm_option(it, node, 1), sw = tflm_option(it, node, 2);
  const int32_t fh = tflm_option(it, node, 3), fw = tflm_option(it, node, 4);
  int8_t *o = out->data;
  for (int32_t b = 0; b < batches; b++) {
    const int8_t *input = (const int8_t *)in->data + b * in_h * in_w * c;
    for (int32_t oy = 0; oy < out_h; oy++) {
      const int32_t iy0 = oy * sh - d->pad_h;
      const int32_t y0 = imax(0, -iy0), y1 = imin(fh, in_h - iy0);
      for (int32_t ox = 0; ox < out_w; ox++) {
        const int32_t ix0 = ox * sw - d->pad_w;
        const int32_t x0 = imax(0, -ix0), x1 = imin(fw, in_w - ix0);
        int first = 1;
        for (int32_t y = y0; y < y1; y++) {
          for (int32_t x = x0; x < x1; x++) {
            const int8_t *p = input + ((iy0 + y) * in_w + ix0 + x) * c;
            if (first) {
              memcpy(o, p, (size_t)c);
              first = 0;
              continue;
            }
            int32_t ch = 0;
            for (; ch + 4 <= c; ch += 4) {
              const uint32_t a = tflm_read32(o + ch), v = tflm_read32(p + ch);
              uint32_t m;
              /* SSUB8 sets a GE flag per byte where a >= v; SEL then keeps the larger byte. */
              __asm__("ssub8 %0, %1, %2\n\tsel %0, %1, %2" : "=&r"(m) : "r"(a), "r"(v) : "cc");
              tflm_write32(o + ch, m);
            }
            for (; ch < c; ch++) o[ch] = p[ch] > o[ch] ? p[ch] : o[ch];
          }
        }
        for (int32_t ch = 0; ch < c; ch++) o[ch] = (int8_t)tflm_clamp(o[ch], d->act_min, d->act_max);
        o += c;
      }
    }
  }
  return TFLM_OK;
}

const tflm_registration tflm_register_average_pool_2d = {pool_init, avg_prepare, avg_invoke};
const tflm_registration tflm_register_max_pool_2d = {pool_init, max_prepare, max_invoke};
