/**
 * The firmware's int16 sigmoid and tanh (fixtures/firmware/recurrent.h) equal the reference's
 * (engine/quant/int16_activation.ts) on every int16 input, for the tanh rescalings cell state
 * scales from 2^-16 to 2^-9 give: a rounding slip in one table interval would change only a few
 * of the values a model computes, so the functions are compared whole.
 */
import assert from "node:assert/strict";
import { getBoard } from "../engine/target/mod.ts";
import { buildFirmware } from "../engine/build/mod.ts";
import { sigmoidInt16, tanhInt16 } from "../engine/quant/mod.ts";
import { runFirmware } from "../emulator/mod.ts";

/** (multiplier, left shift) of the tanh for a cell state of scale 2^power, as Prepare sets it. */
const TANH_RESCALES = [-16, -12, -11, -9].map((power) => {
  const shift = 15 + power - 3;
  return shift < 0 ? [3, -shift] : [3 << shift, 0];
});

const MAIN = `
#include "probe.h"
#include "recurrent.h"
uint32_t mcu_output[${1 + TANH_RESCALES.length}];
static uint32_t mix(uint32_t h, int32_t v) { return (h ^ (uint32_t)(v & 0xFFFF)) * 16777619u; }
int main(void) {
  static const int32_t rescale[][2] = {${TANH_RESCALES.map(([m, s]) => `{${m}, ${s}}`).join(", ")}};
  uint32_t h = 2166136261u;
  for (int32_t x = -32768; x <= 32767; x++) h = mix(h, mcu_sigmoid_s16(x));
  mcu_output[0] = h;
  for (int k = 0; k < ${TANH_RESCALES.length}; k++) {
    h = 2166136261u;
    for (int32_t x = -32768; x <= 32767; x++) h = mix(h, mcu_tanh_s16(x, rescale[k][0], rescale[k][1]));
    mcu_output[1 + k] = h;
  }
  return 0;
}
`;

function fnv(values: (x: number) => number): number {
  let h = 2166136261;
  for (let x = -32768; x <= 32767; x++) h = Math.imul(h ^ (values(x) & 0xffff), 16777619) >>> 0;
  return h;
}

Deno.test("firmware int16 sigmoid and tanh equal the reference on every input", async () => {
  const board = getBoard("stm32f412");
  const image = await buildFirmware({ name: "recurrent_arithmetic", files: { "main.c": MAIN } }, {
    board,
  });
  const run = runFirmware({ elf: image.elf, board }, { inputs: {}, outputs: ["mcu_output"] });
  const got = Array.from(new Uint32Array(run.outputs.mcu_output!.slice().buffer));
  const want = [
    fnv(sigmoidInt16),
    ...TANH_RESCALES.map(([m, s]) => fnv((x) => tanhInt16(x, m!, s!))),
  ];
  assert.deepEqual(got, want);
});
