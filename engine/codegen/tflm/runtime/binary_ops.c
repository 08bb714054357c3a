/*
 * binary_ops.c: SUB, MAXIMUM and MINIMUM (int8, with NumPy broadcasting up to rank 6).
 *
 * SUB is TFLite's quantized sub: the ADD arithmetic (inputs offset, shifted left by 20, scaled
 * below one, summed, requantized) with the second input's multiplier negated. MAXIMUM and
 * MINIMUM compare raw int8 values (inputs and output share one quantization).
 *
 * Options: SUB [activation]; MAXIMUM and MINIMUM none.
 */
#include "kernel_util.h"

#define BIN_MAX_RANK 6

static void bin_strides(const tflm_tensor *t, int32_t *strides) {
  int32_t stride = 1;
  for (int i = 0; i < BIN_MAX_RANK; i++) strides[i] = 0;
  for (int i = 0; i < t->rank; i++) {
    const int32_t d = t->dims[t->rank - 1 - i];
    strides[BIN_MAX_RANK - 1 - i] = d == 1 ? 0 : stride;
    stride *= d;
  }
}

static void bin_dims(const tflm_tensor *out, int32_t *dims) {
  for (int i = 0; i < BIN_MAX_RANK; i++) dims[i] = 1;
  for (int i = 0; i < out->rank; i++) dims[BIN_MAX_RANK - out->rank + i] = out->dims[i];
}

/* Walk the output in order with both inputs' element indices i1, i2. */
#define BIN_LOOP(in1, in2, out, BODY)                                                        \
  do {                                                                                        \
    int32_t s1_[BIN_MAX_RANK], s2_[BIN_MAX_RANK], dims_[BIN_MAX_RANK];                        \
    int32_t cnt_[BIN_MAX_RANK] = {0};                                                         \
    bin_strides(in1, s1_);                                                                    \
    bin_strides(in2, s2_);                                                                    \
    bin_dims(out, dims_);                                                                     \
    const uint32_t n_ = tflm_elements(out);                                                   \
    int32_t i1 = 0, i2 = 0;                                                                   \
    for (uint32_t i = 0; i < n_; i++) {                                                       \
      BODY;                                                                                   \
      for (int ax_ = BIN_MAX_RANK - 1; ax_ >= 0; ax_--) {                                     \
        i1 += s1_[ax_];                                                                       \
        i2 += s2_[ax_];                                                                       \
        if (++cnt_[ax_] < dims_[ax_]) break;                                                  \
        i1 -= s1_[ax_] * cnt_[ax_];                                                           \
        i2 -= s2_[ax_] * cnt_[ax_];                                                           \
        cnt_[ax_] = 0;                                                                        \
      }                                                                                       \
    }                                                                                         \
  } while (0)

/* MultiplyByQuantizedMultiplier for any sign of the multiplier. */
static int32_t bin_mbqm(int32_t x, int32_t multiplier, int32_t shift) {
  const int32_t left = shift > 0 ? shift : 0;
  const int32_t right = shift > 0 ? 0 : -shift;
  return tflm_rounding_shift_right(
      tflm_doubling_high_mul((int32_t)((uint32_t)x << left), multiplier), right);
}

/* ---- SUB -------------------------------------------------------------------------------- */

static void *sub_init(tflm_interpreter *it, tflm_node *node) {
  (void)node;
  return tflm_alloc_persistent(it, sizeof(tflm_add_data));
}

static int sub_prepare(tflm_interpreter *it, tflm_node *node) {
  tflm_add_data *d = node->op_data;
  const tflm_tensor_desc *a = tflm_input_desc(it, node, 0);
  const tflm_tensor_desc *b = tflm_input_desc(it, node, 1);
  const tflm_tensor_desc *o = tflm_output_desc(it, node, 0);
  if (a->type != TFLM_INT8 || b->type != TFLM_INT8 || o->type != TFLM_INT8) {
    return TFLM_ERR_UNSUPPORTED;
  }
  const float sa = (float)tflm_scale(it, a, 0), sb = (float)tflm_scale(it, b, 0);
  const float so = (float)tflm_scale(it, o, 0);
  d->in1_offset = -a->zero_point;
  d->in2_offset = -b->zero_point;
  d->out_offset = o->zero_point;
  d->left_shift = 20;
  const double twice_max = 2.0 * (double)(sa > sb ? sa : sb);
  tflm_quantize_multiplier((double)sa / twice_max, &d->in1_mult, &d->in1_shift);
  tflm_quantize_multiplier((double)sb / twice_max, &d->in2_mult, &d->in2_shift);
  d->in2_mult = -d->in2_mult;
  tflm_quantize_multiplier(twice_max / ((double)(1 << 20) * (double)so), &d->out_mult,
                           &d->out_shift);
  tflm_activation_range(tflm_option(it, node, 0), so, o->zero_point, &d->act_min, &d->act_max);
  return TFLM_OK;
}

static int8_t sub_one(const tflm_add_data *d, int32_t x, int32_t y) {
  const int32_t a = (int32_t)((uint32_t)(x + d->in1_offset) << 20);
  const int32_t b = (int32_t)((uint32_t)(y + d->in2_offset) << 20);
  const int32_t sa = bin_mbqm(a, d->in1_mult, d->in1_shift);
  const int32_t sb = bin_mbqm(b, d->in2_mult, d->in2_shift);
  const int32_t r = bin_mbqm(sa + sb, d->out_mult, d->out_shift) + d->out_offset;
  return (int8_t)tflm_clamp(r, d->act_min, d->act_max);
}

static int sub_invoke(tflm_interpreter *it, tflm_node *node) {
  const tflm_add_data params = *(const tflm_add_data *)node->op_data;
  const tflm_tensor *a = tflm_input(it, node, 0);
  const tflm_tensor *b = tflm_input(it, node, 1);
  const tflm_tensor *o = tflm_output(it, node, 0);
  const int8_t *pa = a->data, *pb = b->data;
  int8_t *po = o->data;
  BIN_LOOP(a, b, o, po[i] = sub_one(&params, pa[i1], pb[i2]));
  return TFLM_OK;
}

const tflm_registration tflm_register_sub = {sub_init, sub_prepare, sub_invoke};

/* ---- MAXIMUM / MINIMUM ------------------------------------------------------------------ */

static int minmax_check(tflm_interpreter *it, tflm_node *node) {
  const tflm_tensor_desc *a = tflm_input_desc(it, node, 0);
  const tflm_tensor_desc *b = tflm_input_desc(it, node, 1);
  const tflm_tensor_desc *o = tflm_output_desc(it, node, 0);
  if (a->type != TFLM_INT8 || b->type != TFLM_INT8 || o->type != TFLM_INT8) {
    return TFLM_ERR_UNSUPPORTED;
  }
  return TFLM_OK;
}

static int maximum_invoke(tflm_interpreter *it, tflm_node *node) {
  const tflm_tensor *a = tflm_input(it, node, 0);
  const tflm_tensor *b = tflm_input(it, node, 1);
  const tflm_tensor *o = tflm_output(it, node, 0);
  const int8_t *pa = a->data, *pb = b->data;
  int8_t *po = o->data;
  BIN_LOOP(a, b, o, po[i] = pa[i1] > pb[i2] ? pa[i1] : pb[i2]);
  return TFLM_OK;
}

static int minimum_invoke(tflm_interpreter *it, tflm_node *node) {
  const tflm_tensor *a = tflm_input(it, node, 0);
  const tflm_tensor *b = tflm_input(it, node, 1);
  const tflm_tensor *o = tflm_output(it, node, 0);
  const int8_t *pa = a->data, *pb = b->data;
  int8_t *po = o->data;
  BIN_LOOP(a, b, o, po[i] = pa[i1] < pb[i2] ? pa[i1] : pb[i2]);
  return TFLM_OK;
}

const tflm_registration tflm_register_maximum = {NULL, minmax_check, maximum_invoke};
const tflm_registration tflm_register_minimum = {NULL, minmax_check, minimum_invoke};
