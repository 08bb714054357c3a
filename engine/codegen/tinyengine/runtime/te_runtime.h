/* te_runtime.h: helpers of tinyengine-generated kernels, copied beside every generated model.c:
   unaligned loads, SXTB16 with rotation, TFLite's requantization (bit-exact
   MultiplyByQuantizedMultiplier) and clamping. */
#ifndef TE_RUNTIME_H
#define TE_RUNTIME_H
#include <stdint.h>
#include <string.h>
#include <arm_acle.h>

#define TE_INLINE static inline __attribute__((always_inline))
/* Every generated kernel is compiled on its own: never inlined into its caller, cloned or
   specialized for its call sites (noipa). Its machine code, and so its instruction count,
   depends on its own text alone, not on which other layers the model has: the latency table
   of the search relies on that, and inlining into the one large te_invoke() made register
   allocation (and counts, by up to 1.5x) depend on the neighbouring layers. */
#define TE_KERNEL static __attribute__((noipa))

/* A 32-bit load from any address (LDR; Cortex-M4/M7 allow unaligned word loads). */
TE_INLINE int32_t te_ld32(const void *p) {
  int32_t v;
  memcpy(&v, p, 4);
  return v;
}

/* SXTB16 of x rotated right by 8: bytes 1 and 3 sign-extended into two halfwords. */
TE_INLINE int32_t te_sxtb16_ror8(int32_t x) {
  int32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
  return r;
}

/* TFLite MultiplyByQuantizedMultiplier (SRDHM then RoundingDivideByPOT), for multipliers in
   [0, 2^31) and shifts in [-31, 30]. (a*b + 2^30) >> 31 equals SRDHM's nudged, truncated
   quotient for both signs. */
TE_INLINE int32_t te_mbqm(int32_t x, int32_t m, int32_t s) {
  int32_t ls = s > 0 ? s : 0;
  int32_t rs = s > 0 ? 0 : -s;
  int64_t ab = (int64_t)(int32_t)((uint32_t)x << ls) * m;
  int32_t h = (int32_t)((ab + (1ll << 30)) >> 31);
  int32_t mask = (int32_t)((1u << rs) - 1u);
  int32_t rem = h & mask;
  int32_t thr = (mask >> 1) + (h < 0);
  return (h >> rs) + (rem > thr);
}

/* SRDHM alone and RoundingDivideByPOT alone (ADD's three-step requantization). */
TE_INLINE int32_t te_srdhm(int32_t a, int32_t b) {
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  return (int32_t)(((int64_t)a * b + (1ll << 30)) >> 31);
}
TE_INLINE int32_t te_rdbpot(int32_t x, int32_t e) {
  int32_t mask = (int32_t)((1u << e) - 1u);
  int32_t rem = x & mask;
  int32_t thr = (mask >> 1) + (x < 0);
  return (x >> e) + (rem > thr);
}

TE_INLINE int8_t te_clamp8(int32_t v, int32_t lo, int32_t hi) {
  v = v < lo ? lo : v;
  v = v > hi ? hi : v;
  return (int8_t)v;
}

/* Requantize an accumulator with per-channel (multiplier, shift) pair q, add the output zero
   point and clamp to the fused activation's range. */
TE_INLINE int8_t te_out(int32_t acc, const int32_t *q, int32_t zp, int32_t lo, int32_t hi) {
  return te_clamp8(te_mbqm(acc, q[0], q[1]) + zp, lo, hi);
}
/* Two words at p + off (off a constant, at most 1020) in one LDRD. The "m" operand names the
   2 KiB block starting at p (addressed by p itself, no extra address arithmetic), so the
   compiler never moves the load above the stores that fill those bytes. */
typedef struct { char bytes[2048]; } te_block_t;
#define TE_LDRD(lo, hi, p, off) \
  __asm__("ldrd %0, %1, [%2, %3]" : "=r"(lo), "=r"(hi) \
          : "r"(p), "I"(off), "m"(*(const te_block_t *)(p)))
/* Two words at p in one LDRD, then p += 8. */
#define TE_LDRD_POST(lo, hi, p) \
  __asm__("ldrd %0, %1, [%2], #8" : "=r"(lo), "=r"(hi), "+r"(p) : "m"(*(const te_block_t *)(p)))

/* MultiplyByQuantizedMultiplier for shift <= -2 (right shift rs = sh + 1 >= 2), in one SMLAL:
   RoundingDivideByPOT(SRDHM(x, m), rs) == (x*m + C) >> (31 + rs) with
   C = 2^30 + 2^(30+rs) - (x < 0 ? 2^31 : 0), exact for every int32 x and m in [2^30, 2^31). */
TE_INLINE int32_t te_rq(int32_t x, int32_t m, int32_t k, int32_t sh) {
  uint32_t lo = ((uint32_t)x & 0x80000000u) | 0x40000000u;
  int32_t hi = k + (x >> 31);
  int64_t acc = (int64_t)(((uint64_t)(uint32_t)hi << 32) | lo);
  acc += (int64_t)x * m;
  return (int32_t)(acc >> 32) >> sh;
}

/* The same for |x| < 2^30 in one SMMLAR on the doubled accumulator x2 = 2x, with rs = sh + 1 and
   k = 2^(rs-1) + zp * 2^rs: floor((x*m + C') / 2^(32+sh)) with C' = k' * 2^32 + 2^30 - [x<0] 2^31
   (k' = k / 2) equals floor(floor((2x*m + 2^31) / 2^32) + k - [x<0]) >> rs, and SMMLAR computes
   the inner floor plus its accumulator k - [x<0] exactly. */
TE_INLINE int32_t te_rqd2(int32_t x2, int32_t m, int32_t k, int32_t rs) {
  int32_t t;
  __asm__("smmlar %0, %1, %2, %3" : "=r"(t) : "r"(x2), "r"(m), "r"(k + (x2 >> 31)));
  return t >> rs;
}
/* MultiplyByQuantizedMultiplier for shift s = ls in {0, 1} on the doubled accumulator x2 = 2x,
   plus zero point zp, when 2x * 2^ls fits int32: SMMLAR gives floor((2^(ls+1) x m + 2^31) / 2^32)
   + zp = floor((2^ls x m + 2^30) / 2^31) + zp = SRDHM(x * 2^ls, m) + zp (no rounding shift). */
TE_INLINE int32_t te_rqz(int32_t x2, int32_t m, int32_t zp, int32_t ls) {
  int32_t t;
  __asm__("smmlar %0, %1, %2, %3" : "=r"(t) : "r"(x2 << ls), "r"(m), "r"(zp));
  return t;
}
/* te_rqd2 without the -[x < 0] term, for clamps whose lower bound is at least the zero point
   (every x <= 0 then clamps to that bound with or without it). */
TE_INLINE int32_t te_rqd2r(int32_t x2, int32_t m, int32_t k, int32_t rs) {
  int32_t t;
  __asm__("smmlar %0, %1, %2, %3" : "=r"(t) : "r"(x2), "r"(m), "r"(k));
  return t >> rs;
}
TE_INLINE int32_t te_rqdr(int32_t x, int32_t m, int32_t k, int32_t rs) {
  return te_rqd2r(x + x, m, k, rs);
}
/* te_rqd2 of an accumulator that is not yet doubled. */
TE_INLINE int32_t te_rqd(int32_t x, int32_t m, int32_t k, int32_t rs) {
  return te_rqd2(x + x, m, k, rs);
}

/* Unpack groups of 4 int8 into int16 pairs in SXTB16 order: (b0,b2), (b1,b3). */
TE_INLINE void te_unpack(const int8_t *src, int16_t *dst, int32_t groups) {
  int32_t *d = (int32_t *)dst;
  for (int32_t g = 0; g < groups; g++) {
    int32_t v = te_ld32(src);
    src += 4;
    d[0] = __sxtb16(v);
    d[1] = te_sxtb16_ror8(v);
    d += 2;
  }
}
#endif
