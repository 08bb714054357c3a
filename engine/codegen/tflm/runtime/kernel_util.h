/*
 * kernel_util.h: arithmetic shared by the kernels (requantization, DSP-extension helpers) and
 * the per-op data records the kernels allocate in the persistent tail.
 *
 * Requantization follows TFLite's MultiplyByQuantizedMultiplier exactly: a doubling high multiply
 * rounded half up (64-bit, as CMSIS-NN's arm_nn_requantize does), then a rounding right shift
 * that rounds half away from zero.
 *
 * The op data sizes are part of the compile-time tail computation in
 * engine/codegen/tflm/tail.ts; the static asserts keep the two in step.
 */
#ifndef TFLM_KERNEL_UTIL_H
#define TFLM_KERNEL_UTIL_H

#include <arm_acle.h>
#include <stdint.h>
#include <string.h>

#include "tflm.h"

#define TFLM_INLINE static inline __attribute__((always_inline))

/* ---- Requantization ---------------------------------------------------------------------- */

TFLM_INLINE int32_t tflm_rounding_shift_right(int32_t x, int32_t exponent) {
  if (exponent == 0) return x;
  const int32_t mask = (int32_t)((1u << exponent) - 1u);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

TFLM_INLINE int32_t tflm_doubling_high_mul(int32_t a, int32_t b) {
  /* a == b == INT32_MIN never happens: accumulators never reach INT32_MIN. */
  return (int32_t)(((int64_t)a * b + (1ll << 30)) >> 31);
}

/*
 * The same result in one 64-bit multiply-accumulate when the right shift e is at least 2 and the
 * multiplier is not negative (the usual case): RDBPOT(SRDHM(x, m), e) == (x*m + 2^30 + 2^(30+e) - [x<0] * 2^31) >> (31 + e),
 * exactly, for every int32 x and multiplier m in [0, 2^31) (SRDHM rounds half up, RDBPOT half
 * away from zero; the [x<0] term turns the second into half down for negatives). The constant's
 * low word is 2^30 ^ ([x<0] << 31), its high word 2^(e-2) - [x<0]; the answer is the high word of
 * the sum shifted right by e - 1.
 */
TFLM_INLINE int32_t tflm_requantize_fast(int32_t x, int32_t multiplier, int32_t hi_base,
                                         int32_t hi_shift) {
  const int32_t s = x >> 31;
  uint32_t lo = 0x40000000u ^ ((uint32_t)s << 31);
  int32_t hi = hi_base + s;
  __asm__("smlal %0, %1, %2, %3" : "+r"(lo), "+r"(hi) : "r"(x), "r"(multiplier));
  return hi >> hi_shift;
}

/* TFLite MultiplyByQuantizedMultiplier(x, multiplier, shift) for a multiplier of either sign
 * (SRDHM then RoundingDivideByPOT, no fast path). */
TFLM_INLINE int32_t tflm_requantize_any(int32_t x, int32_t multiplier, int32_t shift) {
  const int32_t left = shift > 0 ? shift : 0;
  const int32_t right = shift > 0 ? 0 : -shift;
  return tflm_rounding_shift_right(tflm_doubling_high_mul((int32_t)((uint32_t)x << left), multiplier),
                                   right);
}

/* TFLite MultiplyByQuantizedMultiplier(x, multiplier, shift). The fast form rounds by the sign of
 * x, which is the sign of the product only for a multiplier >= 0; a negative multiplier (a
 * negative per-channel weight scale) takes the general form: OR-ing the multiplier's sign into the
 * shift makes it -1, which fails the test in the same compare. */
TFLM_INLINE int32_t tflm_requantize(int32_t x, int32_t multiplier, int32_t shift) {
  if (__builtin_expect((shift | (multiplier >> 31)) <= -2, 1))
    return tflm_requantize_fast(x, multiplier, 1 << (-shift - 2), -shift - 1);
  return tflm_requantize_any(x, multiplier, shift);
}

/* A requantization with its shifts and rounding mask prepared once (for loops over pixels):
 * the same result as tflm_requantize(x, m, shift). */
typedef struct {
  int32_t m, left, right, mask, half, hi_base, hi_shift;
} tflm_rq;

TFLM_INLINE tflm_rq tflm_rq_make(int32_t m, int32_t shift) {
  tflm_rq q;
  q.m = m;
  q.left = shift > 0 ? shift : 0;
  q.right = shift > 0 ? 0 : -shift;
  q.mask = (int32_t)((1u << q.right) - 1u);
  q.half = q.mask >> 1;
  /* The fast form needs a right shift >= 2 and a multiplier >= 0 (see tflm_requantize). */
  const int fast = q.right >= 2 && m >= 0;
  q.hi_base = fast ? 1 << (q.right - 2) : 0;
  q.hi_shift = fast ? q.right - 1 : -1; /* -1: use the two-step form */
  return q;
}

TFLM_INLINE int32_t tflm_rq_apply_general(int32_t x, const tflm_rq *q) {
  const int32_t h = tflm_doubling_high_mul((int32_t)((uint32_t)x << q->left), q->m);
  const int32_t threshold = q->half + (int32_t)((uint32_t)h >> 31);
  return (h >> q->right) + ((h & q->mask) > threshold ? 1 : 0);
}

/* tflm_rq_apply where the caller knows the fast form applies (q->hi_shift >= 0). */
TFLM_INLINE int32_t tflm_rq_apply_fast(int32_t x, const tflm_rq *q) {
  return tflm_requantize_fast(x, q->m, q->hi_base, q->hi_shift);
}

/* Whether every one of n prepared requantizations takes the fast form. */
TFLM_INLINE int tflm_rq_all_fast(const tflm_rq *q, int n) {
  int fast = 1;
  for (int i = 0; i < n; i++) fast &= q[i].hi_shift >= 0;
  return fast;
}

/* Apply q, choosing the form at compile time when `fast` is a constant. */
TFLM_INLINE int32_t tflm_rq_apply_as(int32_t x, const tflm_rq *q, int fast) {
  return fast ? tflm_rq_apply_fast(x, q) : tflm_rq_apply_general(x, q);
}

TFLM_INLINE int32_t tflm_rq_apply(int32_t x, const tflm_rq *q) {
  if (__builtin_expect(q->hi_shift >= 0, 1)) return tflm_requantize_fast(x, q->m, q->hi_base, q->hi_shift);
  return tflm_rq_apply_general(x, q);
}

TFLM_INLINE int32_t tflm_clamp(int32_t x, int32_t lo, int32_t hi) {
  return x < lo ? lo : (x > hi ? hi : x);
}

/* ---- DSP extension helpers -------------------------------------------------------------- */

/* A 32-bit load from any alignment (LDR handles unaligned addresses on M4/M7). */
TFLM_INLINE uint32_t tflm_read32(const void *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

TFLM_INLINE void tflm_write32(void *p, uint32_t v) { memcpy(p, &v, 4); }

TFLM_INLINE uint32_t tflm_ror8(uint32_t x) { return (x >> 8) | (x << 24); }

/* Bytes {b0,b1,b2,b3} -> halfword pairs (b0,b2) and (b1,b3), sign-extended ("reordered"). */
#define TFLM_SXTB16_EVEN(x) ((uint32_t)__sxtb16((x)))
#define TFLM_SXTB16_ODD(x) tflm_sxtb16_ror8((x))
/* The same with a halfword pair offset added to both lanes. */
#define TFLM_SXTAB16_EVEN(off, x) ((uint32_t)__sxtab16((off), (x)))
#define TFLM_SXTAB16_ODD(off, x) tflm_sxtab16_ror8((off), (x))

/* SXTB16 / SXTAB16 with the operand rotated by 8 in the same instruction (gcc does not fold a
 * separate rotate into the intrinsics). */
TFLM_INLINE uint32_t tflm_sxtb16_ror8(uint32_t x) {
  uint32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
  return r;
}
TFLM_INLINE uint32_t tflm_sxtab16_ror8(uint32_t off, uint32_t x) {
  uint32_t r;
  __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(off), "r"(x));
  return r;
}

/* (lo16 of a) | (lo16 of b) << 16 and (hi16 of a) | (hi16 of b) << 16: PKHBT / PKHTB. */
TFLM_INLINE uint32_t tflm_pack_lo(uint32_t a, uint32_t b) {
  uint32_t r;
  __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(a), "r"(b));
  return r;
}
TFLM_INLINE uint32_t tflm_pack_hi(uint32_t a, uint32_t b) {
  uint32_t r;
  __asm__("pkhtb %0, %2, %1, asr #16" : "=r"(r) : "r"(a), "r"(b));
  return r;
}

TFLM_INLINE int32_t tflm_smlad(uint32_t a, uint32_t b, int32_t acc) {
  return __smlad((int16x2_t)a, (int16x2_t)b, acc);
}
TFLM_INLINE int32_t tflm_smlabb(uint32_t a, uint32_t b, int32_t acc) {
  return __smlabb((int32_t)a, (int32_t)b, acc);
}
TFLM_INLINE int32_t tflm_smlabt(uint32_t a, uint32_t b, int32_t acc) {
  return __smlabt((int32_t)a, (int32_t)b, acc);
}
TFLM_INLINE int32_t tflm_smlatb(uint32_t a, uint32_t b, int32_t acc) {
  return __smlatb((int32_t)a, (int32_t)b, acc);
}
TFLM_INLINE int32_t tflm_smlatt(uint32_t a, uint32_t b, int32_t acc) {
  return __smlatt((int32_t)a, (int32_t)b, acc);
}

/* ---- Shapes and padding ----------------------------------------------------------------- */

/* TFLite ComputePaddingWithOffset for one dimension (from the computed output size; VALID
 * always gives 0). */
TFLM_INLINE int32_t tflm_same_padding(int32_t padding, int32_t stride, int32_t dilation,
                                      int32_t in, int32_t filter, int32_t out) {
  (void)padding;
  const int32_t effective = (filter - 1) * dilation + 1;
  const int32_t total = (out - 1) * stride + effective - in;
  return total > 0 ? total / 2 : 0;
}

/* Dimension i counted from the innermost, as a 4-D NHWC view (missing outer dims are 1). */
TFLM_INLINE int32_t tflm_dim(const tflm_tensor *t, int i) { return t->dims[i]; }

/* ---- Per-op data (persistent, in the tail) ---------------------------------------------- */

/* CONV_2D and DEPTHWISE_CONV_2D (36 bytes + 8 bytes per output channel). */
typedef struct {
  int32_t pad_h, pad_w;
  int32_t input_offset, output_offset;
  int32_t act_min, act_max;
  int32_t *multipliers;
  int32_t *shifts;
  int32_t path;
} tflm_conv_data;
_Static_assert(sizeof(tflm_conv_data) == 36, "tail.ts: CONV_DATA_BYTES");

/* FULLY_CONNECTED (32 bytes + 8 bytes per multiplier: 1, or one per output channel). */
typedef struct {
  int32_t input_offset, filter_offset, output_offset;
  int32_t act_min, act_max;
  int32_t *multipliers;
  int32_t *shifts;
  int32_t per_channel;
} tflm_fc_data;
_Static_assert(sizeof(tflm_fc_data) == 32, "tail.ts: FC_DATA_BYTES");

/* ADD (52 bytes). */
typedef struct {
  int32_t in1_offset, in2_offset, out_offset;
  int32_t in1_mult, in1_shift, in2_mult, in2_shift, out_mult, out_shift;
  int32_t left_shift, act_min, act_max;
  int32_t broadcast;
} tflm_add_data;
_Static_assert(sizeof(tflm_add_data) == 52, "tail.ts: ADD_DATA_BYTES");

/* MUL (32 bytes). */
typedef struct {
  int32_t in1_offset, in2_offset, out_offset;
  int32_t out_mult, out_shift;
  int32_t act_min, act_max;
  int32_t broadcast;
} tflm_mul_data;
_Static_assert(sizeof(tflm_mul_data) == 32, "tail.ts: MUL_DATA_BYTES");

/* AVERAGE_POOL_2D and MAX_POOL_2D (16 bytes). */
typedef struct {
  int32_t pad_h, pad_w;
  int32_t act_min, act_max;
} tflm_pool_data;
_Static_assert(sizeof(tflm_pool_data) == 16, "tail.ts: POOL_DATA_BYTES");

/* Ops with a requantization and two zero points (MEAN, QUANTIZE, CONCATENATION inputs...). */
typedef struct {
  int32_t multiplier, shift;
  int32_t in_zero_point, out_zero_point;
  int32_t extra[4];
} tflm_requant_data;
_Static_assert(sizeof(tflm_requant_data) == 32, "tail.ts: REQUANT_DATA_BYTES");

/* An operator's init: the persistent op data of type TYPE that its prepare fills (TFLM's
 * `Init` returning `AllocatePersistentBuffer(sizeof(OpData))`). */
#define TFLM_OP_DATA_INIT(NAME, TYPE)                                                        \
  static void *NAME(tflm_interpreter *it, tflm_node *node) {                                 \
    (void)node;                                                                              \
    return tflm_alloc_persistent(it, sizeof(TYPE));                                          \
  }

/* The head of a one-input int8 operator's prepare: its op data `d` (of type DATA), the input
 * and output descriptors `in` and `out`, and TFLM_ERR_UNSUPPORTED unless both are int8. */
#define TFLM_PREPARE_INT8_UNARY(DATA)                                                          \
  DATA *d = node->op_data;                                                                     \
  const tflm_tensor_desc *in = tflm_input_desc(it, node, 0);                                   \
  const tflm_tensor_desc *out = tflm_output_desc(it, node, 0);                                 \
  if (in->type != TFLM_INT8 || out->type != TFLM_INT8) return TFLM_ERR_UNSUPPORTED

/* The same for a two-input int8 operator: inputs named A and B, output `o`. */
#define TFLM_PREPARE_INT8_BINARY(DATA, A, B)                                                   \
  DATA *d = node->op_data;                                                                     \
  const tflm_tensor_desc *A = tflm_input_desc(it, node, 0);                                    \
  const tflm_tensor_desc *B = tflm_input_desc(it, node, 1);                                    \
  const tflm_tensor_desc *o = tflm_output_desc(it, node, 0);                                   \
  if (A->type != TFLM_INT8 || B->type != TFLM_INT8 || o->type != TFLM_INT8) {                  \
    return TFLM_ERR_UNSUPPORTED;                                                               \
  }

/* The elements of a one-input int8 operator's invoke: the tensors `in` and `out`, the element
 * count `n` and the int8 data `x` (in) and `o` (out). */
#define TFLM_INT8_ELEMENTS                                                                     \
  const tflm_tensor *in = tflm_input(it, node, 0);                                             \
  const tflm_tensor *out = tflm_output(it, node, 0);                                           \
  const uint32_t n = tflm_elements(in);                                                        \
  const int8_t *x = in->data;                                                                  \
  int8_t *o = out->data

/* The head of a CONV_2D or DEPTHWISE_CONV_2D prepare: op data `d`, tensors `in`, `filter` and
 * `out` (TFLM_ERR_UNSUPPORTED unless input and filter are int8), and the window options:
 * `padding`, strides `sh`/`sw`, dilations `dh`/`dw`. */
#define TFLM_PREPARE_CONV_HEAD                                                                 \
  tflm_conv_data *d = node->op_data;                                                           \
  const tflm_tensor *in = tflm_input(it, node, 0);                                             \
  const tflm_tensor *filter = tflm_input(it, node, 1);                                         \
  const tflm_tensor *out = tflm_output(it, node, 0);                                           \
  if (in->type != TFLM_INT8 || filter->type != TFLM_INT8) return TFLM_ERR_UNSUPPORTED;         \
  const int32_t padding = tflm_option(it, node, 0);                                            \
  const int32_t sh = tflm_option(it, node, 1), sw = tflm_option(it, node, 2);                  \
  const int32_t dh = tflm_option(it, node, 3), dw = tflm_option(it, node, 4)

/* Then, for a KH x KW filter: the SAME padding and the requantization (activation option 5). */
#define TFLM_PREPARE_CONV_PARAMS(KH, KW)                                                       \
  d->pad_h = tflm_same_padding(padding, sh, dh, in->dims[1], KH, out->dims[1]);                \
  d->pad_w = tflm_same_padding(padding, sw, dw, in->dims[2], KW, out->dims[2]);                \
  int s = tflm_prepare_conv_params(it, node, d, out->dims[3], tflm_option(it, node, 5));       \
  if (s != TFLM_OK) return s

/* The head of a weighted layer's invoke (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED): a stack
 * copy `params` of its op data (of type DATA; int8 output stores may alias anything, the copy
 * cannot be aliased) and `d` pointing at it, the tensors `in`, W (the weights), `bias_t` and
 * `out`. */
#define TFLM_INVOKE_WEIGHTED_HEAD(DATA, W)                                                     \
  const DATA params = *(const DATA *)node->op_data;                                            \
  const DATA *d = &params;                                                                     \
  const tflm_tensor *in = tflm_input(it, node, 0);                                             \
  const tflm_tensor *W = tflm_input(it, node, 1);                                              \
  const tflm_tensor *bias_t = tflm_input(it, node, 2);                                         \
  const tflm_tensor *out = tflm_output(it, node, 0)

/* Row `R` of a SOFTMAX / LOG_SOFTMAX invoke over `in` and `out` with rows of `depth` values: its
 * input `x`, output `o`, maximum `max` and a zeroed exponential `sum`. */
#define TFLM_SOFTMAX_ROW(R)                                                                    \
  const int8_t *x = (const int8_t *)in->data + R * depth;                                      \
  int8_t *o = (int8_t *)out->data + R * depth;                                                 \
  int32_t max = -128;                                                                          \
  for (int32_t c = 0; c < depth; c++) max = x[c] > max ? x[c] : max;                           \
  int32_t sum = 0

#endif /* TFLM_KERNEL_UTIL_H */
