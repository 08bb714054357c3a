import assert from "node:assert/strict";
import { getBoard } from "../engine/target/mod.ts";
import { buildFirmware } from "../engine/build/mod.ts";
import { parseElf, PT_LOAD, SymbolMap } from "./elf.ts";
import { ElfFormatError } from "./errors.ts";

// Needs arm-none-eabi-gcc (a ToolchainError names `deno task setup` when it is missing).
const fw = await buildFirmware({
  name: "elf",
  files: {
    "main.c": `#include "probe.h"
MCU_NOINIT unsigned char mcu_input[40];
unsigned char mcu_output[24];
int initialized = 5;
__attribute__((noinline)) int helper(int x) { return x * initialized + mcu_input[x]; }
int main(void) { mcu_output[0] = (unsigned char)helper(3); return 0; }
`,
  },
}, { board: getBoard("stm32f746") });

Deno.test("parseElf reads the entry, loadable segments, sections and sized symbols", () => {
  const elf = parseElf(fw.elf);
  assert.equal(elf.machine, 40);
  assert.equal(elf.entry & 1, 1, "Thumb entry");
  const loads = elf.segments.filter((s) => s.type === PT_LOAD && s.filesz > 0);
  assert.ok(loads.length >= 1);
  // .data is loaded from Flash (p_paddr) but lives in SRAM (p_vaddr).
  assert.ok(loads.some((s) => s.paddr >= 0x08000000 && s.vaddr >= 0x20000000));
  const names = elf.sections.map((s) => s.name);
  for (const n of [".text", ".data", ".bss", ".noinit", ".symtab"]) assert.ok(names.includes(n), n);
  const map = new SymbolMap(elf.symbols);
  assert.equal(map.get("mcu_input")?.size, 40);
  assert.equal(map.get("mcu_output")?.size, 24);
  const helper = map.get("helper")!;
  assert.equal(helper.type, "func");
  assert.equal(helper.value & 1, 0, "Thumb bit cleared");
  assert.ok(helper.size > 0);
  assert.equal(map.functionAt(helper.value + 2)?.name, "helper");
  assert.equal(map.describe(helper.value + 2), "helper+0x2");
  assert.equal(map.functionAt(0x1000), undefined);
  assert.equal(map.describe(0x1000), "?");
});

Deno.test("a truncated ELF is an ElfFormatError", () => {
  for (const n of [0, 10, 51, 52, 200, fw.elf.length >> 1, fw.elf.length - 1]) {
    assert.throws(() => parseElf(fw.elf.subarray(0, n)), ElfFormatError, `truncated at ${n}`);
  }
});

Deno.test("a corrupt ELF header is an ElfFormatError saying what is wrong", () => {
  const corrupt = (offset: number, value: number) => {
    const b = fw.elf.slice();
    b[offset] = value;
    return b;
  };
  assert.throws(() => parseElf(corrupt(0, 0)), /bad magic/);
  assert.throws(() => parseElf(corrupt(4, 2)), /not a 32-bit ELF/);
  assert.throws(() => parseElf(corrupt(5, 2)), /not little-endian/);
  assert.throws(() => parseElf(corrupt(18, 3)), /not ARM/);
  assert.throws(() => parseElf(corrupt(35, 0x7f)), /section header table .* outside the file/);
  assert.throws(() => parseElf(corrupt(31, 0x7f)), /program header table .* outside the file/);
  assert.throws(
    () => parseElf(new TextEncoder().encode("not an elf at all, just text")),
    ElfFormatError,
  );
});

Deno.test("random corruption never escapes as anything but ElfFormatError", () => {
  let seed = 12345;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  for (let i = 0; i < 2000; i++) {
    const b = fw.elf.slice();
    for (let k = 0; k < 4; k++) {
      // Hit the headers and tables most of the time.
      const at = k % 2 === 0 ? next() % 64 : next() % b.length;
      b[at] = next() & 0xff;
    }
    try {
      parseElf(b);
    } catch (e) {
      assert.ok(e instanceof ElfFormatError, `iteration ${i}: ${e}`);
    }
  }
});
