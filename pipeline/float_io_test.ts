/**
 * fixtures/firmware/float_io.h (the float boundary of both engines) equals the reference QUANTIZE
 * and DEQUANTIZE bit for bit, on random values, rounding ties, out-of-range values, infinities
 * and NaN, at no more than 12 instructions per element on a Cortex-M7 and a Cortex-M4.
 */
import assert from "node:assert/strict";
import { getBoard } from "../engine/target/mod.ts";
import { buildFirmware } from "../engine/build/mod.ts";
import { dequantizeValue, quantizeValue } from "../engine/quant/mod.ts";
import { createRng } from "../engine/util/mod.ts";
import { runFirmware } from "../emulator/mod.ts";

const N = 4096;

/** One firmware per (scale, zero point): the constants are literals, as tinyengine emits them. */
function main(scale: number, zp: number): string {
  return `
#include "probe.h"
#include "float_io.h"
#define N ${N}
MCU_NOINIT float mcu_input[N];
MCU_NOINIT int8_t mcu_q_in[N];
int8_t mcu_q[N];
float mcu_f[N];
__attribute__((noinline)) void quantize_all(const float *x, int8_t *q) {
  mcu_quantize_f32_array(x, q, N, ${Math.fround(scale).toPrecision(17)}f, ${zp});
}
__attribute__((noinline)) void dequantize_all(const int8_t *q, float *x) {
  mcu_dequantize_i8_array(q, x, N, ${Math.fround(scale).toPrecision(17)}f, ${zp});
}
int main(void) {
  MCU_PROBE(MCU_MARK_LAYER_BEGIN(0));
  quantize_all(mcu_input, mcu_q);
  MCU_PROBE(MCU_MARK_LAYER_END(0));
  MCU_PROBE(MCU_MARK_LAYER_BEGIN(1));
  dequantize_all(mcu_q_in, mcu_f);
  MCU_PROBE(MCU_MARK_LAYER_END(1));
  return 0;
}
`;
}

/** Inputs: random spreads, exact ties k + 0.5 (times the scale), their float neighbours, values
 * far out of range, +-0, infinities, NaN and subnormals. */
function inputs(scale: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const s = Math.fround(scale);
  const x = new Float32Array(N);
  const tie = new Float32Array(1);
  const bits = new Uint32Array(tie.buffer);
  for (let i = 0; i < N; i++) {
    const kind = i % 6;
    if (kind === 0) x[i] = (rng.next() - 0.5) * 300 * s;
    else if (kind === 1) x[i] = (rng.int(600) - 300 + 0.5) * s;
    else if (kind === 2 || kind === 3) {
      tie[0] = (rng.int(600) - 300 + 0.5) * s;
      bits[0] = bits[0]! + (kind === 2 ? 1 : -1);
      x[i] = tie[0]!;
    } else if (kind === 4) x[i] = (rng.next() - 0.5) * 10 ** (rng.int(40) - 5);
    else x[i] = (rng.int(40) - 20 + 0.5) * s * (1 + (rng.next() - 0.5) * 1e-6);
  }
  x.set([0, -0, Infinity, -Infinity, NaN, 1e-45, -1e-45, 3e38, -3e38, 0.5 * s, -0.5 * s], 0);
  x.set([Math.fround(0.49999997) * s, 2147483520 * s, -2147483648 * s, 1e10 * s, -1e10 * s], 11);
  return x;
}

for (const board of ["stm32f746", "stm32f412"]) {
  Deno.test(`float_io.h QUANTIZE and DEQUANTIZE are bit-exact, <= 12 instructions per element, on ${board}`, async () => {
    const cases = [[0.0078125, 0], [0.02352941, -128], [0.1, 5], [3.7e-5, 127], [
      17.5,
      -3,
    ]] as const;
    for (const [scale, zp] of cases) {
      const image = await buildFirmware(
        { name: "float_io_test", files: { "main.c": main(scale, zp) } },
        { board: getBoard(board), cacheDir: ".cache/firmware" },
      );
      const x = inputs(scale, Math.round(scale * 1e6) + zp);
      const qIn = new Int8Array(N).map((_, i) => ((i * 37) % 256) - 128);
      const run = runFirmware({ elf: image.elf, board: getBoard(board) }, {
        inputs: {
          mcu_input: new Uint8Array(x.buffer),
          mcu_q_in: new Uint8Array(qIn.buffer),
        },
        outputs: ["mcu_q", "mcu_f"],
      });
      const q = new Int8Array(run.outputs.mcu_q!.slice().buffer);
      const f = new Float32Array(run.outputs.mcu_f!.slice().buffer);
      for (let i = 0; i < N; i++) {
        assert.equal(
          q[i],
          quantizeValue(x[i]!, scale, zp),
          `QUANTIZE ${x[i]} scale ${scale} zp ${zp}`,
        );
        assert.ok(Object.is(f[i], dequantizeValue(qIn[i]!, scale, zp)), `DEQUANTIZE ${qIn[i]}`);
      }
      const per = run.layers.map((l) => l.instructions / N);
      assert.ok(per[0]! <= 12, `QUANTIZE costs ${per[0]} instructions per element on ${board}`);
      assert.ok(per[1]! <= 12, `DEQUANTIZE costs ${per[1]} instructions per element on ${board}`);
    }
  });
}
