/**
 * Run one batch-harness firmware over many inputs in one engine: the ELF is loaded once, the
 * firmware initialises once, and every inference runs on an input written into its input tensor.
 *
 * The contract (see `mcu_batch_next` in `fixtures/firmware/probe.h`): the harness's main calls
 * `mcu_batch_next()` before each inference. The emulator runs until the PC reaches that function
 * (Unicorn's exact `until` address), reads the previous inference's outputs, writes the next input,
 * and returns for the function (r0 = 1, PC = LR) without running its body; with no input left it
 * returns 0 and runs on to `mcu_halt`. Each inference is counted between its probe markers, as a
 * single run is, and has its own instruction budget.
 *
 * @module
 */
import type { Board } from "../engine/target/mod.ts";
import { BudgetExceededError, FirmwareError, UnicornError } from "./errors.ts";
import { ARM_REG } from "./ffi.ts";
import {
  checkedBudget,
  type EmulatedRun,
  fault,
  type LayerCount,
  type LoadedFirmware,
  loadFirmware,
  MARK,
  measureMemory,
  readSymbol,
  summarizeMarkers,
  writeSymbol,
} from "./run.ts";
import type { Marker, ProbeMode } from "./unicorn.ts";

/** The function a batch harness calls for its next input (see `probe.h`). */
export const BATCH_NEXT_SYMBOL = "mcu_batch_next";

/** Options of {@link runFirmwareBatch}. */
export interface BatchRunOptions {
  /** How many inputs to run. */
  readonly count: number;
  /**
   * The bytes to write before inference `index`, by symbol (usually `.noinit` input buffers).
   * Called once per input, in order, just before its inference, so inputs can be produced lazily.
   */
  readonly input: (index: number) => Readonly<Record<string, Uint8Array>>;
  /** Symbols to read after each inference (their size comes from the symbol table). */
  readonly outputs: readonly string[];
  /**
   * Instruction budget of the initialisation and of each inference, separately
   * (default {@link DEFAULT_BUDGET}).
   */
  readonly budget?: number;
  /** How the probe is observed (see {@link RunOptions.probe}). @default "mmio" */
  readonly probe?: Exclude<ProbeMode, "none">;
  /** Called after each inference's outputs are read (about 100 times per batch at most). */
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Index of this batch's first input in a larger one split over several engines: errors name
   * `indexOffset + index`. @default 0
   */
  readonly indexOffset?: number;
}

/** What a batch run measured. Counts are exact and repeatable. */
export interface BatchRunResult extends EmulatedRun {
  /** Instructions of each inference, between its begin and end markers, in input order. */
  readonly inferenceInstructions: readonly number[];
  /** Per-layer instructions summed over every inference (`occurrences` = inferences). */
  readonly layers: readonly LayerCount[];
  /** The output symbols' bytes after each inference, in input order. */
  readonly outputs: readonly Readonly<Record<string, Uint8Array>>[];
}

/**
 * Run a batch-harness firmware (built with `harness: "batch"`) over `options.count` inputs.
 *
 * Throws {@link FirmwareError} (no `mcu_batch_next` or `mcu_halt`, bad symbol, or a firmware
 * that halts before every input ran, naming the input), {@link EmulationFault} and
 * {@link BudgetExceededError} naming the input index, or {@link MarkerError}.
 *
 * @example
 * ```ts ignore
 * const r = runFirmwareBatch({ elf, board }, {
 *   count: images.length,
 *   input: (i) => ({ mcu_input: images[i] }),
 *   outputs: ["mcu_output"],
 * });
 * // r.outputs[i].mcu_output, r.inferenceInstructions[i]
 * ```
 */
export function runFirmwareBatch(
  image: { readonly elf: Uint8Array; readonly board: Board },
  options: BatchRunOptions,
): BatchRunResult {
  const { count } = options;
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new RangeError(`Cannot run a batch of ${count} inputs: not a count`);
  }
  const budget = checkedBudget(options.budget);
  using machine = loadFirmware(image, { budget, probe: options.probe ?? "mmio" });
  const { uc, counter, symbols } = machine;
  const next = symbols.get(BATCH_NEXT_SYMBOL);
  if (!next || next.type !== "func") {
    throw new FirmwareError(
      `Cannot run a batch: the firmware has no ${BATCH_NEXT_SYMBOL} function (compile it with ` +
        `the batch harness, harness: "batch")`,
    );
  }
  const step = Math.max(1, Math.floor(count / 100));
  const outputs: Readonly<Record<string, Uint8Array>>[] = [];
  let served = 0; // inputs handed to the firmware so far
  let pc = machine.elf.entry | 1;
  uc.regWrite(ARM_REG.SP, machine.stackTop);
  for (;;) {
    const finishing = served === count && outputs.length === count;
    const until = finishing ? machine.halt : next.value;
    // The input being processed (the last one handed over), or undefined during init.
    const current = served === 0 ? undefined : served - 1 + (options.indexOffset ?? 0);
    const stop = runUntil(machine, pc, until, budget, current);
    if (finishing) {
      if (stop !== machine.halt) throw fault(undefined, uc, counter, symbols, current);
      break;
    }
    if (stop !== next.value) {
      if (stop === machine.halt) {
        const status = uc.regRead(ARM_REG.R0) | 0;
        throw new FirmwareError(
          current === undefined
            ? `Cannot run the batch: the firmware halted with status ${status} before its first ` +
              "inference (its initialisation failed)"
            : `Cannot run input ${current}: the firmware halted with status ${status} after its ` +
              "inference (the inference failed)",
        );
      }
      throw fault(undefined, uc, counter, symbols, current);
    }
    if (served > 0) {
      const out: Record<string, Uint8Array> = {};
      for (const name of options.outputs) out[name] = readSymbol(machine, name);
      outputs.push(out);
      if (options.onProgress && (outputs.length % step === 0 || outputs.length === count)) {
        options.onProgress(outputs.length, count);
      }
    }
    let more = 0;
    if (served < count) {
      for (const [name, bytes] of Object.entries(options.input(served))) {
        writeSymbol(machine, name, bytes);
      }
      served++;
      more = 1;
    }
    // Return from mcu_batch_next for the firmware: r0 = whether an input is ready.
    uc.regWrite(ARM_REG.R0, more);
    pc = uc.regRead(ARM_REG.LR) | 1;
  }

  const markers = counter.markers();
  const summary = summarizeMarkers(markers);
  const perInference = inferenceCounts(markers);
  if (perInference.length !== count) {
    throw new FirmwareError(
      `Cannot run a batch of ${count} inputs: the firmware marked ${perInference.length} ` +
        "inferences (each inference must be between MCU_MARK_INFERENCE_BEGIN and _END)",
    );
  }
  return {
    board: machine.board.name,
    core: machine.board.core,
    cpuModel: uc.cpuModel(),
    exitStatus: uc.regRead(ARM_REG.R0) | 0,
    totalInstructions: counter.instructions,
    initInstructions: summary.initInstructions,
    inferenceInstructions: perInference,
    layers: summary.layers,
    ...measureMemory(machine),
    outputs,
  };
}

/**
 * Run from `begin` until the PC reaches `until`, with `budget` instructions from now; returns
 * the PC where it stopped. Faults and budget overruns throw, naming `input`.
 */
function runUntil(
  machine: LoadedFirmware,
  begin: number,
  until: number,
  budget: number,
  input: number | undefined,
): number {
  const { uc, counter, symbols } = machine;
  const start = counter.instructions;
  counter.setBudget(start + budget);
  let error: UnicornError | undefined;
  try {
    uc.emuStart(begin, until);
  } catch (e) {
    if (!(e instanceof UnicornError)) throw e;
    error = e;
  }
  const pc = uc.regRead(ARM_REG.PC);
  if (counter.budgetExceeded) {
    throw new BudgetExceededError({
      budget,
      instructions: counter.instructions - start,
      pc,
      symbol: symbols.describe(pc),
      ...(input !== undefined ? { input } : {}),
    });
  }
  if (error !== undefined) {
    // Halting while the run was set to stop at mcu_batch_next: its bkpt raised the exception.
    if (symbols.functionAt(pc)?.value === machine.halt) return machine.halt;
    throw fault(error, uc, counter, symbols, input);
  }
  return pc;
}

/** Each inference's instructions, from its begin/end marker pair, in order. */
function inferenceCounts(markers: readonly Marker[]): number[] {
  const out: number[] = [];
  let begin = -1;
  for (const m of markers) {
    if (m.code === MARK.INFERENCE_BEGIN) begin = m.instructions;
    else if (m.code === MARK.INFERENCE_END && begin >= 0) {
      out.push(m.instructions - begin);
      begin = -1;
    }
  }
  return out;
}
