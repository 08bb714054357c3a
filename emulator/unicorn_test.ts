import assert from "node:assert/strict";
import { UnicornError } from "./errors.ts";
import { ARM_REG, UC } from "./ffi.ts";
import { buildNativeHelper } from "./native/build.ts";
import { Unicorn } from "./unicorn.ts";

// Needs libunicorn 2 and the host cc (ToolchainError names `deno task setup` when missing).
await buildNativeHelper();

// movs r0, #1; adds r0, #2; b.n . (two instructions, then a branch to itself)
const CODE = new Uint8Array([0x01, 0x20, 0x02, 0x30, 0xfe, 0xe7]);
const BASE = 0x08000000;

Deno.test("Unicorn.open selects the Cortex-M7 and Cortex-M4 models and verifies them", () => {
  using m7 = Unicorn.open("cortex-m7");
  assert.equal(m7.cpuModel(), UC.CPU_CORTEX_M7);
  using m4 = Unicorn.open("cortex-m4");
  assert.equal(m4.cpuModel(), UC.CPU_CORTEX_M4);
});

Deno.test("a failed Unicorn call is a UnicornError with errno and uc_strerror text", () => {
  using uc = Unicorn.open("cortex-m7");
  assert.throws(() => uc.memMap(0x1001, 0x1000, UC.PROT_ALL), (e: unknown) => {
    assert.ok(e instanceof UnicornError);
    assert.equal(e.errno, 15);
    assert.match(e.message, /^Cannot map 0x1001\+0x1000: .*UC_ERR_ARG/);
    return true;
  });
  assert.throws(() => uc.memRead(0x40000000, 4), UnicornError);
});

Deno.test("code runs until the exit address and registers read back", () => {
  using uc = Unicorn.open("cortex-m4");
  uc.memMap(BASE, 0x1000, UC.PROT_READ | UC.PROT_EXEC);
  uc.memWrite(BASE, CODE);
  uc.emuStart(BASE | 1, BASE + 4);
  assert.equal(uc.regRead(ARM_REG.R0), 3);
  assert.equal(uc.regRead(ARM_REG.PC), BASE + 4);
  uc.regWrite(ARM_REG.R0, 0xdeadbeef);
  assert.equal(uc.regRead(ARM_REG.R0), 0xdeadbeef);
});

Deno.test("the native counter counts instructions and enforces its budget", () => {
  using uc = Unicorn.open("cortex-m7");
  uc.memMap(BASE, 0x1000, UC.PROT_READ | UC.PROT_EXEC);
  uc.memWrite(BASE, CODE);
  const counter = uc.attachCounter({ probe: "none", budget: 1000 });
  uc.emuStart(BASE | 1, 0); // the final branch loops forever; the budget stops it
  assert.equal(counter.budgetExceeded, true);
  assert.ok(counter.instructions > 1000 && counter.instructions < 1010);
  const blocks = counter.blocks();
  assert.ok(blocks.some((b) => b.address === BASE && b.instructions === 3 && b.hits === 1));
});

Deno.test("an exception thrown in a JavaScript hook stops the run and is rethrown", () => {
  using uc = Unicorn.open("cortex-m7");
  uc.memMap(BASE, 0x1000, UC.PROT_READ | UC.PROT_EXEC);
  uc.memWrite(BASE, CODE);
  let calls = 0;
  uc.hookBlock(() => {
    if (++calls === 5) throw new Error("stop here");
  });
  assert.throws(() => uc.emuStart(BASE | 1, 0), /stop here/);
  assert.equal(calls, 5);
});

Deno.test("closing twice is harmless and a closed engine refuses calls", () => {
  const uc = Unicorn.open("cortex-m7");
  uc.close();
  uc.close();
  assert.throws(() => uc.cpuModel(), /closed/);
});

Deno.test("a missing libunicorn is a ToolchainError that says to run deno task setup", async () => {
  const code = `import { unicorn } from ${
    JSON.stringify(new URL("./ffi.ts", import.meta.url).href)
  };
try { unicorn(); } catch (e) { await Deno.stdout.write(new TextEncoder().encode(e.name + ": " + e.message)); }`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", code],
    env: { LIBUNICORN_PATH: "/nonexistent/libunicorn.so.2" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.match(text, /^ToolchainError: Cannot load libunicorn 2/);
  assert.match(text, /deno task setup/);
});
