/*
 * conv.c: CONV_2D, CMSIS-NN style (written from the algorithm description).
 *
 * Paths, chosen in prepare:
 * - 1x1, no padding (any stride): the input pixels are the rows of an int8 matrix; a kernel of
 *   2 output channels x 2 pixels reads both operands four int8 at a time, sign-extends them with
 *   SXTB16 into (0,2)/(1,3) lanes and accumulates with SMLAD; the input offset enters through the
 *   filter row sums. No scratch buffer.
 * - everything else: im2col. Two output pixels at a time, the receptive fields are copied into a
 *   scratch buffer of int16 (input + input offset, SXTAB16; padding taps are zeros), then a
 *   2 output channel x 2 column SMLAD kernel (18 instructions per 16 MACs) multiplies them with
 *   the filter rows. Scratch: 2 columns x align4(kh*kw*Cin) int16, as CMSIS-NN requests. The
 *   columns are stored in SXTB16 lane order (0,2),(1,3) and interleaved by groups of four, so the
 *   filter is read with two SXTB16 per word and never repacked; when Cin is not a multiple of 4
 *   the bytes are gathered across taps into words before the sign extension.
 *
 * Options: [padding (0 SAME, 1 VALID), stride_h, stride_w, dilation_h, dilation_w, activation].
 */
#include "kernel_util.h"

#define CONV_PATH_IM2COL 0
#define CONV_PATH_1X1 1

TFLM_OP_DATA_INIT(conv_init, tflm_conv_data)

/* Per-channel multipliers from double(input scale) * double(filter scale) / double(output). */
int tflm_prepare_conv_params(tflm_interpreter *it, tflm_node *node, tflm_conv_data *d,
                             int32_t out_channels, int activation) {
  const tflm_tensor_desc *in = tflm_input_desc(it, node, 0);
  const tflm_tensor_desc *filter = tflm_input_desc(it, node, 1);
  const tflm_tensor_desc *out = tflm_output_desc(it, node, 0);
  d->multipliers = tflm_alloc_persistent(it, (uint32_t)out_channels * 4u);
  d->shifts = tflm_alloc_persistent(it, (uint32_t)out_channels * 4u);
  if (!d->multipliers || !d->shifts) return TFLM_ERR_TAIL_OVERFLOW;
  const double in_scale = tflm_scale(it, in, 0);
  const double out_scale = tflm_scale(it, out, 0);
  for (int32_t c = 0; c < out_channels; c++) {
    const double f_scale = tflm_scale(it, filter, filter->n_scales > 1 ? c : 0);
    tflm_quantize_multiplier(in_scale * f_scale / out_scale, &d->multipliers[c], &d->shifts[c]);
  }
  d->input_offset = -in->zero_point;
  d->output_offset = out->zero_point;
  tflm_activation_range(activation, out_scale, out->zero_point, &d->act_min, &d->act_max);
  return TFLM_OK;
}

static int conv_prepare(tflm_interpreter *it, tflm_node *node) {
  TFLM_PREPARE_CONV_HEAD;
  const int32_t kh = filter->dims[1], kw = filter->dims[2], cin = filter->dims[3];
  TFLM_PREPARE_CONV_PARAMS(kh, kw);
  uint32_t scratch;
  if (kh == 1 && kw == 1 && d->pad_h == 0 && d->pad_w == 0 && dh == 1 && dw == 1) {
    d->path = CONV_PATH_1X1;
    scratch = 0;
  } else {
    d->path = CONV_PATH_IM2COL;
    scratch = 2u * (((uint32_t)(kh * kw * cin) + 3u) & ~3u) * 2u;
  }
  if (node->desc->scratch_bytes != scratch) return TFLM_ERR_SCRATCH;
  return TFLM_OK;
}

/* Store one requantized result. */
TFLM_INLINE int8_t conv_out(int32_t acc, const tflm_conv_data *d, int32_t c) {
  acc = tflm_requantize(acc, d->multipliers[c], d->shifts[c]) + d->output_offset;
  return (int8_t)tflm_clamp(acc, d->act_min, d->act_max);
}

/* ---- 1x1 path: int8 x int8 with the input offset folded into the filter row sums ----------- */

/* Dot product of two int8 rows of length k with a remainder loop (k need not be 4-aligned). */
__attribute__((noinline)) static void conv_1x1(const tflm_conv_data *d, const int8_t *input, const int8_t *filter,
                     const int32_t *bias, int8_t *output, int32_t in_w, int32_t out_h,
                     int32_t out_w, int32_t sh, int32_t sw, int32_t cin, int32_t cout) {
  const int32_t pixels = out_h * out_w;
  const int32_t k4 = cin & ~3;
  for (int32_t oc = 0; oc < cout; oc += 2) {
    const int two = oc + 1 < cout;
    const int8_t *w0 = filter + oc * cin;
    const int8_t *w1 = two ? w0 + cin : w0;
    /* Row sums times the input offset, once per channel pair. */
    int32_t sum0 = 0, sum1 = 0;
    for (int32_t k = 0; k < cin; k++) {
      sum0 += w0[k];
      sum1 += w1[k];
    }
    const int32_t base0 = (bias ? bias[oc] : 0) + sum0 * d->input_offset;
    const int32_t base1 = two ? (bias ? bias[oc + 1] : 0) + sum1 * d->input_offset : 0;
    int32_t oy = 0, ox = 0;
    for (int32_t p = 0; p < pixels; p += 2) {
      const int pair = p + 1 < pixels;
      const int8_t *x0 = input + (oy * sh * in_w + ox * sw) * cin;
      int32_t oy1 = oy, ox1 = ox + 1;
      if (ox1 == out_w) {
        ox1 = 0;
        oy1++;
      }
      const int8_t *x1 = pair ? input + (oy1 * sh * in_w + ox1 * sw) * cin : x0;
      int32_t a00 = base0, a01 = base0, a10 = base1, a11 = base1;
      int32_t k = 0;
      if (x1 == x0 + cin && w1 == w0 + cin && k4 > 0) {
        /* The common case (neighbouring pixels, two channels): both second operands are one
         * row (cin bytes) further, so one offset register serves both. */
        const int8_t *px = x0, *pw = w0;
        int32_t n = k4 >> 2;
        uint32_t xa, xb, ea, eb, w, t;
        __asm__ volatile(
            "1:\n\t"
            "ldr %[xb], [%[px], %[k]]\n\t"
            "ldr %[xa], [%[px]], #4\n\t"
            "sxtb16 %[ea], %[xa]\n\t"
            "sxtb16 %[xa], %[xa], ror #8\n\t"
            "sxtb16 %[eb], %[xb]\n\t"
            "sxtb16 %[xb], %[xb], ror #8\n\t"
            "ldr %[w], [%[pw], %[k]]\n\t"
            "sxtb16 %[t], %[w]\n\t"
            "smlad %[a10], %[t], %[ea], %[a10]\n\t"
            "smlad %[a11], %[t], %[eb], %[a11]\n\t"
            "sxtb16 %[t], %[w], ror #8\n\t"
            "smlad %[a10], %[t], %[xa], %[a10]\n\t"
            "smlad %[a11], %[t], %[xb], %[a11]\n\t"
            "ldr %[w], [%[pw]], #4\n\t"
            "sxtb16 %[t], %[w]\n\t"
            "smlad %[a00], %[t], %[ea], %[a00]\n\t"
            "smlad %[a01], %[t], %[eb], %[a01]\n\t"
            "sxtb16 %[t], %[w], ror #8\n\t"
            "smlad %[a00], %[t], %[xa], %[a00]\n\t"
            "smlad %[a01], %[t], %[xb], %[a01]\n\t"
            "subs %[n], %[n], #1\n\t"
            "bne 1b\n\t"
            : [a00] "+r"(a00), [a01] "+r"(a01), [a10] "+r"(a10), [a11] "+r"(a11), [px] "+r"(px),
              [pw] "+r"(pw), [n] "+r"(n), [xa] "=&r"(xa), [xb] "=&r"(xb), [ea] "=&r"(ea),
              [eb] "=&r"(eb), [w] "=&r"(w), [t] "=&r"(t)
            : [k] "r"(cin)
            : "cc");
        k = k4;
      }
      for (; k < k4; k += 4) {
        const uint32_t r0 = tflm_read32(w0 + k), r1 = tflm_read32(w1 + k);
        const uint32_t l0 = tflm_read32(x0 + k), l1 = tflm_read32(x1 + k);
        const uint32_t r0e = TFLM_SXTB16_EVEN(r0), r0o = TFLM_SXTB16_ODD(r0);
        const uint32_t r1e = TFLM_SXTB16_EVEN(r1), r1o = TFLM_SXTB16_ODD(r1);
        const uint32_t l0e = TFLM_SXTB16_EVEN(l0), l0o = TFLM_SXTB16_ODD(l0);
        const uint32_t l1e = TFLM_SXTB16_EVEN(l1), l1o = TFLM_SXTB16_ODD(l1);
        a00 = tflm_smlad(r0e, l0e, a00);
        a00 = tflm_smlad(r0o, l0o, a00);
        a01 = tflm_smlad(r0e, l1e, a01);
        a01 = tflm_smlad(r0o, l1o, a01);
        a10 = tflm_smlad(r1e, l0e, a10);
        a10 = tflm_smlad(r1o, l0o, a10);
        a11 = tflm_smlad(r1e, l1e, a11);
        a11 = tflm_smlad(r1o, l1o, a11);
      }
      for (; k < cin; k++) {
        a00 += w0[k] * x0[k];
        a01 += w0[k] * x1[k];
        a10 += w1[k] * x0[k];
        a11 += w1[k] * x1[k];
      }
      int8_t *o0 = output + p * cout + oc;
      o0[0] = conv_out(a00, d, oc);
      if (two) o0[1] = conv_out(a10, d, oc + 1);
      if (pair) {
        o0[cout] = conv_out(a01, d, oc);
        if (two) o0[cout + 1] = conv_out(a11, d, oc + 1);
      }
      ox = ox1 + 1;
      oy = oy1;
      if (ox == out_w) {
        ox = 0;
        oy++;
      }
    }
  }
}

/* The 1x1, stride 1 case: pixels are consecutive rows of the input matrix. One step: four
 * int8 of two pixels (px, px + k) times four int8 of two filter rows (pw, pw + k). */
#define CONV_1X1_STEP                                       \
  "ldr %[xb], [%[px], %[k]]\n\t"                            \
  "ldr %[xa], [%[px]], #4\n\t"                              \
  "sxtb16 %[ea], %[xa]\n\t"                                 \
  "sxtb16 %[xa], %[xa], ror #8\n\t"                         \
  "sxtb16 %[eb], %[xb]\n\t"                                 \
  "sxtb16 %[xb], %[xb], ror #8\n\t"                         \
  "ldr %[w], [%[pw], %[k]]\n\t"                             \
  "sxtb16 %[t], %[w]\n\t"                                   \
  "smlad %[a10], %[t], %[ea], %[a10]\n\t"                   \
  "smlad %[a11], %[t], %[eb], %[a11]\n\t"                   \
  "sxtb16 %[t], %[w], ror #8\n\t"                           \
  "smlad %[a10], %[t], %[xa], %[a10]\n\t"                   \
  "smlad %[a11], %[t], %[xb], %[a11]\n\t"                   \
  "ldr %[w], [%[pw]], #4\n\t"                               \
  "sxtb16 %[t], %[w]\n\t"                                   \
  "smlad %[a00], %[t], %[ea], %[a00]\n\t"                   \
  "smlad %[a01], %[t], %[eb], %[a01]\n\t"                   \
  "sxtb16 %[t], %[w], ror #8\n\t"                           \
  "smlad %[a00], %[t], %[xa], %[a00]\n\t"                   \
  "smlad %[a01], %[t], %[xb], %[a01]\n\t"

/* n >= 1 steps: one step first when n is odd, then two steps per loop iteration. */
#define CONV_1X1_ASM                                        \
  "tst %[n], #1\n\t"                                        \
  "beq 2f\n\t" CONV_1X1_STEP                                \
  "subs %[n], %[n], #1\n\t"                                 \
  "beq 3f\n\t"                                              \
  "2:\n\t" CONV_1X1_STEP CONV_1X1_STEP                      \
  "subs %[n], %[n], #2\n\t"                                 \
  "bne 2b\n\t"                                              \
  "3:\n\t"

TFLM_INLINE int8_t rq_out(int32_t acc, const tflm_rq *q, int32_t out_off, int32_t lo,
                          int32_t hi) {
  return (int8_t)tflm_clamp(tflm_rq_apply(acc, q) + out_off, lo, hi);
}

/* One pair of output channels over all pixels; `fast` is a constant at each call site. */
TFLM_INLINE void conv_1x1_s1_pair(const tflm_conv_data *d, const int8_t *input,
                                  const int8_t *w0, int8_t *o, const tflm_rq *q0,
                                  const tflm_rq *q1, int32_t base0, int32_t base1,
                                  int32_t pixels, int32_t cin, int32_t cout, int fast) {
  const int32_t k4 = cin & ~3;
  const int32_t lo = d->act_min, hi = d->act_max, out_off = d->output_offset;
  const int8_t *w1 = w0 + cin;
  const int8_t *x = input;
  int32_t p = 0;
  for (; p + 2 <= pixels; p += 2) {
    int32_t a00 = base0, a01 = base0, a10 = base1, a11 = base1;
    if (k4 > 0) {
      const int8_t *px = x, *pw = w0;
      int32_t n = k4 >> 2;
      uint32_t xa, xb, ea, eb, w, t;
      __asm__ volatile(CONV_1X1_ASM
                       : [a00] "+r"(a00), [a01] "+r"(a01), [a10] "+r"(a10), [a11] "+r"(a11),
                         [px] "+r"(px), [pw] "+r"(pw), [n] "+r"(n), [xa] "=&r"(xa),
                         [xb] "=&r"(xb), [ea] "=&r"(ea), [eb] "=&r"(eb), [w] "=&r"(w),
                         [t] "=&r"(t)
                       : [k] "r"(cin)
                       : "cc");
    }
    for (int32_t k = k4; k < cin; k++) {
      a00 += w0[k] * x[k];
      a01 += w0[k] * x[cin + k];
      a10 += w1[k] * x[k];
      a11 += w1[k] * x[cin + k];
    }
    o[0] = (int8_t)tflm_clamp(tflm_rq_apply_as(a00, q0, fast) + out_off, lo, hi);
    o[1] = (int8_t)tflm_clamp(tflm_rq_apply_as(a10, q1, fast) + out_off, lo, hi);
    o[cout] = (int8_t)tflm_clamp(tflm_rq_apply_as(a01, q0, fast) + out_off, lo, hi);
    o[cout + 1] = (int8_t)tflm_clamp(tflm_rq_apply_as(a11, q1, fast) + out_off, lo, hi);
    x += 2 * cin;
    o += 2 * cout;
  }
  if (p < pixels) {
    int32_t a0 = base0, a1 = base1;
    for (int32_t k = 0; k < cin; k++) {
      a0 += w0[k] * x[k];
      a1 += w1[k] * x[k];
    }
    o[0] = rq_out(a0, q0, out_off, lo, hi);
    o[1] = rq_out(a1, q1, out_off, lo, hi);
  }
}

__attribute__((noinline)) static void conv_1x1_s1(const tflm_conv_data *d, const int8_t *input,
                                                  const int8_t *filter, const int32_t *bias,
                                                  int8_t *output, int32_t pixels, int32_t cin,
                                                  int32_t cout) {
  const int32_t k4 = cin & ~3;
  const int32_t lo = d->act_min, hi = d->act_max, out_off = d->output_offset;
  const int32_t in_off = d->input_offset;
  int32_t oc = 0;
  for (; oc + 2 <= cout; oc += 2) {
    const int8_t *w0 = filter + oc * cin;
    const int8_t *w1 = w0 + cin;
    int32_t sum0 = 0, sum1 = 0;
    for (int32_t k = 0; k < cin; k++) {
      sum0 += w0[k];
      sum1 += w1[k];
    }
    const int32_t base0 = (bias ? bias[oc] : 0) + sum0 * in_off;
    const int32_t base1 = (bias ? bias[oc + 1] : 0) + sum1 * in_off;
    tflm_rq q[2];
    q[0] = tflm_rq_make(d->multipliers[oc], d->shifts[oc]);
    q[1] = tflm_rq_make(d->multipliers[oc + 1], d->shifts[oc + 1]);
    if (tflm_rq_all_fast(q, 2)) {
      conv_1x1_s1_pair(d, input, w0, output + oc, &q[0], &q[1], base0, base1, pixels, cin, cout,
                       1);
    } else {
      conv_1x1_s1_pair(d, input, w0, output + oc, &q[0], &q[1], base0, base1, pixels, cin, cout,
                       0);
    }
  }
  if (oc < cout) {
    const int8_t *w0 = filter + oc * cin;
    int32_t sum0 = 0;
    for (int32_t k = 0; k < cin; k++) sum0 += w0[k];
    const int32_t base0 = (bias ? bias[oc] : 0) + sum0 * in_off;
    const tflm_rq q0 = tflm_rq_make(d->multipliers[oc], d->shifts[oc]);
    for (int32_t p = 0; p < pixels; p++) {
      const int8_t *x = input + p * cin;
      int32_t a0 = base0;
      int32_t k = 0;
      for (; k < k4; k += 4) {
        const uint32_t wv = tflm_read32(w0 + k), xv = tflm_read32(x + k);
        a0 = tflm_smlad(TFLM_SXTB16_EVEN(wv), TFLM_SXTB16_EVEN(xv), a0);
        a0 = tflm_smlad(TFLM_SXTB16_ODD(wv), TFLM_SXTB16_ODD(xv), a0);
      }
      for (; k < cin; k++) a0 += w0[k] * x[k];
      output[p * cout + oc] = rq_out(a0, &q0, out_off, lo, hi);
    }
  }
}

/* ---- im2col path ------------------------------------------------------------------------- */

/*
 * The scratch buffer holds two columns (receptive fields of two output pixels) of kp int16
 * (kp = align4(kh*kw*Cin)), interleaved by groups of four: [col0 0..3][col1 0..3][col0 4..7]...,
 * so the matrix kernel reads both columns through one post-incremented pointer. Same bytes as
 * CMSIS-NN's two contiguous columns.
 */
#define COL_INDEX(e) ((((e) >> 2) << 3) + ((e)&3))

/* Copy n int8 values (n a multiple of 4) to int16 with an offset in SXTB16 lane order
 * (0,2),(1,3), starting at group-aligned element e of the column at `col`. */
TFLM_INLINE void im2col_copy_reordered(int16_t *col, int32_t e, const int8_t *src, int32_t n,
                                       uint32_t offset2) {
  int16_t *dst = col + COL_INDEX(e);
  for (int32_t i = 0; i < n; i += 4) {
    const uint32_t x = tflm_read32(src + i);
    tflm_write32(dst, TFLM_SXTAB16_EVEN(offset2, x));
    tflm_write32(dst + 2, TFLM_SXTAB16_ODD(offset2, x));
    dst += 8;
  }
}

/* Fill one column for output pixel (oy, ox); col points at the column's first group. Padding
 * taps hold the input zero point, which the offset turns into 0. With Cin % 4 == 0 each tap is
 * copied four values at a time; otherwise bytes are gathered across taps into words first, so
 * that every column is in SXTB16 lane order and the matrix kernel never repacks the filter. The
 * tail up to kp is zero too (the filter values it meets belong to the next row). */
TFLM_INLINE void im2col_fill(int16_t *col, const int8_t *input, int32_t in_h, int32_t in_w,
                             int32_t cin, int32_t kh, int32_t kw, int32_t oy, int32_t ox,
                             int32_t sh, int32_t sw, int32_t dh, int32_t dw, int32_t pad_h,
                             int32_t pad_w, uint32_t offset2, int32_t offset, int32_t kp,
                             int aligned) {
  if (aligned) {
    int32_t e = 0;
    for (int32_t ky = 0; ky < kh; ky++) {
      const int32_t iy = oy * sh - pad_h + ky * dh;
      for (int32_t kx = 0; kx < kw; kx++) {
        const int32_t ix = ox * sw - pad_w + kx * dw;
        if (iy >= 0 && iy < in_h && ix >= 0 && ix < in_w) {
          im2col_copy_reordered(col, e, input + (iy * in_w + ix) * cin, cin, offset2);
        } else {
          int16_t *dst = col + COL_INDEX(e);
          for (int32_t i = 0; i < cin; i += 4) {
            tflm_write32(dst, 0);
            tflm_write32(dst + 2, 0);
            dst += 8;
          }
        }
        e += cin;
      }
    }
    return;
  }
  const uint32_t pad = (uint32_t)(uint8_t)(int8_t)(-offset);
  uint32_t word = 0;
  int32_t shift = 0, e = 0;
  int16_t *dst = col;
  for (int32_t ky = 0; ky < kh; ky++) {
    const int32_t iy = oy * sh - pad_h + ky * dh;
    for (int32_t kx = 0; kx < kw; kx++) {
      const int32_t ix = ox * sw - pad_w + kx * dw;
      const int inside = iy >= 0 && iy < in_h && ix >= 0 && ix < in_w;
      const uint8_t *src = (const uint8_t *)input + (iy * in_w + ix) * cin;
      for (int32_t i = 0; i < cin; i++) {
        word |= (inside ? (uint32_t)src[i] : pad) << shift;
        shift += 8;
        if (shift == 32) {
          tflm_write32(dst, TFLM_SXTAB16_EVEN(offset2, word));
          tflm_write32(dst + 2, TFLM_SXTAB16_ODD(offset2, word));
          dst += 8;
          word = 0;
          shift = 0;
        }
      }
      e += cin;
    }
  }
  if (shift != 0) {
    for (; shift < 32; shift += 8) word |= pad << shift;
    tflm_write32(dst, TFLM_SXTAB16_EVEN(offset2, word));
    tflm_write32(dst + 2, TFLM_SXTAB16_ODD(offset2, word));
  }
  (void)kp;
  (void)e;
}

/* Read 4 int8 filter values as SXTB16 lane pairs (0,2) and (1,3), matching the columns. */
TFLM_INLINE void filter_pairs(const int8_t *w, uint32_t *lo, uint32_t *hi) {
  const uint32_t x = tflm_read32(w);
  *lo = TFLM_SXTB16_EVEN(x);
  *hi = TFLM_SXTB16_ODD(x);
}

/* Two output channels x two columns; `kp` (a multiple of 4) int16 per column. Filter rows are k
 * bytes; with k % 4 != 0 the last group reads up to 3 bytes of the next row (or the blob's
 * padding) and multiplies them by the zeroed column tail. */
TFLM_INLINE void mat_2x2(const tflm_conv_data *d, const int8_t *filter, const int32_t *bias,
                         const int16_t *cols, int8_t *out0, int8_t *out1, int32_t k, int32_t kp,
                         int32_t cout) {
  int32_t oc = 0;
  for (; oc + 2 <= cout; oc += 2) {
    const int8_t *pw = filter + oc * k;
    int32_t a00 = bias ? bias[oc] : 0, a10 = bias ? bias[oc + 1] : 0;
    int32_t a01 = a00, a11 = a10;
    const int16_t *pc = cols;
    int32_t n = kp >> 2;
    uint32_t x0l, x0h, x1l, x1h, w, t;
    __asm__ volatile(
        "1:\n\t"
        "ldr %[w], [%[pw], %[k]]\n\t"
        "ldrd %[x0l], %[x0h], [%[pc]], #8\n\t"
        "ldrd %[x1l], %[x1h], [%[pc]], #8\n\t"
        "sxtb16 %[t], %[w]\n\t"
        "smlad %[a10], %[t], %[x0l], %[a10]\n\t"
        "smlad %[a11], %[t], %[x1l], %[a11]\n\t"
        "sxtb16 %[t], %[w], ror #8\n\t"
        "smlad %[a10], %[t], %[x0h], %[a10]\n\t"
        "smlad %[a11], %[t], %[x1h], %[a11]\n\t"
        "ldr %[w], [%[pw]], #4\n\t"
        "sxtb16 %[t], %[w]\n\t"
        "smlad %[a00], %[t], %[x0l], %[a00]\n\t"
        "smlad %[a01], %[t], %[x1l], %[a01]\n\t"
        "sxtb16 %[t], %[w], ror #8\n\t"
        "smlad %[a00], %[t], %[x0h], %[a00]\n\t"
        "smlad %[a01], %[t], %[x1h], %[a01]\n\t"
        "subs %[n], %[n], #1\n\t"
        "bne 1b\n\t"
        : [a00] "+r"(a00), [a01] "+r"(a01), [a10] "+r"(a10), [a11] "+r"(a11), [pw] "+r"(pw),
          [pc] "+r"(pc), [n] "+r"(n), [x0l] "=&r"(x0l), [x0h] "=&r"(x0h), [x1l] "=&r"(x1l),
          [x1h] "=&r"(x1h), [w] "=&r"(w), [t] "=&r"(t)
        : [k] "r"(k)
        : "cc");
    out0[oc] = conv_out(a00, d, oc);
    out0[oc + 1] = conv_out(a10, d, oc + 1);
    out1[oc] = conv_out(a01, d, oc);
    out1[oc + 1] = conv_out(a11, d, oc + 1);
  }
  if (oc < cout) {
    const int8_t *w0 = filter + oc * k;
    int32_t a0 = bias ? bias[oc] : 0, a1 = a0;
    const int16_t *pc = cols;
    for (int32_t n = kp >> 2; n > 0; n--) {
      uint32_t lo, hi;
      filter_pairs(w0, &lo, &hi);
      a0 = tflm_smlad(lo, tflm_read32(pc), a0);
      a0 = tflm_smlad(hi, tflm_read32(pc + 2), a0);
      a1 = tflm_smlad(lo, tflm_read32(pc + 4), a1);
      a1 = tflm_smlad(hi, tflm_read32(pc + 6), a1);
      w0 += 4;
      pc += 8;
    }
    out0[oc] = conv_out(a0, d, oc);
    out1[oc] = conv_out(a1, d, oc);
  }
}

/* The last column when the pixel count is odd (column 0 of the buffer). */
TFLM_INLINE void mat_2x1(const tflm_conv_data *d, const int8_t *filter, const int32_t *bias,
                         const int16_t *cols, int8_t *out0, int32_t k, int32_t kp,
                         int32_t cout) {
  for (int32_t oc = 0; oc < cout; oc++) {
    const int8_t *w0 = filter + oc * k;
    int32_t a0 = bias ? bias[oc] : 0;
    const int16_t *pc = cols;
    for (int32_t n = kp >> 2; n > 0; n--) {
      uint32_t lo, hi;
      filter_pairs(w0, &lo, &hi);
      a0 = tflm_smlad(lo, tflm_read32(pc), a0);
      a0 = tflm_smlad(hi, tflm_read32(pc + 2), a0);
      w0 += 4;
      pc += 8;
    }
    out0[oc] = conv_out(a0, d, oc);
  }
}

__attribute__((noinline)) static void conv_im2col(
    const tflm_conv_data *d, const int8_t *input, const int8_t *filter, const int32_t *bias,
    int8_t *output, int16_t *buffer, int32_t in_h, int32_t in_w, int32_t cin, int32_t kh,
    int32_t kw, int32_t out_h, int32_t out_w, int32_t cout, int32_t sh, int32_t sw, int32_t dh,
    int32_t dw, int aligned) {
  const int32_t k = kh * kw * cin;
  const int32_t kp = (k + 3) & ~3;
  const int32_t offset = d->input_offset;
  const uint32_t offset2 = ((uint32_t)offset & 0xFFFFu) | ((uint32_t)offset << 16);
  int8_t *out = output;
  int filled = 0;
  for (int32_t oy = 0; oy < out_h; oy++) {
    for (int32_t ox = 0; ox < out_w; ox++) {
      im2col_fill(buffer + (filled ? 4 : 0), input, in_h, in_w, cin, kh, kw, oy, ox, sh, sw, dh,
                  dw, d->pad_h, d->pad_w, offset2, offset, kp, aligned);
      if (filled) {
        mat_2x2(d, filter, bias, buffer, out, out + cout, k, kp, cout);
        out += 2 * cout;
        filled = 0;
      } else {
        filled = 1;
      }
    }
  }
  if (filled) mat_2x1(d, filter, bias, buffer, out, k, kp, cout);
}

static int conv_invoke(tflm_interpreter *it, tflm_node *node) {
  TFLM_INVOKE_WEIGHTED_HEAD(tflm_conv_data, filter);
  const int32_t batches = in->dims[0], in_h = in->dims[1], in_w = in->dims[2],
                cin = in->dims[3];
  const int32_t out_h = out->dims[1], out_w = out->dims[2], cout = out->dims[3];
  const int32_t kh = filter->dims[1], kw = filter->dims[2];
  const int32_t sh = tflm_option(it, node, 1), sw = tflm_option(it, node, 2);
  const int32_t dh = tflm_option(it, node, 3), dw = tflm_option(it, node, 4);
  const int32_t *bias = bias_t ? (const int32_t *)bias_t->data : NULL;
  for (int32_t b = 0; b < batches; b++) {
    const int8_t *input = (const int8_t *)in->data + b * in_h * in_w * cin;
    int8_t *output = (int8_t *)out->data + b * out_h * out_w * cout;
    if (d->path == CONV_PATH_1X1 && sh == 1 && sw == 1) {
      conv_1x1_s1(d, input, filter->data, bias, output, out_h * out_w, cin, cout);
    } else if (d->path == CONV_PATH_1X1) {
      conv_1x1(d, input, filter->data, bias, output, in_w, out_h, out_w, sh, sw, cin, cout);
    } else if ((cin & 3) == 0) {
      conv_im2col(d, input, filter->data, bias, output, node->scratch, in_h, in_w, cin, kh, kw,
                  out_h, out_w, cout, sh, sw, dh, dw, 1);
    } else {
      conv_im2col(d, input, filter->data, bias, output, node->scratch, in_h, in_w, cin, kh, kw,
                  out_h, out_w, cout, sh, sw, dh, dw, 0);
    }
  }
  return TFLM_OK;
}

const tflm_registration tflm_register_conv_2d = {conv_init, conv_prepare, conv_invoke};
