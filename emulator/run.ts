/**
 * Run a firmware image in Unicorn and measure it: instructions (total, init, inference, per
 * layer), SRAM high-water, Flash sizes, output buffers and an optional per-function profile.
 *
 * @module
 */
import type { Board } from "../engine/target/mod.ts";
import { classifySection } from "../engine/target/mod.ts";
import type { SectionSizes } from "../engine/target/mod.ts";
import { type ElfFile, parseElf, PT_LOAD, SymbolMap } from "./elf.ts";
import { BudgetExceededError, EmulationFault, FirmwareError, UnicornError } from "./errors.ts";
import { ARM_REG, MEM_TYPE_NAMES, strerror, UC } from "./ffi.ts";
import {
  type BlockStat,
  type Marker,
  type NativeCounter,
  type ProbeMode,
  Unicorn,
} from "./unicorn.ts";
import { type BoardTiming, type CycleReport, elfCodeReader, modelCycles } from "./cycles/mod.ts";

/** The probe register's address (see `fixtures/firmware/probe.h`). */
export const PROBE_ADDRESS = 0x4fff0000;
/** Size of the probe page the emulator maps. */
export const PROBE_SIZE = 0x1000;
/** The Cortex-M Private Peripheral Bus (SCS, DWT, ITM, ...), mapped as plain RAM. */
export const PPB_BASE = 0xe0000000;
/** Size of the mapped Private Peripheral Bus. */
export const PPB_SIZE = 0x100000;
/** Default instruction budget of {@link runFirmware}. */
export const DEFAULT_BUDGET = 2_000_000_000;

import { type LayerCount, summarizeMarkers } from "./markers.ts";
export { type LayerCount, MARK, type MarkerSummary, summarizeMarkers } from "./markers.ts";

/** The bytes SRAM is painted with before a run (repeated; little-endian word 0xC5A3E1F7). */
const PAINT = [0xf7, 0xe1, 0xa3, 0xc5] as const;

/** `size` bytes of paint for memory starting at a 4-aligned address. */
function paintBytes(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < Math.min(4, size); i++) out[i] = PAINT[i]!;
  // Doubling copies: fast for hundreds of KiB.
  for (let filled = Math.min(4, size); filled < size; filled *= 2) {
    out.copyWithin(filled, 0, Math.min(filled, size - filled));
  }
  return out;
}

/** Offset of the first byte of `mem` (starting at address `base`) that is not paint. */
function firstTouched(mem: Uint8Array, base: number): number {
  let i = 0;
  // Whole words first when aligned (the paint word is 0xC5A3E1F7 at any 4-aligned address).
  if ((base & 3) === 0 && (mem.byteOffset & 3) === 0) {
    const words = new Uint32Array(mem.buffer, mem.byteOffset, mem.length >> 2);
    const view = new DataView(new Uint8Array(PAINT).buffer);
    const word = view.getUint32(0, true);
    while (i < words.length && words[i] === word) i++;
    i <<= 2;
  }
  while (i < mem.length && mem[i] === PAINT[(base + i) & 3]) i++;
  return i;
}

/** Options for {@link runFirmware}. */
export interface RunOptions {
  /** Bytes to write into symbols (usually `MCU_NOINIT` buffers) before the run. */
  readonly inputs?: Readonly<Record<string, Uint8Array>>;
  /** Symbols whose bytes to read after the halt (their size comes from the symbol table). */
  readonly outputs?: readonly string[];
  /** Maximum instructions before {@link BudgetExceededError} (default 2e9). */
  readonly budget?: number;
  /** Also return a per-function instruction profile (default false). */
  readonly profile?: boolean;
  /** How many functions the profile lists (default 20). */
  readonly profileTop?: number;
  /**
   * How the probe is observed. `"mmio"` (default): the probe page is an MMIO region whose write
   * callback records markers, which costs nothing elsewhere. `"hook"`: a UC_HOOK_MEM_WRITE bounded
   * to the probe page; same markers, but in Unicorn 2.0.1 any write hook sends every store of the
   * firmware through the slow path (about half the speed; see run_bench.ts).
   */
  readonly probe?: Exclude<ProbeMode, "none">;
  /**
   * Price the run with the cycle and energy model (docs/cycle-model.md) at this clock and, when
   * given, the board's timing profile (memory stalls, run current). Default: no cycle report.
   */
  readonly cycleModel?: { readonly clockHz: number; readonly timing?: BoardTiming };
  /** Also return the native counter's block entries (default false). */
  readonly blocks?: boolean;
}

/** One function in the profile. */
export interface ProfileEntry {
  /** Function name (`"?"` for code outside any function symbol). */
  readonly symbol: string;
  /** Function address. */
  readonly address: number;
  /** Instructions executed inside the function (not its callees). */
  readonly instructions: number;
  /** Fraction of all counted instructions. */
  readonly share: number;
}

/** SRAM figures, in bytes. */
export interface SramUsage {
  /** The board's SRAM size. */
  readonly size: number;
  /** `.data` (initialized variables). */
  readonly dataBytes: number;
  /** `.bss` (zeroed variables; where generated arenas live). */
  readonly bssBytes: number;
  /** `.noinit` (inputs the emulator writes). */
  readonly noinitBytes: number;
  /** `.data` + `.bss` + `.noinit`. */
  readonly staticBytes: number;
  /** Stack high-water: from the stack top down to the lowest touched byte. */
  readonly stackBytes: number;
  /** `staticBytes + stackBytes`. */
  readonly peakBytes: number;
  /**
   * True when the stack reached the end of the static data: it may have overflowed into it, and
   * the high-water mark is then a lower bound.
   */
  readonly stackReachedStatic: boolean;
}

/** Flash figures, in bytes. */
export interface FlashUsage {
  /** The board's Flash size. */
  readonly size: number;
  /** Allocated section sizes. */
  readonly sections: SectionSizes;
  /** Loadable image: text + rodata + data initializers. */
  readonly bytes: number;
}

/** What every emulated run reports, a single run ({@link RunResult}) or a batch. */
export interface EmulatedRun {
  /** Board name. */
  readonly board: string;
  /** Core (`cortex-m7` or `cortex-m4`). */
  readonly core: string;
  /** The Unicorn CPU model id the engine reported (M4 = 9, M7 = 10). */
  readonly cpuModel: number;
  /** `main`'s return value (r0 at `mcu_halt`). */
  readonly exitStatus: number;
  /** All instructions from reset to the halt. */
  readonly totalInstructions: number;
  /** Instructions between the init markers (0 without them). */
  readonly initInstructions: number;
  /** SRAM: static sections and the measured stack high-water (over the whole run or batch). */
  readonly sram: SramUsage;
  /** Flash: section sizes and the loadable image. */
  readonly flash: FlashUsage;
}

/** Everything one run measured. Counts are exact and repeatable. */
export interface RunResult extends EmulatedRun {
  /** How the run ended: always the normal halt (anything else throws). */
  readonly halt: "mcu_halt";
  /** Instructions between the inference markers, summed over `inferences` (0 without them). */
  readonly inferenceInstructions: number;
  /** How many inference begin/end pairs the run had (usually 1). */
  readonly inferences: number;
  /** Per-layer instructions, sorted by layer index. */
  readonly layers: readonly LayerCount[];
  /** Every probe write in order. */
  readonly markers: readonly Marker[];
  /** Output buffers by symbol name. */
  readonly outputs: Readonly<Record<string, Uint8Array>>;
  /** Top functions by instructions (only with `profile: true`). */
  readonly profile?: readonly ProfileEntry[];
  /** Modelled cycles, milliseconds and millijoules (only with `cycleModel`). */
  readonly cycles?: CycleReport;
  /** The counter's (block, marker segment) entries (only with `blocks: true`). */
  readonly blocks?: readonly BlockStat[];
}

const page = (n: number) => Math.ceil(n / 0x1000) * 0x1000;

function inRegion(addr: number, len: number, base: number, size: number): boolean {
  return addr >= base && addr + len <= base + size;
}

/** @internal Section sizes and where the static SRAM data ends. */
export interface Layout {
  readonly sections: SectionSizes;
  /** End of the static SRAM data (highest end of an allocated SRAM section). */
  readonly staticEnd: number;
}

function layout(elf: ElfFile, board: Board): Layout {
  const sections = { text: 0, rodata: 0, data: 0, bss: 0, noinit: 0 };
  let staticEnd = board.sram.base;
  for (const s of elf.sections) {
    const bucket = classifySection(s.name, s.type, s.flags);
    if (!bucket) continue;
    sections[bucket] += s.size;
    if (s.size > 0 && inRegion(s.addr, s.size, board.sram.base, board.sram.size)) {
      staticEnd = Math.max(staticEnd, s.addr + s.size);
    }
  }
  return { sections, staticEnd };
}

/**
 * Run `image.elf` on `image.board`'s core until the firmware reaches `mcu_halt`, and measure it.
 *
 * The engine is opened in Thumb mode with the board's CPU model (read back to verify); Flash,
 * SRAM, the Private Peripheral Bus and the probe page are mapped; SRAM is painted; `PT_LOAD`
 * segments are loaded at their physical addresses; inputs are written; the run starts at the
 * ELF entry with SP = `_estack`. Throws {@link FirmwareError} (no `mcu_halt`, bad input symbol),
 * {@link EmulationFault} (bad access, CPU exception), {@link BudgetExceededError} (never hangs),
 * {@link MarkerError} (unpaired markers) or {@link ElfFormatError}.
 *
 * @example
 * ```ts
 * import { getBoard } from "../engine/target/mod.ts";
 * const r = runFirmware(
 *   { elf: await Deno.readFile("fw.elf"), board: getBoard("stm32f746") },
 *   { inputs: { mcu_input: new Uint8Array(64) }, outputs: ["mcu_output"] },
 * );
 * // r.inferenceInstructions, r.layers, r.sram.peakBytes, r.outputs.mcu_output
 * ```
 */
export function runFirmware(
  image: { readonly elf: Uint8Array; readonly board: Board },
  options: RunOptions = {},
): RunResult {
  const budget = checkedBudget(options.budget);
  using machine = loadFirmware(image, { budget, probe: options.probe ?? "mmio" });
  const { uc, counter, symbols, halt } = machine;
  for (const [name, bytes] of Object.entries(options.inputs ?? {})) {
    writeSymbol(machine, name, bytes);
  }

  uc.regWrite(ARM_REG.SP, machine.stackTop);
  let error: UnicornError | undefined;
  try {
    uc.emuStart(machine.elf.entry | 1, halt);
  } catch (e) {
    if (!(e instanceof UnicornError)) throw e;
    error = e;
  }
  const pc = uc.regRead(ARM_REG.PC);
  const instructions = counter.instructions;
  if (counter.budgetExceeded) {
    throw new BudgetExceededError({ budget, instructions, pc, symbol: symbols.describe(pc) });
  }
  if (error !== undefined || pc !== halt) throw fault(error, uc, counter, symbols);

  const markers = counter.markers();
  const summary = summarizeMarkers(markers);

  const outputs: Record<string, Uint8Array> = {};
  for (const name of options.outputs ?? []) outputs[name] = readSymbol(machine, name);

  const result: RunResult = {
    board: machine.board.name,
    core: machine.board.core,
    cpuModel: uc.cpuModel(),
    halt: "mcu_halt",
    exitStatus: uc.regRead(ARM_REG.R0) | 0,
    totalInstructions: instructions,
    initInstructions: summary.initInstructions,
    inferenceInstructions: summary.inferenceInstructions,
    inferences: summary.inferences,
    layers: summary.layers,
    markers,
    ...measureMemory(machine),
    outputs,
  };
  const blocks = options.cycleModel || options.blocks ? counter.blocks() : undefined;
  const { board } = machine;
  return {
    ...result,
    ...(options.profile ? { profile: profileOf(counter, symbols, options.profileTop ?? 20) } : {}),
    ...(options.cycleModel && blocks
      ? {
        cycles: modelCycles(blocks, markers, elfCodeReader(machine.elf, image.elf), {
          core: board.core,
          flash: board.flash,
          ...options.cycleModel,
        }),
      }
      : {}),
    ...(options.blocks && blocks ? { blocks } : {}),
  };
}

/** @internal The budget option checked (default {@link DEFAULT_BUDGET}). */
export function checkedBudget(budget: number | undefined): number {
  const b = budget ?? DEFAULT_BUDGET;
  if (!Number.isSafeInteger(b) || b <= 0) {
    throw new RangeError(`Cannot run the firmware: budget ${b} is not a positive count`);
  }
  return b;
}

/**
 * @internal A firmware image loaded into a fresh engine (memory mapped, SRAM painted, segments
 * loaded, counter attached), ready to start at `elf.entry` with SP = `stackTop`. Shared by
 * {@link runFirmware} and the batch runner; dispose it to close the engine.
 */
export interface LoadedFirmware extends Disposable {
  readonly board: Board;
  readonly elf: ElfFile;
  readonly symbols: SymbolMap;
  readonly uc: Unicorn;
  readonly counter: NativeCounter;
  /** Address of `mcu_halt`, where a run ends. */
  readonly halt: number;
  readonly stackTop: number;
  readonly layout: Layout;
}

/** @internal Load `image` into a fresh engine (see {@link LoadedFirmware}). */
export function loadFirmware(
  image: { readonly elf: Uint8Array; readonly board: Board },
  options: { readonly budget: number; readonly probe: Exclude<ProbeMode, "none"> },
): LoadedFirmware {
  const { board } = image;
  const elf = parseElf(image.elf);
  const symbols = new SymbolMap(elf.symbols);
  const halt = symbols.get("mcu_halt");
  if (!halt || halt.type !== "func") {
    throw new FirmwareError(
      "Cannot run the firmware: it has no mcu_halt function, so the emulator cannot tell when " +
        "it is done (link it with fixtures/firmware/startup.c)",
    );
  }
  const lay = layout(elf, board);
  const stackTop = symbols.get("_estack")?.value ?? board.sram.base + board.sram.size;
  if (!inRegion(lay.staticEnd, stackTop - lay.staticEnd, board.sram.base, board.sram.size)) {
    throw new FirmwareError(
      `Cannot run the firmware: its stack top 0x${stackTop.toString(16)} or static data end ` +
        `0x${lay.staticEnd.toString(16)} lies outside ${board.name}'s SRAM`,
    );
  }

  const uc = Unicorn.open(board.core);
  try {
    uc.memMap(board.flash.base, page(board.flash.size), UC.PROT_READ | UC.PROT_EXEC);
    uc.memMap(board.sram.base, page(board.sram.size), UC.PROT_ALL);
    uc.memMap(PPB_BASE, PPB_SIZE, UC.PROT_READ | UC.PROT_WRITE);
    const probe = options.probe;
    if (probe === "hook") uc.memMap(PROBE_ADDRESS, PROBE_SIZE, UC.PROT_READ | UC.PROT_WRITE);
    const counter = uc.attachCounter({
      probe,
      probeAddress: PROBE_ADDRESS,
      probeSize: PROBE_SIZE,
      budget: options.budget,
    });

    uc.memWrite(board.sram.base, paintBytes(board.sram.size));

    for (const [i, seg] of elf.segments.entries()) {
      if (seg.type !== PT_LOAD || seg.filesz === 0) continue;
      const inFlash = inRegion(seg.paddr, seg.filesz, board.flash.base, board.flash.size);
      const inSram = inRegion(seg.paddr, seg.filesz, board.sram.base, board.sram.size);
      if (!inFlash && !inSram) {
        throw new FirmwareError(
          `Cannot load the firmware: segment ${i} (0x${seg.paddr.toString(16)}, ${seg.filesz} ` +
            `bytes) lies outside ${board.name}'s Flash and SRAM`,
        );
      }
      uc.memWrite(seg.paddr, image.elf.subarray(seg.offset, seg.offset + seg.filesz));
    }
    return {
      board,
      elf,
      symbols,
      uc,
      counter,
      halt: halt.value,
      stackTop,
      layout: lay,
      [Symbol.dispose]: () => uc.close(),
    };
  } catch (e) {
    uc.close();
    throw e;
  }
}

/**
 * @internal Write `bytes` into data symbol `name` (a `.noinit` buffer: startup overwrites
 * `.data` and `.bss`).
 */
export function writeSymbol(machine: LoadedFirmware, name: string, bytes: Uint8Array): void {
  const sym = machine.symbols.get(name);
  if (!sym || sym.type === "func") {
    throw new FirmwareError(`Cannot write input '${name}': the firmware has no such data symbol`);
  }
  if (bytes.length > sym.size) {
    throw new FirmwareError(
      `Cannot write input '${name}': ${bytes.length} bytes do not fit its ${sym.size} bytes`,
    );
  }
  const section = machine.elf.sections[sym.shndx]?.name ?? "?";
  if (section === ".bss" || section === ".data") {
    throw new FirmwareError(
      `Cannot write input '${name}': it lies in ${section}, which startup overwrites ` +
        "(declare it MCU_NOINIT)",
    );
  }
  machine.uc.memWrite(sym.value, bytes);
}

/** @internal The bytes of symbol `name` (its size from the symbol table). */
export function readSymbol(machine: LoadedFirmware, name: string): Uint8Array {
  const sym = machine.symbols.get(name);
  if (!sym || sym.size === 0) {
    throw new FirmwareError(
      `Cannot read output '${name}': the firmware has no such symbol with a size`,
    );
  }
  return machine.uc.memRead(sym.value, sym.size);
}

/** @internal SRAM (static sections, stack high-water since the load) and Flash figures. */
export function measureMemory(machine: LoadedFirmware): { sram: SramUsage; flash: FlashUsage } {
  const { board, layout: lay, stackTop } = machine;
  const scanLen = stackTop - lay.staticEnd;
  const lowest = firstTouched(machine.uc.memRead(lay.staticEnd, scanLen), lay.staticEnd);
  const stackBytes = scanLen - lowest;
  const staticBytes = lay.sections.data + lay.sections.bss + lay.sections.noinit;
  return {
    sram: {
      size: board.sram.size,
      dataBytes: lay.sections.data,
      bssBytes: lay.sections.bss,
      noinitBytes: lay.sections.noinit,
      staticBytes,
      stackBytes,
      peakBytes: staticBytes + stackBytes,
      stackReachedStatic: scanLen > 0 && lowest === 0,
    },
    flash: {
      size: board.flash.size,
      sections: lay.sections,
      bytes: lay.sections.text + lay.sections.rodata + lay.sections.data,
    },
  };
}

function profileOf(counter: NativeCounter, symbols: SymbolMap, top: number): ProfileEntry[] {
  const byFn = new Map<string, { address: number; instructions: number }>();
  let total = 0;
  for (const b of counter.blocks()) {
    const n = b.hits * b.instructions;
    if (n === 0) continue;
    total += n;
    const f = symbols.functionAt(b.address);
    const key = f?.name ?? "?";
    const e = byFn.get(key) ?? { address: f?.value ?? 0, instructions: 0 };
    e.instructions += n;
    byFn.set(key, e);
  }
  return [...byFn.entries()]
    .map(([symbol, e]) => ({
      symbol,
      address: e.address,
      instructions: e.instructions,
      share: total === 0 ? 0 : e.instructions / total,
    }))
    .sort((a, b) => b.instructions - a.instructions || (a.symbol < b.symbol ? -1 : 1))
    .slice(0, top);
}

/** @internal The {@link EmulationFault} for a run that stopped short of its goal. */
export function fault(
  error: UnicornError | undefined,
  uc: Unicorn,
  counter: NativeCounter,
  symbols: SymbolMap,
  input?: number,
): EmulationFault {
  // Unicorn 2.0.1 leaves the PC at the start of the faulting basic block (in hooks and after
  // the run), so the PC names the block; the block lies within one function.
  const pc = uc.regRead(ARM_REG.PC);
  const mem = counter.fault();
  const errno = error?.errno ?? 0;
  const ucError = error === undefined ? "no Unicorn error" : strerror(errno);
  let symbol = symbols.describe(pc);
  if (symbol === "?") symbol = `? (called from ${symbols.describe(uc.regRead(ARM_REG.LR))})`;
  const base = {
    pc,
    symbol,
    errno,
    ucError,
    instructions: counter.instructions,
    ...(input !== undefined ? { input } : {}),
  };
  const memErrors: number[] = [
    UC.ERR_READ_UNMAPPED,
    UC.ERR_WRITE_UNMAPPED,
    UC.ERR_FETCH_UNMAPPED,
    UC.ERR_READ_PROT,
    UC.ERR_WRITE_PROT,
    UC.ERR_FETCH_PROT,
  ];
  if (mem && memErrors.includes(errno)) {
    const access = MEM_TYPE_NAMES[mem.type] ?? `access type ${mem.type}`;
    return new EmulationFault(`invalid memory ${access}`, {
      ...base,
      address: mem.address,
      access,
    });
  }
  if (errno === UC.ERR_EXCEPTION) {
    const reason = symbols.functionAt(pc)?.name === "mcu_fault_halt"
      ? "the firmware reached its fault handler"
      : "the CPU raised an exception (breakpoint or fault)";
    return new EmulationFault(reason, base);
  }
  if (errno === UC.ERR_INSN_INVALID) {
    return new EmulationFault("an undefined or unsupported instruction", base);
  }
  if (error) return new EmulationFault("Unicorn stopped with an error", base);
  return new EmulationFault("the emulation stopped before reaching mcu_halt", base);
}
