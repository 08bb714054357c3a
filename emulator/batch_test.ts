import assert from "node:assert/strict";
import { getBoard } from "../engine/target/mod.ts";
import { buildFirmware } from "../engine/build/mod.ts";
import type { FirmwareImage } from "../engine/target/mod.ts";
import { runFirmwareBatch } from "./batch.ts";
import { BudgetExceededError, EmulationFault, FirmwareError } from "./errors.ts";
import { buildNativeHelper } from "./native/build.ts";
import { runFirmware } from "./run.ts";

// Needs arm-none-eabi-gcc, libunicorn and the host cc (ToolchainError naming `deno task setup`).
await buildNativeHelper();

const M7 = getBoard("stm32f746");
const M4 = getBoard("stm32f412");

/*
 * A batch harness whose "inference" hashes its 4 input bytes, loops input[0] more times (so the
 * count depends on the input), and misbehaves on request: input[1] = 0xEE writes to unmapped
 * memory, 0xDD loops forever, 0xCC makes main return 7.
 */
const HARNESS = `#include <stdint.h>
#include "probe.h"
MCU_NOINIT volatile uint8_t mcu_input[4];
volatile uint32_t mcu_output[1];
__attribute__((noinline)) static uint32_t infer(void) {
  uint32_t s = 0;
  for (int i = 0; i < 4; i++) s = s * 31u + mcu_input[i];
  for (uint32_t k = 0; k < mcu_input[0]; k++) { s = s * 7u + k; __asm__ volatile(""); }
  if (mcu_input[1] == 0xEE) *(volatile uint32_t *)0x60000000u = s;
  if (mcu_input[1] == 0xDD) for (;;) __asm__ volatile("");
  return s;
}
int main(void) {
  MCU_PROBE(MCU_MARK_INIT_BEGIN);
  mcu_output[0] = 0;
  MCU_PROBE(MCU_MARK_INIT_END);
  while (mcu_batch_next()) {
    if (mcu_input[1] == 0xCC) return 7;
    MCU_PROBE(MCU_MARK_INFERENCE_BEGIN);
    mcu_output[0] = infer();
    MCU_PROBE(MCU_MARK_INFERENCE_END);
  }
  return 0;
}
`;

function expected(input: Uint8Array): number {
  let s = 0;
  for (const b of input) s = (Math.imul(s, 31) + b) >>> 0;
  for (let k = 0; k < input[0]!; k++) s = (Math.imul(s, 7) + k) >>> 0;
  return s;
}

const images = new Map<string, FirmwareImage>();
async function harness(board = M7): Promise<FirmwareImage> {
  const have = images.get(board.name);
  if (have) return have;
  const fw = await buildFirmware({ name: "batch", files: { "main.c": HARNESS } }, { board });
  images.set(board.name, fw);
  return fw;
}

const word = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset).getUint32(0, true);

for (const board of [M7, M4]) {
  Deno.test(`one batch firmware on ${board.name} runs every input once, in order, with its own count`, async () => {
    const fw = await harness(board);
    const inputs = Array.from({ length: 50 }, (_, i) => new Uint8Array([i % 13, i, 255 - i, 7]));
    let progress = 0;
    const r = runFirmwareBatch(fw, {
      count: inputs.length,
      input: (i) => ({ mcu_input: inputs[i]! }),
      outputs: ["mcu_output"],
      onProgress: (done, total) => {
        assert.ok(done > progress && total === 50);
        progress = done;
      },
    });
    assert.equal(progress, 50);
    assert.equal(r.exitStatus, 0);
    assert.equal(r.cpuModel, board.core === "cortex-m7" ? 10 : 9);
    assert.deepEqual(r.outputs.map((o) => word(o.mcu_output!)), inputs.map(expected));
    assert.equal(r.inferenceInstructions.length, 50);
    // The count depends on input[0] only (the extra loop), and grows with it.
    const byFirst = new Map<number, number>();
    inputs.forEach((input, i) => {
      const n = r.inferenceInstructions[i]!;
      assert.equal(byFirst.get(input[0]!) ?? n, n, `input ${i}`);
      byFirst.set(input[0]!, n);
    });
    const sorted = [...byFirst.entries()].sort((a, b) => a[0] - b[0]).map(([, n]) => n);
    sorted.slice(1).forEach((n, i) => assert.ok(n > sorted[i]!, `${sorted}`));
    assert.ok(r.initInstructions > 0);
    assert.ok(r.totalInstructions > r.inferenceInstructions.reduce((s, n) => s + n, 0));
    assert.ok(r.sram.stackBytes > 0);
  });
}

Deno.test("unserviced, a batch firmware runs no inference; equal inputs count equally in a batch", async () => {
  const fw = await harness();
  const input = new Uint8Array([9, 1, 2, 3]);
  const single = runFirmware(fw, { inputs: { mcu_input: input } });
  // Unserviced, mcu_batch_next() returns 0: no inference at all.
  assert.equal(single.inferences, 0);
  const batch = runFirmwareBatch(fw, {
    count: 3,
    input: () => ({ mcu_input: input }),
    outputs: ["mcu_output"],
  });
  assert.deepEqual(batch.inferenceInstructions, [
    batch.inferenceInstructions[0],
    batch.inferenceInstructions[0],
    batch.inferenceInstructions[0],
  ]);
  assert.equal(batch.initInstructions, single.initInstructions);
});

Deno.test("an empty batch initialises and halts", async () => {
  const r = runFirmwareBatch(await harness(), { count: 0, input: () => ({}), outputs: [] });
  assert.equal(r.outputs.length, 0);
  assert.equal(r.inferenceInstructions.length, 0);
  assert.ok(r.initInstructions > 0);
});

Deno.test("a fault in a batch names the input it happened on", async () => {
  const fw = await harness();
  const inputs = [[1, 0, 0, 0], [2, 0, 0, 0], [3, 0xee, 0, 0], [4, 0, 0, 0]].map((a) =>
    new Uint8Array(a)
  );
  assert.throws(
    () =>
      runFirmwareBatch(fw, {
        count: 4,
        input: (i) => ({ mcu_input: inputs[i]! }),
        outputs: ["mcu_output"],
      }),
    (e: unknown) => {
      assert.ok(e instanceof EmulationFault);
      assert.equal(e.input, 2);
      assert.equal(e.address, 0x60000000);
      assert.match(e.message, /of input 2: invalid memory write.* at 0x60000000 in infer/);
      return true;
    },
  );
});

Deno.test("the instruction budget holds per inference, not for the whole batch", async () => {
  const fw = await harness();
  const input = new Uint8Array([200, 0, 0, 0]);
  const one = runFirmwareBatch(fw, {
    count: 1,
    input: () => ({ mcu_input: input }),
    outputs: [],
  }).inferenceInstructions[0]!;
  // 40 inferences of `one` instructions each run far past a budget of 2 * one in total.
  const r = runFirmwareBatch(fw, {
    count: 40,
    input: () => ({ mcu_input: input }),
    outputs: [],
    budget: one * 2,
  });
  assert.equal(r.inferenceInstructions.length, 40);
  const looping = [input, input, new Uint8Array([1, 0xdd, 0, 0])];
  assert.throws(
    () =>
      runFirmwareBatch(fw, {
        count: 3,
        input: (i) => ({ mcu_input: looping[i]! }),
        outputs: [],
        budget: one * 2,
      }),
    (e: unknown) => {
      assert.ok(e instanceof BudgetExceededError);
      assert.equal(e.input, 2);
      assert.match(e.message, /of input 2: the per-input instruction budget of \d+ was exceeded/);
      return true;
    },
  );
});

Deno.test("a firmware that halts before its inputs are done is an error naming the input", async () => {
  const fw = await harness();
  const inputs = [[1, 0, 0, 0], [1, 0xcc, 0, 0]].map((a) => new Uint8Array(a));
  assert.throws(
    () =>
      runFirmwareBatch(fw, {
        count: 2,
        input: (i) => ({ mcu_input: inputs[i]! }),
        outputs: ["mcu_output"],
      }),
    (e: unknown) => e instanceof FirmwareError && /input 1: .*halted with status 7/.test(e.message),
  );
});

Deno.test("a firmware without the batch harness is refused with a hint", async () => {
  const single = `#include "probe.h"\nint main(void) { return 0; }\n`;
  const fw = await buildFirmware({ name: "single", files: { "main.c": single } }, { board: M7 });
  assert.throws(
    () => runFirmwareBatch(fw, { count: 1, input: () => ({}), outputs: [] }),
    (e: unknown) => e instanceof FirmwareError && /no mcu_batch_next.*harness/.test(e.message),
  );
  assert.throws(
    () => runFirmwareBatch(fw, { count: -1, input: () => ({}), outputs: [] }),
    RangeError,
  );
});
