import assert from "node:assert/strict";
import { getBoard } from "../engine/target/mod.ts";
import { buildFirmware } from "../engine/build/mod.ts";
import { buildNativeHelper } from "../emulator/mod.ts";
import { emuCommand, type EmuIo } from "./emu.ts";

// Needs arm-none-eabi-gcc, libunicorn and cc (a ToolchainError names `deno task setup`).
await buildNativeHelper();

const fw = await buildFirmware({
  name: "emu",
  files: {
    "main.c": `#include "probe.h"
int acc[64];
int main(void) {
  MCU_PROBE(MCU_MARK_INFERENCE_BEGIN);
  MCU_PROBE(MCU_MARK_LAYER_BEGIN(0));
  for (int i = 0; i < 64; i++) acc[i] = i * i;
  MCU_PROBE(MCU_MARK_LAYER_END(0));
  MCU_PROBE(MCU_MARK_INFERENCE_END);
  return 0;
}
`,
  },
}, { board: getBoard("stm32f412") });

function capture(): { io: EmuIo; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t) => out.push(t), err: (t) => err.push(t) }, out, err };
}

async function withElf(bytes: Uint8Array, fn: (path: string) => Promise<void>) {
  const path = await Deno.makeTempFile({ suffix: ".elf" });
  try {
    await Deno.writeFile(path, bytes);
    await fn(path);
  } finally {
    await Deno.remove(path);
  }
}

Deno.test("emu --json prints one object with the measurements", async () => {
  await withElf(fw.elf, async (path) => {
    const c = capture();
    assert.equal(await emuCommand(path, { board: "stm32f412", json: true }, c.io), 0);
    assert.equal(c.out.length, 1);
    const r = JSON.parse(c.out[0]!);
    assert.equal(r.firmware, path);
    assert.equal(r.board, "stm32f412");
    assert.equal(r.cpuModel, 9);
    assert.equal(r.halt, "mcu_halt");
    assert.ok(r.inferenceInstructions > 64);
    assert.equal(r.layers.length, 1);
    assert.ok(r.sram.peakBytes >= 256);
    assert.equal(r.flash.bytes, fw.flashBytes);
    assert.ok(Array.isArray(r.profile));
  });
});

Deno.test("emu prints a readable table", async () => {
  await withElf(fw.elf, async (path) => {
    const c = capture();
    assert.equal(await emuCommand(path, { board: "stm32f412", json: false }, c.io), 0);
    const text = c.out.join("\n");
    for (const s of ["inference", "SRAM peak", "Flash image", "layer", "main"]) {
      assert.ok(text.includes(s), s);
    }
  });
});

Deno.test("emu reports a firmware it cannot measure with exit code 1", async () => {
  await withElf(fw.elf.subarray(0, 100), async (path) => {
    const c = capture();
    assert.equal(await emuCommand(path, { board: "stm32f412", json: true }, c.io), 1);
    assert.equal(JSON.parse(c.out[0]!).error.name, "ElfFormatError");
    const t = capture();
    assert.equal(await emuCommand(path, { board: "stm32f412", json: false }, t.io), 1);
    assert.match(t.err[0]!, /^ElfFormatError: Cannot parse the ELF file/);
  });
  await withElf(fw.elf, async (path) => {
    const c = capture();
    const code = await emuCommand(path, { board: "stm32f412", json: false, budget: 10 }, c.io);
    assert.equal(code, 1);
    assert.match(c.err[0]!, /BudgetExceededError/);
  });
});

Deno.test("emu rejects an unknown board or a missing file with exit code 2", async () => {
  const c = capture();
  assert.equal(await emuCommand("/nonexistent.elf", { board: "stm32f746", json: false }, c.io), 2);
  assert.match(c.err[0]!, /no such file/);
  await withElf(fw.elf, async (path) => {
    const d = capture();
    assert.equal(await emuCommand(path, { board: "nope", json: false }, d.io), 2);
    assert.match(d.err[0]!, /Cannot find board 'nope'/);
  });
});
