import assert from "node:assert/strict";
import { type Board, getBoard } from "../engine/target/mod.ts";
import { buildFirmware } from "../engine/build/mod.ts";
import type { FirmwareImage } from "../engine/target/mod.ts";
import { convCase } from "./_conv_fixture.ts";
import { BudgetExceededError, EmulationFault, FirmwareError, MarkerError } from "./errors.ts";
import { buildNativeHelper } from "./native/build.ts";
import { MARK, runFirmware, summarizeMarkers } from "./run.ts";

// Needs arm-none-eabi-gcc, libunicorn and the host cc: both calls below fail with a
// ToolchainError naming `deno task setup` when something is missing.
await buildNativeHelper();

const M7 = getBoard("stm32f746");
const M4 = getBoard("stm32f412");
const CONV = convCase({ height: 12, width: 12, inChannels: 8, outChannels: 16, seed: 42 });

function build(files: Record<string, string>, board: Board = M7): Promise<FirmwareImage> {
  return buildFirmware({ name: "t", files }, { board });
}

for (const board of [M7, M4]) {
  Deno.test(`a 3x3 int8 SMLAD convolution on ${board.name} equals the TypeScript computation bit for bit`, async () => {
    const fw = await buildFirmware(CONV.sources, { board });
    const r = runFirmware(fw, { inputs: { mcu_input: CONV.input }, outputs: ["mcu_output"] });
    assert.equal(r.cpuModel, board.core === "cortex-m7" ? 10 : 9);
    assert.equal(r.halt, "mcu_halt");
    assert.equal(r.exitStatus, 0);
    assert.deepEqual(r.outputs["mcu_output"], CONV.expected);
    assert.ok(r.inferenceInstructions > 100_000, `${r.inferenceInstructions} instructions`);
    assert.ok(r.inferenceInstructions < r.totalInstructions);
    assert.equal(r.sram.staticBytes, r.sram.dataBytes + r.sram.bssBytes + r.sram.noinitBytes);
    assert.equal(r.sram.noinitBytes, CONV.input.length);
    assert.ok(r.sram.stackBytes > 0 && r.sram.stackBytes < 1024, `${r.sram.stackBytes}`);
    assert.equal(r.sram.peakBytes, r.sram.staticBytes + r.sram.stackBytes);
    assert.deepEqual(r.flash.sections, fw.sections);
    assert.equal(r.flash.bytes, fw.flashBytes);
  });
}

Deno.test("two runs of the same firmware give identical instruction counts and SRAM figures", async () => {
  const fw = await buildFirmware(CONV.sources, { board: M7 });
  const run = () =>
    runFirmware(fw, { inputs: { mcu_input: CONV.input }, outputs: ["mcu_output"], profile: true });
  const a = run();
  const b = run();
  assert.deepEqual(b, a);
});

Deno.test("per-layer counts add up to no more than the inference total and markers come in order", async () => {
  const fw = await buildFirmware(CONV.sources, { board: M7 });
  const r = runFirmware(fw, { inputs: { mcu_input: CONV.input } });
  assert.deepEqual(r.markers.map((m) => m.code), [
    MARK.INIT_BEGIN,
    MARK.INIT_END,
    MARK.INFERENCE_BEGIN,
    MARK.LAYER_BEGIN | 0,
    MARK.LAYER_END | 0,
    MARK.LAYER_BEGIN | 1,
    MARK.LAYER_END | 1,
    MARK.INFERENCE_END,
  ]);
  for (let i = 1; i < r.markers.length; i++) {
    assert.ok(r.markers[i]!.instructions >= r.markers[i - 1]!.instructions);
  }
  assert.deepEqual(r.layers.map((l) => l.index), [0, 1]);
  assert.equal(r.inferences, 1);
  const layerSum = r.layers.reduce((s, l) => s + l.instructions, 0);
  assert.ok(layerSum <= r.inferenceInstructions, `${layerSum} > ${r.inferenceInstructions}`);
  // The two halves of the image cost about the same.
  const [l0, l1] = r.layers;
  assert.ok(Math.abs(l0!.instructions - l1!.instructions) < l0!.instructions * 0.05);
  assert.ok(r.initInstructions > 0 && r.initInstructions < 20);
  assert.ok(r.inferenceInstructions + r.initInstructions < r.totalInstructions);
});

Deno.test("a marker is stamped with the instructions up to and including the store and its branch", async () => {
  const fw = await build({
    "main.c": `#include "probe.h"
int main(void) {
  MCU_PROBE(MCU_MARK_INFERENCE_BEGIN);
  MCU_PROBE(MCU_MARK_INFERENCE_END);
  return 3;
}
`,
  });
  const r = runFirmware(fw);
  assert.equal(r.exitStatus, 3);
  const [begin, end] = r.markers;
  // The second marker is a store plus a branch (the address register is already loaded).
  assert.equal(end!.instructions - begin!.instructions, r.inferenceInstructions);
  assert.ok(
    r.inferenceInstructions >= 2 && r.inferenceInstructions <= 4,
    `${r.inferenceInstructions}`,
  );
});

Deno.test("the MMIO probe and the write-hook probe record the same markers", async () => {
  const fw = await buildFirmware(CONV.sources, { board: M4 });
  const opts = { inputs: { mcu_input: CONV.input }, outputs: ["mcu_output"] };
  const mmio = runFirmware(fw, { ...opts, probe: "mmio" });
  const hook = runFirmware(fw, { ...opts, probe: "hook" });
  assert.deepEqual(hook, mmio);
});

Deno.test("the profile attributes the instructions to the functions that ran them", async () => {
  const fw = await buildFirmware(CONV.sources, { board: M7 });
  const r = runFirmware(fw, { inputs: { mcu_input: CONV.input }, profile: true, profileTop: 3 });
  assert.equal(r.profile?.length, 3);
  assert.equal(r.profile?.[0]?.symbol, "conv_rows");
  assert.ok((r.profile?.[0]?.share ?? 0) > 0.9);
  const total = r.profile!.reduce((s, p) => s + p.instructions, 0);
  assert.ok(total <= r.totalInstructions);
});

Deno.test("a deeper stack raises the measured stack high-water mark", async () => {
  const source = (n: number, staticBytes = 4) =>
    `#include <stdint.h>
#include <string.h>
int8_t sink[${staticBytes}];
__attribute__((noinline)) static void use(volatile int8_t *buf, int n) {
  for (int i = 0; i < n; i++) buf[i] = (int8_t)i;
  sink[0] = buf[n - 1];
}
int main(void) {
  volatile int8_t buf[${n}];
  use(buf, ${n});
  return 0;
}
`;
  const small = runFirmware(await build({ "main.c": source(64) }));
  const large = runFirmware(await build({ "main.c": source(4096) }));
  assert.ok(large.sram.stackBytes - small.sram.stackBytes >= 4096 - 64);
  assert.ok(large.sram.stackBytes < 4096 + 256, `${large.sram.stackBytes}`);
  assert.equal(large.sram.stackReachedStatic, false);
  // On a board whose SRAM is too small for that stack, the run reports the collision.
  const tiny = { ...M7, name: "tiny", sram: { base: M7.sram.base, size: 4096 } };
  const fw = await build({ "main.c": source(2400, 2048) }, tiny);
  assert.equal(runFirmware(fw).sram.stackReachedStatic, true);
});

Deno.test("an invalid memory access is an EmulationFault naming the function and address", async () => {
  const fw = await build({
    "main.c": `#include <stdint.h>
__attribute__((noinline)) int poke_unmapped(int v) {
  *(volatile uint32_t *)0x60000000u = (uint32_t)v;
  return v;
}
int main(void) { return poke_unmapped(5); }
`,
  });
  assert.throws(() => runFirmware(fw), (e: unknown) => {
    assert.ok(e instanceof EmulationFault);
    assert.match(e.symbol, /^poke_unmapped/);
    assert.equal(e.address, 0x60000000);
    assert.equal(e.access, "write (unmapped)");
    assert.match(e.message, /poke_unmapped/);
    assert.match(e.message, /0x60000000/);
    return true;
  });
});

Deno.test("a write to Flash is an EmulationFault", async () => {
  const fw = await build({
    "main.c": `#include <stdint.h>
int main(void) { *(volatile uint32_t *)0x08000100u = 1; return 0; }
`,
  });
  assert.throws(() => runFirmware(fw), (e: unknown) => {
    assert.ok(e instanceof EmulationFault);
    assert.equal(e.address, 0x08000100);
    assert.equal(e.symbol.startsWith("main"), true);
    return true;
  });
});

Deno.test("an undefined instruction is an EmulationFault, not a halt", async () => {
  const fw = await build({ "main.c": "int main(void) { __builtin_trap(); }\n" });
  assert.throws(() => runFirmware(fw), (e: unknown) => {
    assert.ok(e instanceof EmulationFault);
    assert.match(e.symbol, /^main/);
    return true;
  });
});

Deno.test("an infinite loop ends with BudgetExceededError instead of hanging", async () => {
  const fw = await build({
    "main.c": `volatile int spin = 1;
__attribute__((noinline)) void forever(void) { while (spin) {} }
int main(void) { forever(); return 0; }
`,
  });
  assert.throws(() => runFirmware(fw, { budget: 1_000_000 }), (e: unknown) => {
    assert.ok(e instanceof BudgetExceededError);
    assert.equal(e.budget, 1_000_000);
    assert.ok(e.instructions > 1_000_000 && e.instructions < 1_000_100, `${e.instructions}`);
    assert.match(e.symbol, /^forever/);
    assert.match(e.message, /budget of 1000000/);
    return true;
  });
});

Deno.test("firmware without mcu_halt is refused before it runs", async () => {
  const fw = await build({ "main.c": "int main(void) { return 0; }\n" });
  const elf = fw.elf.slice();
  const name = new TextEncoder().encode("mcu_halt\0");
  let renamed = 0;
  outer: for (let i = 0; i + name.length <= elf.length; i++) {
    for (let k = 0; k < name.length; k++) if (elf[i + k] !== name[k]) continue outer;
    elf[i + 7] = 0x5f; // "mcu_hal_"
    renamed++;
  }
  assert.ok(renamed > 0);
  assert.throws(() => runFirmware({ elf, board: M7 }), (e: unknown) => {
    assert.ok(e instanceof FirmwareError);
    assert.match(e.message, /no mcu_halt/);
    return true;
  });
});

Deno.test("inputs must name a MCU_NOINIT symbol they fit into", async () => {
  const fw = await buildFirmware(CONV.sources, { board: M7 });
  assert.throws(
    () => runFirmware(fw, { inputs: { mcu_input: new Uint8Array(CONV.input.length + 1) } }),
    /do not fit/,
  );
  assert.throws(() => runFirmware(fw, { inputs: { nope: new Uint8Array(1) } }), FirmwareError);
  assert.throws(
    () => runFirmware(fw, { inputs: { mcu_output: new Uint8Array(4) } }),
    /startup overwrites/,
  );
  assert.throws(() => runFirmware(fw, { outputs: ["nope"] }), /Cannot read output 'nope'/);
});

Deno.test("summarizeMarkers pairs regions and rejects unpaired markers", () => {
  const m = (code: number, instructions: number) => ({ code, instructions });
  const s = summarizeMarkers([
    m(MARK.INFERENCE_BEGIN, 10),
    m(MARK.LAYER_BEGIN | 7, 12),
    m(MARK.LAYER_END | 7, 40),
    m(0x777, 41),
    m(MARK.INFERENCE_END, 50),
  ]);
  assert.deepEqual(s, {
    initInstructions: 0,
    inferenceInstructions: 40,
    inferences: 1,
    layers: [{ index: 7, instructions: 28, occurrences: 1 }],
  });
  assert.throws(() => summarizeMarkers([m(MARK.LAYER_END | 1, 3)]), MarkerError);
  assert.throws(() => summarizeMarkers([m(MARK.INIT_BEGIN, 3)]), /never ended/);
  assert.throws(
    () => summarizeMarkers([m(MARK.INFERENCE_BEGIN, 1), m(MARK.INFERENCE_BEGIN, 2)]),
    /again/,
  );
});

Deno.test("instruction counts are exact: 16- and 32-bit instructions and IT-skipped ones all count", async () => {
  // kernel executes 2 + 3 * n + 5 instructions whichever way the IT block goes.
  const source = (n: number, compare: number) =>
    `#include "probe.h"
__attribute__((naked, noinline)) void kernel(void) {
  __asm__ volatile(
      "movs r0, #0\\n"
      "movw r1, #${n}\\n"
      "1: adds r0, r0, #1\\n"
      "subs r1, r1, #1\\n"
      "bne 1b\\n"
      "cmp r0, #${compare}\\n"
      "ite eq\\n"
      "movweq r2, #1000\\n"
      "movne r2, #2\\n"
      "bx lr\\n");
}
int main(void) {
  MCU_PROBE(MCU_MARK_INFERENCE_BEGIN);
  kernel();
  MCU_PROBE(MCU_MARK_INFERENCE_END);
  return 0;
}
`;
  const measure = async (n: number, compare: number) => {
    const r = runFirmware(await build({ "main.c": source(n, compare) }), { profile: true });
    const kernel = r.profile?.find((p) => p.symbol === "kernel");
    return { inference: r.inferenceInstructions, kernel: kernel?.instructions };
  };
  const a = await measure(100, 100);
  const b = await measure(200, 100);
  const c = await measure(100, 7);
  assert.equal(a.kernel, 3 * 100 + 7);
  assert.equal(b.kernel, 3 * 200 + 7);
  assert.equal(c.kernel, a.kernel);
  assert.equal(b.inference - a.inference, 300);
  assert.equal(c.inference, a.inference);
});
