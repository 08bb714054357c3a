/**
 * Test and benchmark firmware: an int8 3x3 convolution (stride 1, SAME padding, NHWC) with
 * per-channel requantization in TFLite's integer semantics, its inner products on SMLAD, and a
 * TypeScript computation of the same thing. Private to emulator tests and benchmarks.
 *
 * @module
 */
import type { CSources } from "../engine/build/mod.ts";

/** Shape and data seed of a convolution case. */
export interface ConvSpec {
  readonly height: number;
  readonly width: number;
  /** Input channels (a multiple of 4 keeps every SMLAD load aligned; any value works). */
  readonly inChannels: number;
  readonly outChannels: number;
  readonly seed: number;
  /** Run the inference this many times (for long benchmark runs; default 1). */
  readonly repeat?: number;
}

/** Quantized parameters and data of one case. */
export interface ConvCase {
  readonly spec: ConvSpec;
  readonly sources: CSources;
  /** The input tensor's bytes (int8, NHWC), for the `mcu_input` symbol. */
  readonly input: Uint8Array;
  /** The expected `mcu_output` bytes (int8, NHWC). */
  readonly expected: Uint8Array;
  readonly inputOffset: number;
  readonly outputOffset: number;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** TFLite `SaturatingRoundingDoublingHighMul`. */
export function saturatingRoundingDoublingHighMul(a: number, b: number): number {
  if (a === b && a === INT32_MIN) return INT32_MAX;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number((ab + nudge) / (1n << 31n)); // BigInt division truncates toward zero, as in C
}

/** TFLite `RoundingDivideByPOT`. */
export function roundingDivideByPot(x: number, exponent: number): number {
  const mask = (1 << exponent) - 1;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/** TFLite `MultiplyByQuantizedMultiplier`. */
export function multiplyByQuantizedMultiplier(x: number, multiplier: number, shift: number) {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  return roundingDivideByPot(
    saturatingRoundingDoublingHighMul(Math.imul(x, 1 << left), multiplier),
    right,
  );
}

function rng(seed: number): () => number {
  let s = (seed >>> 0) || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

const cArray = (type: string, name: string, values: ArrayLike<number>) =>
  `static const ${type} ${name}[${values.length}] = {${Array.from(values).join(",")}};\n`;

const KERNEL_C = `#include <arm_acle.h>
#include <stdint.h>
#include <string.h>
#include "probe.h"
#include "conv_params.h"

MCU_NOINIT int8_t mcu_input[H * W * CIN];
int8_t mcu_output[H * W * COUT];
static int16_t input_offset_x2[2];

static inline int32_t srdhm(int32_t a, int32_t b) {
  int overflow = a == b && a == INT32_MIN;
  int64_t ab = (int64_t)a * (int64_t)b;
  int32_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
  int32_t r = (int32_t)((ab + nudge) / (1ll << 31));
  return overflow ? INT32_MAX : r;
}

static inline int32_t rdbpot(int32_t x, int exponent) {
  int32_t mask = (int32_t)((1ll << exponent) - 1);
  int32_t remainder = x & mask;
  int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

static inline int32_t requantize(int32_t x, int32_t mult, int32_t shift) {
  int left = shift > 0 ? shift : 0;
  int right = shift > 0 ? 0 : -shift;
  return rdbpot(srdhm((int32_t)((uint32_t)x << left), mult), right);
}

/* gcc 12's arm_acle.h has no __ror; gcc folds this rotate into SXTB16's ROR #8. */
static inline uint32_t ror8(uint32_t x) { return (x >> 8) | (x << 24); }

static inline uint32_t load32(const int8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

/* Output rows [y0, y1). */
static void conv_rows(int y0, int y1) {
  uint32_t offset2;
  memcpy(&offset2, input_offset_x2, 4);
  for (int y = y0; y < y1; y++) {
    for (int x = 0; x < W; x++) {
      for (int oc = 0; oc < COUT; oc++) {
        int32_t acc = bias[oc];
        for (int ky = 0; ky < 3; ky++) {
          int iy = y + ky - 1;
          if (iy < 0 || iy >= H) continue;
          for (int kx = 0; kx < 3; kx++) {
            int ix = x + kx - 1;
            if (ix < 0 || ix >= W) continue;
            const int8_t *in = &mcu_input[(iy * W + ix) * CIN];
            const int8_t *f = &filter[((oc * 3 + ky) * 3 + kx) * CIN];
            int c = 0;
            for (; c + 4 <= CIN; c += 4) {
              uint32_t iv = load32(in + c);
              uint32_t fv = load32(f + c);
              uint32_t i02 = __sadd16(__sxtb16(iv), offset2);
              uint32_t i13 = __sadd16(__sxtb16(ror8(iv)), offset2);
              uint32_t f02 = __sxtb16(fv);
              uint32_t f13 = __sxtb16(ror8(fv));
              acc = __smlad(i02, f02, acc);
              acc = __smlad(i13, f13, acc);
            }
            for (; c < CIN; c++) acc += (in[c] + INPUT_OFFSET) * f[c];
          }
        }
        acc = requantize(acc, multiplier[oc], shift[oc]) + OUTPUT_OFFSET;
        if (acc < ACT_MIN) acc = ACT_MIN;
        if (acc > ACT_MAX) acc = ACT_MAX;
        mcu_output[(y * W + x) * COUT + oc] = (int8_t)acc;
      }
    }
  }
}

int main(void) {
  MCU_PROBE(MCU_MARK_INIT_BEGIN);
  input_offset_x2[0] = INPUT_OFFSET;
  input_offset_x2[1] = INPUT_OFFSET;
  MCU_PROBE(MCU_MARK_INIT_END);
  for (int r = 0; r < REPEAT; r++) {
    MCU_PROBE(MCU_MARK_INFERENCE_BEGIN);
    MCU_PROBE(MCU_MARK_LAYER_BEGIN(0));
    conv_rows(0, H / 2);
    MCU_PROBE(MCU_MARK_LAYER_END(0));
    MCU_PROBE(MCU_MARK_LAYER_BEGIN(1));
    conv_rows(H / 2, H);
    MCU_PROBE(MCU_MARK_LAYER_END(1));
    MCU_PROBE(MCU_MARK_INFERENCE_END);
  }
  return 0;
}
`;

/**
 * Generate a convolution case: C sources for `buildFirmware`, the input bytes and the expected
 * output computed in TypeScript with TFLite's reference integer arithmetic.
 */
export function convCase(spec: ConvSpec): ConvCase {
  const { height: h, width: w, inChannels: cin, outChannels: cout } = spec;
  const next = rng(spec.seed);
  const int8 = () => (next() % 256) - 128;
  const input = Int8Array.from({ length: h * w * cin }, int8);
  const filter = Int8Array.from({ length: cout * 9 * cin }, () => int8() | 0);
  const bias = Int32Array.from({ length: cout }, () => (next() % 20001) - 10000);
  const multiplier = Int32Array.from({ length: cout }, () => (1 << 30) + (next() % (1 << 30)));
  const shift = Int32Array.from({ length: cout }, (_, i) => i === 0 ? 1 : -9 - (next() % 6));
  const inputOffset = 128 - 1 - (next() % 20); // -(input zero point)
  const outputOffset = (next() % 21) - 10;
  const actMin = -128;
  const actMax = 127;

  const expected = new Int8Array(h * w * cout);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let oc = 0; oc < cout; oc++) {
        let acc = bias[oc]!;
        for (let ky = 0; ky < 3; ky++) {
          const iy = y + ky - 1;
          if (iy < 0 || iy >= h) continue;
          for (let kx = 0; kx < 3; kx++) {
            const ix = x + kx - 1;
            if (ix < 0 || ix >= w) continue;
            for (let c = 0; c < cin; c++) {
              const iv = input[(iy * w + ix) * cin + c]!;
              const fv = filter[((oc * 3 + ky) * 3 + kx) * cin + c]!;
              acc = (acc + (iv + inputOffset) * fv) | 0;
            }
          }
        }
        let out = multiplyByQuantizedMultiplier(acc, multiplier[oc]!, shift[oc]!) + outputOffset;
        out = Math.min(actMax, Math.max(actMin, out));
        expected[(y * w + x) * cout + oc] = out;
      }
    }
  }

  const params = `/* Generated by emulator/_conv_fixture.ts (seed ${spec.seed}). */
#define H ${h}
#define W ${w}
#define CIN ${cin}
#define COUT ${cout}
#define REPEAT ${spec.repeat ?? 1}
#define INPUT_OFFSET ${inputOffset}
#define OUTPUT_OFFSET ${outputOffset}
#define ACT_MIN ${actMin}
#define ACT_MAX ${actMax}
${cArray("int8_t", "filter", filter)}${cArray("int32_t", "bias", bias)}${
    cArray("int32_t", "multiplier", multiplier)
  }${cArray("int32_t", "shift", shift)}`;

  return {
    spec,
    sources: {
      name: `conv3x3_${h}x${w}x${cin}_${cout}`,
      files: { "conv.c": KERNEL_C, "conv_params.h": params },
    },
    input: new Uint8Array(input.buffer),
    expected: new Uint8Array(expected.buffer),
    inputOffset,
    outputOffset,
  };
}
