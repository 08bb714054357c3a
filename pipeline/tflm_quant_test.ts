/**
 * The runtime's init-time arithmetic (runtime/quant.c, soft double on the target) equals
 * engine/reference/quant.ts bit for bit.
 */
import assert from "node:assert/strict";
import { getBoard } from "../engine/target/mod.ts";
import { buildFirmware } from "../engine/build/mod.ts";
import {
  activationRange,
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
  roundHalfAwayFromZero,
} from "../engine/quant/mod.ts";
import type { Activation } from "../engine/ir/mod.ts";
import { createRng } from "../engine/util/mod.ts";
import { runFirmware } from "../emulator/mod.ts";

const N = 2000;

const MAIN = `
#include <string.h>
#include "probe.h"
#include "tflm.h"
#define N ${N}
MCU_NOINIT double mcu_input[N];
MCU_NOINIT int32_t mcu_act[N];
int32_t mcu_output[6 * N];
int main(void) {
  for (int i = 0; i < N; i++) {
    int32_t m, s;
    tflm_quantize_multiplier(mcu_input[i], &m, &s);
    mcu_output[6 * i] = m;
    mcu_output[6 * i + 1] = s;
    double r = tflm_round(mcu_input[i] * 1e6);
    mcu_output[6 * i + 2] = (int32_t)(r > 2e9 ? 2e9 : (r < -2e9 ? -2e9 : r));
    int32_t lo, hi;
    tflm_activation_range(mcu_act[i] & 3, mcu_input[i], (mcu_act[i] >> 8), &lo, &hi);
    mcu_output[6 * i + 3] = lo;
    mcu_output[6 * i + 4] = hi;
    mcu_output[6 * i + 5] = 0;
  }
  return 0;
}
`;

const ACTS: readonly Activation[] = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"];

Deno.test("runtime quantize_multiplier, round and activation range equal the reference bit for bit", async () => {
  const rng = createRng(99);
  const values = new Float64Array(N);
  const acts = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    // Scales as models have them (float32), products and quotients of them, and edge cases.
    const a = Math.fround(10 ** (-6 + rng.next() * 6));
    const b = Math.fround(10 ** (-4 + rng.next() * 4));
    const c = Math.fround(10 ** (-3 + rng.next() * 4));
    const kind = i % 5;
    values[i] = kind === 0
      ? a
      : kind === 1
      ? a * b / c
      : kind === 2
      ? c
      : kind === 3
      ? 1 / c
      : a * c;
    acts[i] = (rng.int(4)) | ((rng.int(61) - 30) << 8);
  }
  // Every seventh value negative (a negative per-channel weight scale), plus the edges of both
  // signs: TFLite halves a rounded +2^31 but keeps -2^31 (INT32_MIN) for a negative multiplier.
  for (let i = 3; i < N; i += 7) values[i] = -values[i]!;
  values.set([0.5, 0.25, 1, 2 ** -31, 2 ** -32, 0.9999999999999999, 1 - 2 ** -33, 1e-12], 0);
  values.set([-0.5, -1, -(1 - 2 ** -33), -0.9999999999999999, -0.0204 * 0.05 / 0.1, -1e-12], 8);
  const board = getBoard("stm32f412");
  const runtime = (f: string) =>
    Deno.readTextFileSync(new URL(`../engine/codegen/tflm/runtime/${f}`, import.meta.url));
  const image = await buildFirmware({
    name: "tflm_quant_test",
    files: { "tflm.h": runtime("tflm.h"), "quant.c": runtime("quant.c"), "main.c": MAIN },
  }, { board });
  const run = runFirmware({ elf: image.elf, board }, {
    inputs: {
      mcu_input: new Uint8Array(values.buffer),
      mcu_act: new Uint8Array(acts.buffer),
    },
    outputs: ["mcu_output"],
  });
  const out = new Int32Array(run.outputs.mcu_output!.slice().buffer);
  for (let i = 0; i < N; i++) {
    const v = values[i]!;
    const q = quantizeMultiplier(v);
    assert.deepEqual([out[6 * i], out[6 * i + 1]], [q.multiplier, q.shift], `multiplier of ${v}`);
    const r = roundHalfAwayFromZero(v * 1e6);
    assert.equal(out[6 * i + 2], Math.max(-2e9, Math.min(2e9, r)) + 0, `round of ${v * 1e6}`);
    const act = ACTS[acts[i]! & 3]!;
    const zp = acts[i]! >> 8;
    const range = activationRange(act, { scale: v, zeroPoint: zp });
    if (v > 0 && Math.fround(v) === v) {
      assert.deepEqual([out[6 * i + 3], out[6 * i + 4]], [range.min, range.max], `${act} ${v}`);
    }
  }
});

const REQUANT_MAIN = `
#include "probe.h"
#include "kernel_util.h"
#define N ${N}
MCU_NOINIT int32_t mcu_input[3 * N];
int32_t mcu_output[2 * N];
int main(void) {
  for (int i = 0; i < N; i++) {
    const int32_t x = mcu_input[3 * i], m = mcu_input[3 * i + 1], s = mcu_input[3 * i + 2];
    mcu_output[2 * i] = tflm_requantize(x, m, s);
    const tflm_rq q = tflm_rq_make(m, s);
    mcu_output[2 * i + 1] = tflm_rq_apply(x, &q);
  }
  return 0;
}
`;

Deno.test("runtime requantization (both forms, multipliers of both signs) equals multiplyByQuantizedMultiplier bit for bit", async () => {
  const rng = createRng(123);
  const triples = new Int32Array(3 * N);
  const extremes = [-2147483648, 2147483647, -1, 0, 1, -1073741824, 1073741823];
  for (let i = 0; i < N; i++) {
    const kind = rng.int(4);
    const x = kind === 0
      ? rng.int(2 ** 32) | 0
      : kind === 1
      ? rng.int(200001) - 100000
      : kind === 2
      ? extremes[rng.int(extremes.length)]!
      : rng.int(2 ** 25) - 2 ** 24;
    // Multipliers of both signs (a negative per-channel weight scale gives a negative one).
    const magnitude = rng.int(8) === 0 ? 0 : 2 ** 30 + rng.int(2 ** 30);
    const m = rng.int(3) === 0 ? -magnitude : magnitude;
    // Mostly right shifts (the fast form), some 0, 1 and small left shifts (with small x).
    const s = rng.int(6) === 0 ? rng.int(4) - 1 : -(2 + rng.int(30));
    triples.set([s > 0 ? x >> 8 : x, m, s], 3 * i);
  }
  const board = getBoard("stm32f746");
  const runtime = (f: string) =>
    Deno.readTextFileSync(new URL(`../engine/codegen/tflm/runtime/${f}`, import.meta.url));
  const image = await buildFirmware({
    name: "tflm_requant_test",
    files: {
      "tflm.h": runtime("tflm.h"),
      "kernel_util.h": runtime("kernel_util.h"),
      "main.c": REQUANT_MAIN,
    },
  }, { board });
  const run = runFirmware({ elf: image.elf, board }, {
    inputs: { mcu_input: new Uint8Array(triples.buffer) },
    outputs: ["mcu_output"],
  });
  const out = new Int32Array(run.outputs.mcu_output!.slice().buffer);
  for (let i = 0; i < N; i++) {
    const [x, m, s] = [triples[3 * i]!, triples[3 * i + 1]!, triples[3 * i + 2]!];
    const want = multiplyByQuantizedMultiplier(x, m, s);
    assert.equal(out[2 * i], want, `requantize(${x}, ${m}, ${s})`);
    assert.equal(out[2 * i + 1], want, `rq_apply(${x}, ${m}, ${s})`);
  }
});
