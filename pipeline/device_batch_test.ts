import assert from "node:assert/strict";
import { getBoard } from "../engine/target/mod.ts";
import { buildFirmware } from "../engine/build/mod.ts";
import { BudgetExceededError, EmulationFault } from "../emulator/mod.ts";
import { buildNativeHelper } from "../emulator/mod.ts";
import { runDeviceBatch } from "./device_batch.ts";

// Needs arm-none-eabi-gcc, libunicorn and the host cc (ToolchainError naming `deno task setup`).
await buildNativeHelper();

/* A batch harness: the "inference" sums its input bytes plus input[0] loop rounds; input[1] =
   0xEE faults, 0xDD loops forever. */
const HARNESS = `#include <stdint.h>
#include "probe.h"
MCU_NOINIT volatile uint8_t mcu_input[4];
volatile uint32_t mcu_output[1];
__attribute__((noinline)) static uint32_t infer(void) {
  uint32_t s = mcu_input[0] + mcu_input[1] * 3u + mcu_input[2] * 5u + mcu_input[3] * 7u;
  for (uint32_t k = 0; k < mcu_input[0]; k++) { s = s * 3u + k; __asm__ volatile(""); }
  if (mcu_input[1] == 0xEE) *(volatile uint32_t *)0x60000000u = s;
  if (mcu_input[1] == 0xDD) for (;;) __asm__ volatile("");
  return s;
}
int main(void) {
  while (mcu_batch_next()) {
    MCU_PROBE(MCU_MARK_INFERENCE_BEGIN);
    mcu_output[0] = infer();
    MCU_PROBE(MCU_MARK_INFERENCE_END);
  }
  return 0;
}
`;
const board = getBoard("stm32f412");
const fw = await buildFirmware({ name: "batch", files: { "main.c": HARNESS } }, { board });
const image = { elf: fw.elf, board };
const inputs = Array.from(
  { length: 30 },
  (_, i) => ({ mcu_input: new Uint8Array([i % 7, i, 2 * i, 100 - i]) }),
);

Deno.test("a batch split over workers gives exactly the one-engine result, in input order", async () => {
  const one = await runDeviceBatch(image, inputs, { outputs: ["mcu_output"], workers: 1 });
  let last = 0;
  const three = await runDeviceBatch(image, inputs, {
    outputs: ["mcu_output"],
    workers: 3,
    onProgress: (done, total) => {
      assert.ok(done >= last && total === 30);
      last = done;
    },
  });
  assert.equal(last, 30);
  assert.deepEqual(three.outputs, one.outputs);
  assert.deepEqual(three.inferenceInstructions, one.inferenceInstructions);
  assert.deepEqual(three.layers, one.layers);
  assert.deepEqual(three.sram, one.sram);
  assert.equal(three.initInstructions, one.initInstructions);
  assert.equal(new Set(one.inferenceInstructions).size, 7); // input[0] = i % 7 sets the count
});

Deno.test("an error in a worker keeps its class and names the input in the whole batch", async () => {
  const faulty = inputs.map((x, i) =>
    i === 23 ? { mcu_input: new Uint8Array([1, 0xee, 0, 0]) } : x
  );
  await assert.rejects(
    () => runDeviceBatch(image, faulty, { outputs: ["mcu_output"], workers: 3 }),
    (e: unknown) => e instanceof EmulationFault && e.input === 23 && /input 23/.test(e.message),
  );
  // Two slices fail; the error is always the earlier input's.
  const looping = faulty.map((x, i) =>
    i === 4 ? { mcu_input: new Uint8Array([1, 0xdd, 0, 0]) } : x
  );
  await assert.rejects(
    () => runDeviceBatch(image, looping, { outputs: [], workers: 3, budget: 100_000 }),
    (e: unknown) => e instanceof BudgetExceededError && e.input === 4,
  );
});
