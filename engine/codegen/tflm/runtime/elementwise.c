/*
 * elementwise.c: ADD, SUB, MUL, MAXIMUM, MINIMUM, SQUARED_DIFFERENCE and PRELU (int8, with
 * broadcasting), as TFLite's integer kernels compute them.
 *
 * ADD: both inputs are offset, shifted left by 20, scaled below one, summed and requantized
 * (CMSIS-NN arm_elementwise_add_s8 arithmetic). SUB: TFLite's quantized sub, the ADD arithmetic
 * with the second input's multiplier negated. MUL: (a + oa) * (b + ob) requantized. MAXIMUM and
 * MINIMUM compare raw int8 values (inputs and output share one quantization).
 * Broadcasting follows NumPy rules up to rank 6; equal element counts take the flat loop.
 *
 * SQUARED_DIFFERENCE: TFLM's path (both inputs << 7 rescaled to twice the larger scale, the
 * difference squared, requantized). PRELU: BroadcastPrelu4DSlow (identity multiplier for x >= 0,
 * x * alpha multiplier below).
 *
 * Options: ADD, SUB, MUL [activation]; MAXIMUM, MINIMUM, SQUARED_DIFFERENCE and PRELU none.
 */
#include "kernel_util.h"

#define MAX_RANK 6

/* Right-aligned strides of `t` against the output shape (0 where broadcast). */
static void broadcast_strides(const tflm_tensor *t, const tflm_tensor *out, int32_t *strides) {
  int32_t stride = 1;
  for (int i = 0; i < MAX_RANK; i++) strides[i] = 0;
  for (int i = 0; i < t->rank; i++) {
    const int32_t d = t->dims[t->rank - 1 - i];
    strides[MAX_RANK - 1 - i] = d == 1 ? 0 : stride;
    stride *= d;
  }
  (void)out;
}

/* Output dims right-aligned to MAX_RANK. */
static void padded_dims(const tflm_tensor *out, int32_t *dims) {
  for (int i = 0; i < MAX_RANK; i++) dims[i] = 1;
  for (int i = 0; i < out->rank; i++) dims[MAX_RANK - out->rank + i] = out->dims[i];
}

/* Walk the output in order, calling `fn` with both input indices. */
#define BROADCAST_LOOP(in1, in2, out, BODY)                                                  \
  do {                                                                                        \
    int32_t s1_[MAX_RANK], s2_[MAX_RANK], dims_[MAX_RANK], cnt_[MAX_RANK] = {0};               \
    broadcast_strides(in1, out, s1_);                                                         \
    broadcast_strides(in2, out, s2_);                                                         \
    padded_dims(out, dims_);                                                                  \
    const uint32_t n_ = tflm_elements(out);                                                   \
    int32_t i1 = 0, i2 = 0;                                                                   \
    for (uint32_t i = 0; i < n_; i++) {                                                       \
      BODY;                                                                                   \
      for (int ax_ = MAX_RANK - 1; ax_ >= 0; ax_--) {                                         \
        i1 += s1_[ax_];                                                                       \
        i2 += s2_[ax_];                                                                       \
        if (++cnt_[ax_] < dims_[ax_]) break;                                                  \
        i1 -= s1_[ax_] * cnt_[ax_];                                                           \
        i2 -= s2_[ax_] * cnt_[ax_];                                                           \
        cnt_[ax_] = 0;                                                                        \
      }                                                                                       \
    }                                                                                         \
  } while (0)

/* ---- ADD, SUB ---------------------------------------------------------------------------- */

TFLM_OP_DATA_INIT(add_init, tflm_add_data)

/* `sign` -1 negates the second input's multiplier (SUB, TFLite's op_sign). */
TFLM_INLINE int add_sub_prepare(tflm_interpreter *it, tflm_node *node, int32_t sign) {
  TFLM_PREPARE_INT8_BINARY(tflm_add_data, a, b);
  const float sa = (float)tflm_scale(it, a, 0), sb = (float)tflm_scale(it, b, 0);
  const float so = (float)tflm_scale(it, o, 0);
  d->in1_offset = -a->zero_point;
  d->in2_offset = -b->zero_point;
  d->out_offset = o->zero_point;
  d->left_shift = 20;
  const double twice_max = 2.0 * (double)(sa > sb ? sa : sb);
  tflm_quantize_multiplier((double)sa / twice_max, &d->in1_mult, &d->in1_shift);
  tflm_quantize_multiplier((double)sb / twice_max, &d->in2_mult, &d->in2_shift);
  d->in2_mult *= sign;
  tflm_quantize_multiplier(twice_max / ((double)(1 << 20) * (double)so), &d->out_mult,
                           &d->out_shift);
  tflm_activation_range(tflm_option(it, node, 0), so, o->zero_point, &d->act_min, &d->act_max);
  d->broadcast = a->bytes != o->bytes || b->bytes != o->bytes;
  return TFLM_OK;
}

static int add_prepare(tflm_interpreter *it, tflm_node *node) {
  return add_sub_prepare(it, node, 1);
}

static int sub_prepare(tflm_interpreter *it, tflm_node *node) {
  return add_sub_prepare(it, node, -1);
}

/* The invoke of an int8 binary operator with op data DATA: `ONE(d, x, y)` per output element,
 * in a flat loop when no input broadcasts, else in the broadcast walk. The op data is copied to
 * the stack first: int8 output stores may alias anything, the copy cannot be aliased. */
#define BINARY_INVOKE(NAME, DATA, ONE)                                                      \
  static int NAME(tflm_interpreter *it, tflm_node *node) {                                  \
    const DATA params = *(const DATA *)node->op_data;                                       \
    const DATA *d = &params;                                                                \
    const tflm_tensor *a = tflm_input(it, node, 0);                                         \
    const tflm_tensor *b = tflm_input(it, node, 1);                                         \
    const tflm_tensor *o = tflm_output(it, node, 0);                                        \
    const int8_t *pa = a->data, *pb = b->data;                                              \
    int8_t *po = o->data;                                                                   \
    if (!d->broadcast) {                                                                    \
      const uint32_t n = tflm_elements(o);                                                  \
      for (uint32_t i = 0; i < n; i++) po[i] = ONE(d, pa[i], pb[i]);                        \
    } else {                                                                                \
      BROADCAST_LOOP(a, b, o, po[i] = ONE(d, pa[i1], pb[i2]));                              \
    }                                                                                       \
    return TFLM_OK;                                                                         \
  }

TFLM_INLINE int8_t add_one(const tflm_add_data *d, int32_t x, int32_t y) {
  const int32_t a = (int32_t)((uint32_t)(x + d->in1_offset) << 20);
  const int32_t b = (int32_t)((uint32_t)(y + d->in2_offset) << 20);
  /* The shifts are <= 0 here (multipliers below one), where tflm_requantize is exactly
   * MultiplyByQuantizedMultiplierSmallerThanOneExp. */
  const int32_t sa = tflm_requantize(a, d->in1_mult, d->in1_shift);
  const int32_t sb = tflm_requantize(b, d->in2_mult, d->in2_shift);
  int32_t r = tflm_requantize(sa + sb, d->out_mult, d->out_shift);
  r += d->out_offset;
  return (int8_t)tflm_clamp(r, d->act_min, d->act_max);
}

BINARY_INVOKE(add_invoke, tflm_add_data, add_one)

const tflm_registration tflm_register_add = {add_init, add_prepare, add_invoke};

/* The second multiplier is negative, outside tflm_requantize's fast path: the general form. */
TFLM_INLINE int8_t sub_one(const tflm_add_data *d, int32_t x, int32_t y) {
  const int32_t a = (int32_t)((uint32_t)(x + d->in1_offset) << 20);
  const int32_t b = (int32_t)((uint32_t)(y + d->in2_offset) << 20);
  const int32_t sa = tflm_requantize_any(a, d->in1_mult, d->in1_shift);
  const int32_t sb = tflm_requantize_any(b, d->in2_mult, d->in2_shift);
  const int32_t r = tflm_requantize_any(sa + sb, d->out_mult, d->out_shift) + d->out_offset;
  return (int8_t)tflm_clamp(r, d->act_min, d->act_max);
}

static int sub_invoke(tflm_interpreter *it, tflm_node *node) {
  const tflm_add_data params = *(const tflm_add_data *)node->op_data;
  const tflm_add_data *d = &params;
  const tflm_tensor *a = tflm_input(it, node, 0);
  const tflm_tensor *b = tflm_input(it, node, 1);
  const tflm_tensor *o = tflm_output(it, node, 0);
  const int8_t *pa = a->data, *pb = b->data;
  int8_t *po = o->data;
  BROADCAST_LOOP(a, b, o, po[i] = sub_one(d, pa[i1], pb[i2]));
  return TFLM_OK;
}

const tflm_registration tflm_register_sub = {add_init, sub_prepare, sub_invoke};

/* ---- MUL -------------------------------------------------------------------------------- */

TFLM_OP_DATA_INIT(mul_init, tflm_mul_data)

static int mul_prepare(tflm_interpreter *it, tflm_node *node) {
  TFLM_PREPARE_INT8_BINARY(tflm_mul_data, a, b);
  const float sa = (float)tflm_scale(it, a, 0), sb = (float)tflm_scale(it, b, 0);
  const float so = (float)tflm_scale(it, o, 0);
  d->in1_offset = -a->zero_point;
  d->in2_offset = -b->zero_point;
  d->out_offset = o->zero_point;
  tflm_quantize_multiplier((double)sa * (double)sb / (double)so, &d->out_mult, &d->out_shift);
  tflm_activation_range(tflm_option(it, node, 0), so, o->zero_point, &d->act_min, &d->act_max);
  d->broadcast = a->bytes != o->bytes || b->bytes != o->bytes;
  return TFLM_OK;
}

TFLM_INLINE int8_t mul_one(const tflm_mul_data *d, int32_t x, int32_t y) {
  const int32_t p = (x + d->in1_offset) * (y + d->in2_offset);
  const int32_t r = tflm_requantize(p, d->out_mult, d->out_shift) + d->out_offset;
  return (int8_t)tflm_clamp(r, d->act_min, d->act_max);
}

BINARY_INVOKE(mul_invoke, tflm_mul_data, mul_one)

const tflm_registration tflm_register_mul = {mul_init, mul_prepare, mul_invoke};

/* ---- MAXIMUM / MINIMUM ------------------------------------------------------------------ */

static int minmax_prepare(tflm_interpreter *it, tflm_node *node) {
  const tflm_tensor_desc *a = tflm_input_desc(it, node, 0);
  const tflm_tensor_desc *b = tflm_input_desc(it, node, 1);
  const tflm_tensor_desc *o = tflm_output_desc(it, node, 0);
  if (a->type != TFLM_INT8 || b->type != TFLM_INT8 || o->type != TFLM_INT8) {
    return TFLM_ERR_UNSUPPORTED;
  }
  return TFLM_OK;
}

/* MAXIMUM (CMP >) or MINIMUM (CMP <) of the raw int8 values, always through the broadcast walk. */
#define MINMAX_INVOKE(NAME, CMP)                                                            \
  static int NAME(tflm_interpreter *it, tflm_node *node) {                                  \
    const tflm_tensor *a = tflm_input(it, node, 0);                                         \
    const tflm_tensor *b = tflm_input(it, node, 1);                                         \
    const tflm_tensor *o = tflm_output(it, node, 0);                                        \
    const int8_t *pa = a->data, *pb = b->data;                                              \
    int8_t *po = o->data;                                                                   \
    BROADCAST_LOOP(a, b, o, po[i] = pa[i1] CMP pb[i2] ? pa[i1] : pb[i2]);                   \
    return TFLM_OK;                                                                         \
  }

MINMAX_INVOKE(maximum_invoke, >)
MINMAX_INVOKE(minimum_invoke, <)

const tflm_registration tflm_register_maximum = {NULL, minmax_prepare, maximum_invoke};
const tflm_registration tflm_register_minimum = {NULL, minmax_prepare, minimum_invoke};

/* ---- SQUARED_DIFFERENCE ------------------------------------------------------------------ */

/* Both inputs to twice the larger scale (after << 7), the difference squared and requantized. */
typedef struct {
  int32_t z1, z2, zo;
  int32_t m1, s1, m2, s2, mo, so;
} sqdiff_data;
_Static_assert(sizeof(sqdiff_data) == 36, "_layout.ts: SQDIFF_DATA_BYTES");

TFLM_OP_DATA_INIT(sqdiff_init, sqdiff_data)

static int sqdiff_prepare(tflm_interpreter *it, tflm_node *node) {
  TFLM_PREPARE_INT8_BINARY(sqdiff_data, a, b);
  const double s1 = (float)tflm_scale(it, a, 0), s2 = (float)tflm_scale(it, b, 0);
  const float so = (float)tflm_scale(it, o, 0);
  const double twice = 2.0 * (s1 > s2 ? s1 : s2);
  tflm_quantize_multiplier(s1 / twice, &d->m1, &d->s1);
  tflm_quantize_multiplier(s2 / twice, &d->m2, &d->s2);
  tflm_quantize_multiplier(twice * twice / (double)((float)(1 << 14) * so), &d->mo, &d->so);
  d->z1 = a->zero_point;
  d->z2 = b->zero_point;
  d->zo = o->zero_point;
  return TFLM_OK;
}

TFLM_INLINE int8_t sqdiff_one(const sqdiff_data *d, int32_t x, int32_t y) {
  const int32_t v1 = tflm_requantize_any((x - d->z1) * (1 << 7), d->m1, d->s1);
  const int32_t v2 = tflm_requantize_any((y - d->z2) * (1 << 7), d->m2, d->s2);
  const int32_t diff = v1 - v2;
  return (int8_t)tflm_clamp(tflm_requantize_any(diff * diff, d->mo, d->so) + d->zo, -128, 127);
}

static int sqdiff_invoke(tflm_interpreter *it, tflm_node *node) {
  const sqdiff_data *d = node->op_data;
  const tflm_tensor *a = tflm_input(it, node, 0);
  const tflm_tensor *b = tflm_input(it, node, 1);
  const tflm_tensor *o = tflm_output(it, node, 0);
  const int8_t *pa = a->data, *pb = b->data;
  int8_t *po = o->data;
  BROADCAST_LOOP(a, b, o, po[i] = sqdiff_one(d, pa[i1], pb[i2]));
  return TFLM_OK;
}

const tflm_registration tflm_register_squared_difference = {sqdiff_init, sqdiff_prepare,
                                                            sqdiff_invoke};

/* ---- PRELU ------------------------------------------------------------------------------- */

TFLM_OP_DATA_INIT(prelu_init, tflm_requant_data)

/* multiplier/shift: in/out (x >= 0); extra: alpha zero point, in*alpha/out multiplier, shift. */
static int prelu_prepare(tflm_interpreter *it, tflm_node *node) {
  TFLM_PREPARE_INT8_BINARY(tflm_requant_data, x, al);
  const double si = (float)tflm_scale(it, x, 0), sa = (float)tflm_scale(it, al, 0);
  const double so = (float)tflm_scale(it, o, 0);
  tflm_quantize_multiplier(si / so, &d->multiplier, &d->shift);
  tflm_quantize_multiplier(si * sa / so, &d->extra[1], &d->extra[2]);
  d->in_zero_point = x->zero_point;
  d->extra[0] = al->zero_point;
  d->out_zero_point = o->zero_point;
  return TFLM_OK;
}

TFLM_INLINE int8_t prelu_one(const tflm_requant_data *d, int32_t x, int32_t alpha) {
  const int32_t v = x - d->in_zero_point;
  const int32_t r = v >= 0 ? tflm_requantize_any(v, d->multiplier, d->shift)
                           : tflm_requantize_any(v * (alpha - d->extra[0]), d->extra[1], d->extra[2]);
  return (int8_t)tflm_clamp(r + d->out_zero_point, -128, 127);
}

static int prelu_invoke(tflm_interpreter *it, tflm_node *node) {
  const tflm_requant_data *d = node->op_data;
  const tflm_tensor *x = tflm_input(it, node, 0);
  const tflm_tensor *al = tflm_input(it, node, 1);
  const tflm_tensor *o = tflm_output(it, node, 0);
  const int8_t *px = x->data, *pa = al->data;
  int8_t *po = o->data;
  BROADCAST_LOOP(x, al, o, po[i] = prelu_one(d, px[i1], pa[i2]));
  return TFLM_OK;
}

const tflm_registration tflm_register_prelu = {prelu_init, prelu_prepare, prelu_invoke};
