import assert from "node:assert/strict";
import { getBoard } from "../target/mod.ts";
import { ToolchainError } from "../target/mod.ts";
import { buildFirmware } from "./gcc.ts";
import { linkerScript } from "./linker_script.ts";
import type { CSources } from "./types.ts";

// Needs arm-none-eabi-gcc: buildFirmware throws a ToolchainError naming `deno task setup`
// when it is missing.

const M7 = getBoard("stm32f746");
const M4 = getBoard("stm32f412");

const HELLO: CSources = {
  name: "hello",
  files: {
    "main.c": `#include "probe.h"
#include "weights.h"
MCU_NOINIT int8_t mcu_input[16];
int8_t mcu_output[16];
int counter = 3;
int main(void) {
  MCU_PROBE(MCU_MARK_INFERENCE_BEGIN);
  for (int i = 0; i < 16; i++) mcu_output[i] = (int8_t)(mcu_input[i] + weights[i] + counter);
  MCU_PROBE(MCU_MARK_INFERENCE_END);
  return 0;
}
`,
    "weights.h": "#include <stdint.h>\nextern const int8_t weights[16];\n",
    "weights.S": `  .section .rodata.weights,"a"
  .global weights
  .type weights, %object
weights:
  .incbin "blobs/weights.bin"
  .size weights, . - weights
`,
    "blobs/weights.bin": Uint8Array.from({ length: 16 }, (_, i) => i * 3),
  },
};

Deno.test("buildFirmware links an ELF with the board's core, sections and an .incbin blob", async () => {
  const fw = await buildFirmware(HELLO, { board: M7 });
  assert.deepEqual([...fw.elf.subarray(0, 4)], [0x7f, 0x45, 0x4c, 0x46]);
  assert.match(fw.sha256, /^[0-9a-f]{64}$/);
  assert.ok(fw.command.includes("-mcpu=cortex-m7"));
  assert.ok(fw.command.includes("-O3"));
  assert.ok(fw.command.every((a) => !a.includes("/tmp")), "the command uses relative paths");
  assert.ok(fw.sections.text > 0);
  assert.ok(fw.sections.rodata >= 16);
  assert.equal(fw.sections.data, 4);
  assert.equal(fw.sections.bss, 16);
  assert.equal(fw.sections.noinit, 16);
  assert.equal(fw.flashBytes, fw.sections.text + fw.sections.rodata + fw.sections.data);
  const m4 = await buildFirmware(HELLO, { board: M4 });
  assert.ok(m4.command.includes("-mcpu=cortex-m4"));
});

Deno.test("the same sources give a byte-identical ELF in different directories", async () => {
  const a = await Deno.makeTempDir();
  const b = await Deno.makeTempDir();
  try {
    const x = await buildFirmware(HELLO, { board: M7, workDir: `${a}/one` });
    const y = await buildFirmware(HELLO, { board: M7, workDir: `${b}/two/deeper` });
    assert.equal(x.sha256, y.sha256);
    assert.deepEqual(x.elf, y.elf);
    assert.deepEqual(x.command, y.command);
    // The work directory is a buildable project.
    assert.ok((await Deno.stat(`${a}/one/link.ld`)).isFile);
    assert.ok((await Deno.stat(`${a}/one/startup.c`)).isFile);
    assert.ok((await Deno.stat(`${a}/one/blobs/weights.bin`)).isFile);
    assert.deepEqual(await Deno.readFile(`${a}/one/hello.elf`), x.elf);
  } finally {
    await Deno.remove(a, { recursive: true });
    await Deno.remove(b, { recursive: true });
  }
});

Deno.test("a cached build is not rebuilt and returns the same image", async () => {
  const dir = await Deno.makeTempDir();
  const cacheDir = `${dir}/cache`;
  // A gcc wrapper that logs each invocation: a cache hit only asks for `--version`.
  const gcc = `${dir}/gcc`;
  await Deno.writeTextFile(
    gcc,
    `#!/bin/sh\necho "$1" >> ${dir}/log\nexec arm-none-eabi-gcc "$@"\n`,
  );
  await Deno.chmod(gcc, 0o755);
  const compiles = async () =>
    (await Deno.readTextFile(`${dir}/log`)).split("\n").filter((l) => l && l !== "--version")
      .length;
  try {
    const first = await buildFirmware(HELLO, { board: M7, cacheDir, gcc });
    assert.equal(await compiles(), 1);
    const second = await buildFirmware(HELLO, { board: M7, cacheDir, gcc });
    assert.equal(await compiles(), 1);
    assert.deepEqual(second, first);
    // A damaged entry fails its hash check and is rebuilt.
    const [entry] = [...Deno.readDirSync(cacheDir)].map((e) => e.name);
    await Deno.writeFile(`${cacheDir}/${entry}/hello.elf`, new Uint8Array([1, 2, 3]));
    const third = await buildFirmware(HELLO, { board: M7, cacheDir, gcc });
    assert.equal(third.sha256, first.sha256);
    assert.equal(await compiles(), 2);
    // Different sources, a different entry.
    await buildFirmware({ ...HELLO, defines: ["EXTRA=1"] }, { board: M7, cacheDir, gcc });
    assert.equal([...Deno.readDirSync(cacheDir)].length, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a compile error is a ToolchainError carrying gcc's stderr", async () => {
  await assert.rejects(
    buildFirmware({ name: "bad", files: { "main.c": "int main(void) { return nope; }\n" } }, {
      board: M7,
    }),
    (e: unknown) => {
      assert.ok(e instanceof ToolchainError);
      assert.match(e.stderr, /nope/);
      assert.match(e.message, /Cannot build firmware 'bad'/);
      assert.ok(e.command.length > 0);
      return true;
    },
  );
});

Deno.test("a missing compiler is a ToolchainError that says to run deno task setup", async () => {
  await assert.rejects(
    buildFirmware(HELLO, { board: M7, gcc: "arm-none-eabi-gcc-not-installed" }),
    (e: unknown) => {
      assert.ok(e instanceof ToolchainError);
      assert.match(e.message, /deno task setup/);
      return true;
    },
  );
});

Deno.test("unsafe names and paths are rejected before anything is written", async () => {
  await assert.rejects(buildFirmware({ name: "../x", files: {} }, { board: M7 }), TypeError);
  await assert.rejects(
    buildFirmware({ name: "x", files: { "../evil.c": "" } }, { board: M7 }),
    /not a plain relative path/,
  );
  await assert.rejects(
    buildFirmware({ name: "x", files: { "startup.c": "" } }, { board: M7 }),
    /collides with a support file/,
  );
});

Deno.test("the linker script takes Flash and SRAM from the board", () => {
  const ld = linkerScript(getBoard("stm32h743"));
  assert.match(ld, /FLASH \(rx\) : ORIGIN = 0x08000000, LENGTH = 0x00200000/);
  assert.match(ld, /RAM \(rwx\) : ORIGIN = 0x20000000, LENGTH = 0x00080000/);
  for (const s of [".text", ".rodata", ".data", ".bss", ".noinit", "_sidata", "_estack"]) {
    assert.ok(ld.includes(s), s);
  }
  assert.throws(() => linkerScript({ ...M7, sram: { base: 0, size: 0 } }), RangeError);
});

Deno.test("static data larger than SRAM fails to link with a clear message", async () => {
  const tiny = { ...M7, name: "tiny", sram: { base: 0x20000000, size: 4096 } };
  await assert.rejects(
    buildFirmware({
      name: "big",
      files: { "main.c": "char big[8192];\nint main(void) { return big[9]; }\n" },
    }, {
      board: tiny,
    }),
    (e: unknown) => e instanceof ToolchainError && /RAM|stack/.test(e.stderr),
  );
});
