/**
 * Emulation speed: the same ~43-million-instruction firmware (a 3x3 int8 convolution repeated
 * five times) run with no hooks at all, with the native block counter, with the counter and the
 * probe write hook (what {@link runFirmware} uses), with an MMIO probe instead, and through
 * `runFirmware` itself. All in one process.
 *
 *     deno bench -A emulator/run_bench.ts        # Deno.bench timings
 *     deno run -A emulator/run_bench.ts          # a MIPS table (median of 7 runs each)
 *
 * @module
 */
import { getBoard } from "../engine/target/mod.ts";
import { buildFirmware } from "../engine/build/mod.ts";
import { convCase } from "./_conv_fixture.ts";
import { parseElf, PT_LOAD, SymbolMap } from "./elf.ts";
import { ARM_REG, UC } from "./ffi.ts";
import { buildNativeHelper } from "./native/build.ts";
import { PPB_BASE, PPB_SIZE, PROBE_ADDRESS, PROBE_SIZE, runFirmware } from "./run.ts";
import { type ProbeMode, Unicorn } from "./unicorn.ts";

type Variant = "no hooks" | "block counter" | "counter + probe hook" | "counter + MMIO probe";

const board = getBoard("stm32f746");
await buildNativeHelper();
const conv = convCase({
  height: 32,
  width: 32,
  inChannels: 16,
  outChannels: 16,
  seed: 7,
  repeat: 5,
});
const firmware = await buildFirmware(conv.sources, { board });
const elf = parseElf(firmware.elf);
const halt = new SymbolMap(elf.symbols).get("mcu_halt")!;
const input = new SymbolMap(elf.symbols).get("mcu_input")!;

/** One emulation with the given instrumentation; returns seconds inside uc_emu_start. */
function emulate(variant: Variant): { seconds: number; instructions: number | undefined } {
  using uc = Unicorn.open(board.core);
  uc.memMap(board.flash.base, board.flash.size, UC.PROT_READ | UC.PROT_EXEC);
  uc.memMap(board.sram.base, board.sram.size, UC.PROT_ALL);
  uc.memMap(PPB_BASE, PPB_SIZE, UC.PROT_READ | UC.PROT_WRITE);
  const probe: ProbeMode = variant === "counter + probe hook"
    ? "hook"
    : variant === "counter + MMIO probe"
    ? "mmio"
    : "none";
  if (probe !== "mmio") uc.memMap(PROBE_ADDRESS, PROBE_SIZE, UC.PROT_READ | UC.PROT_WRITE);
  const counter = variant === "no hooks" ? undefined : uc.attachCounter({
    probe,
    probeAddress: PROBE_ADDRESS,
    probeSize: PROBE_SIZE,
    faults: variant !== "block counter",
  });
  for (const seg of elf.segments) {
    if (seg.type === PT_LOAD && seg.filesz > 0) {
      uc.memWrite(seg.paddr, firmware.elf.subarray(seg.offset, seg.offset + seg.filesz));
    }
  }
  uc.memWrite(input.value, conv.input);
  uc.regWrite(ARM_REG.SP, board.sram.base + board.sram.size);
  const t0 = performance.now();
  uc.emuStart(elf.entry | 1, halt.value);
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, instructions: counter?.instructions };
}

const VARIANTS: readonly Variant[] = [
  "no hooks",
  "block counter",
  "counter + probe hook",
  "counter + MMIO probe",
];

for (const v of VARIANTS) {
  Deno.bench({ name: v, group: "emulation", baseline: v === "no hooks", n: 3, warmup: 1 }, () => {
    emulate(v);
  });
}
Deno.bench({ name: "runFirmware (all measurements)", group: "emulation", n: 3, warmup: 1 }, () => {
  runFirmware({ elf: firmware.elf, board }, { inputs: { mcu_input: conv.input } });
});

if (import.meta.main) {
  const instructions = runFirmware({ elf: firmware.elf, board }, {
    inputs: { mcu_input: conv.input },
  }).totalInstructions;
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const runs = 7;
  // Round-robin over the variants (after one warm-up round) so that load from other processes
  // affects them alike.
  const times = new Map<Variant, number[]>(VARIANTS.map((v) => [v, []]));
  for (let i = -1; i < runs; i++) {
    for (const v of VARIANTS) {
      const t = emulate(v).seconds;
      if (i >= 0) times.get(v)!.push(t);
    }
  }
  const base = instructions / median(times.get("no hooks")!) / 1e6;
  const rows = VARIANTS.map((v) => {
    const mips = instructions / median(times.get(v)!) / 1e6;
    return `| ${v} | ${mips.toFixed(1)} | ${(mips / base).toFixed(2)} |`;
  });
  const whole: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    runFirmware({ elf: firmware.elf, board }, { inputs: { mcu_input: conv.input } });
    whole.push((performance.now() - t0) / 1000);
  }
  const mips = instructions / median(whole) / 1e6;
  rows.push(`| runFirmware (whole call) | ${mips.toFixed(1)} | ${(mips / base).toFixed(2)} |`);
  const text = `${instructions} instructions per run, median of ${runs} runs\n\n` +
    `| variant | MIPS | vs no hooks |\n|---|---|---|\n${rows.join("\n")}\n`;
  await Deno.stdout.write(new TextEncoder().encode(text));
}
