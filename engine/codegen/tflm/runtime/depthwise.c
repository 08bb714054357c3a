/*
 * depthwise.c: DEPTHWISE_CONV_2D, CMSIS-NN style (written from the algorithm description).
 *
 * Paths, chosen in prepare as CMSIS-NN's wrapper chooses:
 * - 3x3: depth multiplier 1, 3x3 kernel, padding <= 1, dilation 1, channels a multiple of 4.
 *   Four channels at a time: input words are sign-extended with the offset added (SXTAB16),
 *   filter words with SXTB16, and the four lanes accumulate with SMLABB/SMLATT. The taps that
 *   fall into the padding are skipped by clipping the kernel window. No scratch.
 * - opt: depth multiplier 1, dilation 1, any kernel and channel count. Per output pixel the
 *   receptive field is copied to an int16 buffer (offset added with SXTAB16, lanes (0,2),(1,3);
 *   zeros for padding taps), then four channels at a time accumulate with SMLABB/SMLATT. Scratch:
 *   kh * kw * C int16, as CMSIS-NN requests.
 * - generic: any depth multiplier and dilation; plain loops, with CMSIS-NN's special case of a
 *   multiplier that is a multiple of 4 (four output channels per input value, SMLABB/SMLABT).
 *   No scratch.
 *
 * Options: [padding, stride_h, stride_w, dilation_h, dilation_w, activation, depth_multiplier].
 */
#include "kernel_util.h"

#define DW_PATH_GENERIC 0
#define DW_PATH_3X3 1
#define DW_PATH_OPT 2

int tflm_prepare_conv_params(tflm_interpreter *it, tflm_node *node, tflm_conv_data *d,
                             int32_t out_channels, int activation);

TFLM_OP_DATA_INIT(dw_init, tflm_conv_data)

static int dw_prepare(tflm_interpreter *it, tflm_node *node) {
  TFLM_PREPARE_CONV_HEAD;
  const int32_t mult = tflm_option(it, node, 6);
  const int32_t kh = filter->dims[1], kw = filter->dims[2], c = in->dims[3];
  TFLM_PREPARE_CONV_PARAMS(kh, kw);
  uint32_t scratch = 0;
  if (mult == 1 && dh == 1 && dw == 1 && kh == 3 && kw == 3 && d->pad_h <= 1 && d->pad_w <= 1 &&
      (c & 3) == 0) {
    d->path = DW_PATH_3X3;
  } else if (mult == 1 && dh == 1 && dw == 1) {
    d->path = DW_PATH_OPT;
    scratch = (uint32_t)(kh * kw * c) * 2u;
  } else {
    d->path = DW_PATH_GENERIC;
  }
  if (node->desc->scratch_bytes != scratch) return TFLM_ERR_SCRATCH;
  return TFLM_OK;
}

TFLM_INLINE int8_t dw_out(int32_t acc, const tflm_conv_data *d, int32_t c) {
  acc = tflm_requantize(acc, d->multipliers[c], d->shifts[c]) + d->output_offset;
  return (int8_t)tflm_clamp(acc, d->act_min, d->act_max);
}

TFLM_INLINE int32_t max32(int32_t a, int32_t b) { return a > b ? a : b; }
TFLM_INLINE int32_t min32(int32_t a, int32_t b) { return a < b ? a : b; }

/* One tap for four channels: input word (offset added) times filter word. */
#define DW_TAP4(inp, wp)                                     \
  do {                                                       \
    const uint32_t x_ = tflm_read32(inp);                    \
    const uint32_t w_ = tflm_read32(wp);                     \
    const uint32_t xe_ = TFLM_SXTAB16_EVEN(offset2, x_);     \
    const uint32_t xo_ = TFLM_SXTAB16_ODD(offset2, x_);      \
    const uint32_t we_ = TFLM_SXTB16_EVEN(w_);               \
    const uint32_t wo_ = TFLM_SXTB16_ODD(w_);                \
    a0 = tflm_smlabb(xe_, we_, a0);                          \
    a2 = tflm_smlatt(xe_, we_, a2);                          \
    a1 = tflm_smlabb(xo_, wo_, a1);                          \
    a3 = tflm_smlatt(xo_, wo_, a3);                          \
  } while (0)

/* Four channels of one output pixel over a clipped window of `rows` x `cols` taps. */
TFLM_INLINE void dw_3x3_group(const int8_t *ip, const int8_t *wp, int32_t rows, int32_t cols,
                              int32_t c, int32_t row, uint32_t offset2, int32_t *acc) {
  int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
  const int32_t wrow = 3 * c;
  for (int32_t r = 0; r < rows; r++) {
    const int8_t *x = ip;
    const int8_t *w = wp;
    for (int32_t t = 0; t < cols; t++) {
      DW_TAP4(x, w);
      x += c;
      w += c;
    }
    ip += row;
    wp += wrow;
  }
  acc[0] = a0;
  acc[1] = a1;
  acc[2] = a2;
  acc[3] = a3;
}

/* One tap of four channels, as asm text: x/w words at the given addresses. */
#define DW_TAP_ASM(XADDR, WADDR)                    \
  "ldr %[x], " XADDR "\n\t"                         \
  "ldr %[w], " WADDR "\n\t"                         \
  "sxtab16 %[t], %[o2], %[x]\n\t"                   \
  "sxtb16 %[u], %[w]\n\t"                           \
  "sxtab16 %[x], %[o2], %[x], ror #8\n\t"           \
  "sxtb16 %[w], %[w], ror #8\n\t"                   \
  "smlabb %[a0], %[t], %[u], %[a0]\n\t"             \
  "smlatt %[a2], %[t], %[u], %[a2]\n\t"             \
  "smlabb %[a1], %[x], %[w], %[a1]\n\t"             \
  "smlatt %[a3], %[x], %[w], %[a3]\n\t"

/* The interior: all nine taps. One asm block per kernel row keeps the three taps' addresses in
 * registers (base, base + C, base + 2C) instead of nine precomputed offsets. */
TFLM_INLINE void dw_3x3_full(const int8_t *ip, const int8_t *wp, int32_t c, int32_t row,
                             uint32_t offset2, int32_t *acc) {
  int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
  const int32_t c2 = 2 * c;
  for (int r = 0; r < 3; r++) {
    uint32_t x, w, t, u;
    __asm__(DW_TAP_ASM("[%[ip]]", "[%[wp]]") DW_TAP_ASM("[%[ip], %[c]]", "[%[wp], %[c]]")
                DW_TAP_ASM("[%[ip], %[c2]]", "[%[wp], %[c2]]")
            : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [x] "=&r"(x),
              [w] "=&r"(w), [t] "=&r"(t), [u] "=&r"(u)
            : [ip] "r"(ip), [wp] "r"(wp), [c] "r"(c), [c2] "r"(c2), [o2] "r"(offset2));
    ip += row;
    wp += 3 * c;
  }
  acc[0] = a0;
  acc[1] = a1;
  acc[2] = a2;
  acc[3] = a3;
}

/* All output pixels of one group of four channels; `fast` is a constant at each call site. */
TFLM_INLINE void dw_3x3_channels(const tflm_conv_data *d, const int8_t *in_ch, const int8_t *w_ch,
                                 int8_t *out, const tflm_rq *q, const int32_t *b, int32_t in_h,
                                 int32_t in_w, int32_t c, int32_t out_h, int32_t out_w,
                                 int32_t sh, int32_t sw, uint32_t offset2, int fast) {
  const int32_t row = in_w * c;
  const int32_t out_off = d->output_offset, lo = d->act_min, hi = d->act_max;
  for (int32_t oy = 0; oy < out_h; oy++) {
    const int32_t iy0 = oy * sh - d->pad_h;
    const int32_t ky0 = max32(0, -iy0), ky1 = min32(3, in_h - iy0);
    const int32_t rows = ky1 - ky0;
    const int8_t *in_row = in_ch + iy0 * row; /* row of tap ky = 0 (may be virtual) */
    int32_t ix0 = -d->pad_w;
    for (int32_t ox = 0; ox < out_w; ox++, ix0 += sw) {
      int32_t acc[4] = {b[0], b[1], b[2], b[3]};
      if (rows == 3 && ix0 >= 0 && ix0 + 3 <= in_w) {
        /* Interior: the whole window, no clipping. */
        dw_3x3_full(in_row + ix0 * c, w_ch, c, row, offset2, acc);
      } else {
        const int32_t kx0 = max32(0, -ix0), kx1 = min32(3, in_w - ix0);
        const int8_t *ip = in_ch + (iy0 + ky0) * row + (ix0 + kx0) * c;
        const int8_t *wp = w_ch + (ky0 * 3 + kx0) * c;
        dw_3x3_group(ip, wp, rows, kx1 - kx0, c, row, offset2, acc);
      }
      for (int i = 0; i < 4; i++) {
        out[i] = (int8_t)tflm_clamp(tflm_rq_apply_as(acc[i], &q[i], fast) + out_off, lo, hi);
      }
      out += c;
    }
  }
}

/* Channel groups outer, pixels inner: each group's four requantizations are prepared once. */
__attribute__((noinline)) static void dw_3x3(const tflm_conv_data *d, const int8_t *input,
                                             const int8_t *filter, const int32_t *bias,
                                             int8_t *output, int32_t in_h, int32_t in_w,
                                             int32_t c, int32_t out_h, int32_t out_w, int32_t sh,
                                             int32_t sw) {
  const int32_t offset = d->input_offset;
  const uint32_t offset2 = ((uint32_t)offset & 0xFFFFu) | ((uint32_t)offset << 16);
  for (int32_t ch = 0; ch < c; ch += 4) {
    tflm_rq q[4];
    int32_t b[4] = {0, 0, 0, 0};
    for (int i = 0; i < 4; i++) q[i] = tflm_rq_make(d->multipliers[ch + i], d->shifts[ch + i]);
    if (bias) memcpy(b, bias + ch, sizeof b);
    if (tflm_rq_all_fast(q, 4)) {
      dw_3x3_channels(d, input + ch, filter + ch, output + ch, q, b, in_h, in_w, c, out_h, out_w,
                      sh, sw, offset2, 1);
    } else {
      dw_3x3_channels(d, input + ch, filter + ch, output + ch, q, b, in_h, in_w, c, out_h, out_w,
                      sh, sw, offset2, 0);
    }
  }
}

/* Copy n int8 to int16 with an offset: each group of four in SXTB16 lane order (0,2),(1,3),
 * the tail (n % 4) in natural order. */
TFLM_INLINE void dw_copy(int16_t *dst, const int8_t *src, int32_t n, uint32_t offset2,
                         int32_t offset) {
  int32_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const uint32_t x = tflm_read32(src + i);
    const uint32_t e = TFLM_SXTAB16_EVEN(offset2, x);
    const uint32_t o = TFLM_SXTAB16_ODD(offset2, x);
    tflm_write32(dst + i, e);
    tflm_write32(dst + i + 2, o);
  }
  for (; i < n; i++) dst[i] = (int16_t)(src[i] + offset);
}

__attribute__((noinline)) static void dw_opt(const tflm_conv_data *d, const int8_t *input, const int8_t *filter,
                   const int32_t *bias, int8_t *output, int16_t *buffer, int32_t in_h,
                   int32_t in_w, int32_t c, int32_t kh, int32_t kw, int32_t out_h, int32_t out_w,
                   int32_t sh, int32_t sw) {
  const int32_t offset = d->input_offset;
  const uint32_t offset2 = ((uint32_t)offset & 0xFFFFu) | ((uint32_t)offset << 16);
  const int32_t taps = kh * kw;
  int8_t *out = output;
  for (int32_t oy = 0; oy < out_h; oy++) {
    for (int32_t ox = 0; ox < out_w; ox++) {
      int16_t *dst = buffer;
      for (int32_t ky = 0; ky < kh; ky++) {
        const int32_t iy = oy * sh - d->pad_h + ky;
        for (int32_t kx = 0; kx < kw; kx++) {
          const int32_t ix = ox * sw - d->pad_w + kx;
          if (iy < 0 || iy >= in_h || ix < 0 || ix >= in_w) {
            memset(dst, 0, (size_t)c * 2u);
          } else {
            dw_copy(dst, input + (iy * in_w + ix) * c, c, offset2, offset);
          }
          dst += c;
        }
      }
      int32_t ch = 0;
      for (; ch + 4 <= c; ch += 4) {
        int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        if (bias) {
          a0 = bias[ch];
          a1 = bias[ch + 1];
          a2 = bias[ch + 2];
          a3 = bias[ch + 3];
        }
        const int16_t *col = buffer + ch;
        const int8_t *wp = filter + ch;
#pragma GCC unroll 2
        for (int32_t t = 0; t < taps; t++) {
          const uint32_t x01 = tflm_read32(col), x23 = tflm_read32(col + 2);
          const uint32_t w = tflm_read32(wp);
          const uint32_t we = TFLM_SXTB16_EVEN(w), wo = TFLM_SXTB16_ODD(w);
          a0 = tflm_smlabb(x01, we, a0);
          a2 = tflm_smlatt(x01, we, a2);
          a1 = tflm_smlabb(x23, wo, a1);
          a3 = tflm_smlatt(x23, wo, a3);
          col += c;
          wp += c;
        }
        out[ch] = dw_out(a0, d, ch);
        out[ch + 1] = dw_out(a1, d, ch + 1);
        out[ch + 2] = dw_out(a2, d, ch + 2);
        out[ch + 3] = dw_out(a3, d, ch + 3);
      }
      for (; ch < c; ch++) {
        int32_t a = bias ? bias[ch] : 0;
        const int16_t *col = buffer + ch;
        const int8_t *wp = filter + ch;
        for (int32_t t = 0; t < taps; t++) {
          a += *col * *wp;
          col += c;
          wp += c;
        }
        out[ch] = dw_out(a, d, ch);
      }
      out += c;
    }
  }
}

/* First tap index in [0, k) whose position start + t * dilation lies in [0, size), and one past
 * the last (the valid taps are contiguous). */
TFLM_INLINE void tap_range(int32_t start, int32_t k, int32_t dilation, int32_t size, int32_t *t0,
                           int32_t *t1) {
  int32_t a = 0, b = k;
  while (a < b && start + a * dilation < 0) a++;
  while (b > a && start + (b - 1) * dilation >= size) b--;
  *t0 = a;
  *t1 = b;
}

__attribute__((noinline)) static void dw_generic(const tflm_conv_data *d, const int8_t *input,
                                                 const int8_t *filter, const int32_t *bias,
                                                 int8_t *output, int32_t in_h, int32_t in_w,
                                                 int32_t c, int32_t kh, int32_t kw, int32_t out_h,
                                                 int32_t out_w, int32_t sh, int32_t sw,
                                                 int32_t dh, int32_t dw, int32_t mult) {
  const int32_t cout = c * mult;
  const int32_t offset = d->input_offset;
  const int32_t x_step = dw * c, y_step = dh * in_w * c;
  const int32_t wx_step = cout, wy_step = kw * cout;
  int8_t *out = output;
  for (int32_t oy = 0; oy < out_h; oy++) {
    const int32_t iy0 = oy * sh - d->pad_h;
    int32_t ky0, ky1;
    tap_range(iy0, kh, dh, in_h, &ky0, &ky1);
    for (int32_t ox = 0; ox < out_w; ox++) {
      const int32_t ix0 = ox * sw - d->pad_w;
      int32_t kx0, kx1;
      tap_range(ix0, kw, dw, in_w, &kx0, &kx1);
      const int8_t *in_base = input + ((iy0 + ky0 * dh) * in_w + ix0 + kx0 * dw) * c;
      const int8_t *w_base = filter + (ky0 * kw + kx0) * cout;
      for (int32_t ic = 0; ic < c; ic++) {
        for (int32_t m = 0; m < mult; m++) {
          const int32_t oc = ic * mult + m;
          int32_t acc = bias ? bias[oc] : 0;
          const int8_t *iy = in_base + ic;
          const int8_t *wy = w_base + oc;
          for (int32_t ky = ky0; ky < ky1; ky++) {
            const int8_t *ix = iy;
            const int8_t *wx = wy;
            for (int32_t kx = kx0; kx < kx1; kx++) {
              acc += (*ix + offset) * *wx;
              ix += x_step;
              wx += wx_step;
            }
            iy += y_step;
            wy += wy_step;
          }
          out[oc] = dw_out(acc, d, oc);
        }
      }
      out += cout;
    }
  }
}

/* Depth multiplier a multiple of 4 (CMSIS-NN's mult-4 case of its generic kernel): per input
 * channel, four output channels at a time; the input value (offset added) is duplicated into
 * both halfwords and multiplies the SXTB16-extended filter word with SMLABB/SMLABT. */
__attribute__((noinline)) static void dw_mult4(const tflm_conv_data *d, const int8_t *input,
                                               const int8_t *filter, const int32_t *bias,
                                               int8_t *output, int32_t in_h, int32_t in_w,
                                               int32_t c, int32_t kh, int32_t kw, int32_t out_h,
                                               int32_t out_w, int32_t sh, int32_t sw, int32_t dh,
                                               int32_t dw, int32_t mult) {
  const int32_t cout = c * mult;
  const int32_t offset = d->input_offset;
  const int32_t x_step = dw * c, y_step = dh * in_w * c;
  const int32_t wy_step = kw * cout;
  int8_t *out = output;
  for (int32_t oy = 0; oy < out_h; oy++) {
    const int32_t iy0 = oy * sh - d->pad_h;
    int32_t ky0, ky1;
    tap_range(iy0, kh, dh, in_h, &ky0, &ky1);
    for (int32_t ox = 0; ox < out_w; ox++) {
      const int32_t ix0 = ox * sw - d->pad_w;
      int32_t kx0, kx1;
      tap_range(ix0, kw, dw, in_w, &kx0, &kx1);
      const int8_t *in_base = input + ((iy0 + ky0 * dh) * in_w + ix0 + kx0 * dw) * c;
      const int8_t *w_base = filter + (ky0 * kw + kx0) * cout;
      for (int32_t ic = 0; ic < c; ic++) {
        for (int32_t m = 0; m < mult; m += 4) {
          const int32_t oc = ic * mult + m;
          int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
          if (bias) {
            a0 = bias[oc];
            a1 = bias[oc + 1];
            a2 = bias[oc + 2];
            a3 = bias[oc + 3];
          }
          const int8_t *iy = in_base + ic;
          const int8_t *wy = w_base + oc;
          for (int32_t ky = ky0; ky < ky1; ky++) {
            const int8_t *ix = iy;
            const int8_t *wx = wy;
            for (int32_t kx = kx0; kx < kx1; kx++) {
              const uint32_t x = (uint32_t)(*ix + offset) & 0xFFFFu;
              const uint32_t xx = x | (x << 16);
              const uint32_t w = tflm_read32(wx);
              const uint32_t we = TFLM_SXTB16_EVEN(w), wo = TFLM_SXTB16_ODD(w);
              a0 = tflm_smlabb(xx, we, a0);
              a2 = tflm_smlabt(xx, we, a2);
              a1 = tflm_smlabb(xx, wo, a1);
              a3 = tflm_smlabt(xx, wo, a3);
              ix += x_step;
              wx += cout;
            }
            iy += y_step;
            wy += wy_step;
          }
          out[oc] = dw_out(a0, d, oc);
          out[oc + 1] = dw_out(a1, d, oc + 1);
          out[oc + 2] = dw_out(a2, d, oc + 2);
          out[oc + 3] = dw_out(a3, d, oc + 3);
        }
      }
      out += cout;
    }
  }
}

static int dw_invoke(tflm_interpreter *it, tflm_node *node) {
  TFLM_INVOKE_WEIGHTED_HEAD(tflm_conv_data, filter);
  const int32_t batches = in->dims[0], in_h = in->dims[1], in_w = in->dims[2], c = in->dims[3];
  const int32_t out_h = out->dims[1], out_w = out->dims[2], cout = out->dims[3];
  const int32_t kh = filter->dims[1], kw = filter->dims[2];
  const int32_t sh = tflm_option(it, node, 1), sw = tflm_option(it, node, 2);
  const int32_t dh = tflm_option(it, node, 3), dw = tflm_option(it, node, 4);
  const int32_t mult = tflm_option(it, node, 6);
  const int32_t *bias = bias_t ? (const int32_t *)bias_t->data : NULL;
  for (int32_t b = 0; b < batches; b++) {
    const int8_t *input = (const int8_t *)in->data + b * in_h * in_w * c;
    int8_t *output = (int8_t *)out->data + b * out_h * out_w * cout;
    if (d->path == DW_PATH_3X3) {
      dw_3x3(d, input, filter->data, bias, output, in_h, in_w, c, out_h, out_w, sh, sw);
    } else if (d->path == DW_PATH_OPT) {
      dw_opt(d, input, filter->data, bias, output, node->scratch, in_h, in_w, c, kh, kw, out_h,
             out_w, sh, sw);
    } else if ((mult & 3) == 0) {
      dw_mult4(d, input, filter->data, bias, output, in_h, in_w, c, kh, kw, out_h, out_w, sh, sw,
               dh, dw, mult);
    } else {
      dw_generic(d, input, filter->data, bias, output, in_h, in_w, c, kh, kw, out_h, out_w, sh,
                 sw, dh, dw, mult);
    }
  }
  return TFLM_OK;
}

const tflm_registration tflm_register_depthwise_conv_2d = {dw_init, dw_prepare, dw_invoke};
