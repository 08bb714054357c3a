/**
 * Errors raised by the emulator.
 *
 * @module
 */

/** A Unicorn API call failed; carries Unicorn's error number and `uc_strerror` text. */
export class UnicornError extends Error {
  /** The `uc_err` code. */
  readonly errno: number;
  /** The Unicorn function that failed. */
  readonly call: string;

  /** `call` is what could not be done ("map 0x0+0x1000"), `text` is `uc_strerror(errno)`. */
  constructor(call: string, errno: number, text: string) {
    super(`Cannot ${call}: ${text} (uc_err ${errno})`);
    this.name = "UnicornError";
    this.errno = errno;
    this.call = call;
  }
}

/** An ELF file is malformed, truncated or not a 32-bit little-endian ARM image. */
export class ElfFormatError extends Error {
  /** `message` says what is wrong ("Cannot parse the ELF file: ..."). */
  constructor(message: string) {
    super(message);
    this.name = "ElfFormatError";
  }
}

/** Details of an {@link EmulationFault}. */
export interface EmulationFaultInfo {
  /** Program counter when the emulation stopped (Unicorn 2.0.1: the faulting block's start). */
  readonly pc: number;
  /** The function symbol containing the PC (`"?"` when none does). */
  readonly symbol: string;
  /** The faulting data or fetch address for unmapped/protection errors. */
  readonly address?: number;
  /** The access kind for memory faults (`read (unmapped)`, ...). */
  readonly access?: string;
  /** Unicorn's error number (0 when the run stopped without an error). */
  readonly errno: number;
  /** Unicorn's error text. */
  readonly ucError: string;
  /** Instructions executed before the fault. */
  readonly instructions: number;
  /** In a batch run: the index of the input whose inference (or whose setup) faulted. */
  readonly input?: number;
}

/** The firmware did something the CPU could not complete (bad access, fault, undefined insn). */
export class EmulationFault extends Error implements EmulationFaultInfo {
  /** Program counter (Unicorn 2.0.1: the start of the faulting basic block). */
  readonly pc: number;
  /** The function containing `pc` (`name+0xoff`, or `"?"` with the caller). */
  readonly symbol: string;
  /** The faulting data or fetch address, for memory faults. */
  readonly address?: number;
  /** The access kind, for memory faults. */
  readonly access?: string;
  /** Unicorn's error number. */
  readonly errno: number;
  /** Unicorn's error text. */
  readonly ucError: string;
  /** Instructions counted before the fault. */
  readonly instructions: number;
  /** In a batch run: the input being processed. */
  readonly input?: number;
  /** What went wrong, without the location ("invalid memory write (unmapped)"). */
  readonly reason: string;

  /** `reason` says what went wrong ("invalid memory write (unmapped)"). */
  constructor(reason: string, info: EmulationFaultInfo) {
    const addr = info.address === undefined ? "" : ` at 0x${info.address.toString(16)}`;
    const what = info.input === undefined
      ? "the emulation"
      : `the emulation of input ${info.input}`;
    super(
      `Cannot finish ${what}: ${reason}${addr} in ${info.symbol} ` +
        `(pc=0x${info.pc.toString(16)}; ${info.ucError})`,
    );
    this.name = "EmulationFault";
    this.reason = reason;
    this.pc = info.pc;
    this.symbol = info.symbol;
    if (info.address !== undefined) this.address = info.address;
    if (info.access !== undefined) this.access = info.access;
    this.errno = info.errno;
    this.ucError = info.ucError;
    this.instructions = info.instructions;
    if (info.input !== undefined) this.input = info.input;
  }
}

/** The firmware ran past its instruction budget (e.g. an infinite loop). */
export class BudgetExceededError extends Error {
  /** The budget that was exceeded. */
  readonly budget: number;
  /** Instructions executed when the run stopped (slightly above the budget). */
  readonly instructions: number;
  /** Where the run stopped. */
  readonly pc: number;
  /** The function containing `pc` (`name+0xoff`, or `"?"`). */
  readonly symbol: string;
  /** In a batch run: the input whose inference ran past the budget (the budget is per input). */
  readonly input?: number;

  /** Build the error from the counts at the stop (`instructions` since the budget started). */
  constructor(
    info: { budget: number; instructions: number; pc: number; symbol: string; input?: number },
  ) {
    const what = info.input === undefined
      ? "the emulation: the instruction budget"
      : `the emulation of input ${info.input}: the per-input instruction budget`;
    super(
      `Cannot finish ${what} of ${info.budget} was exceeded ` +
        `(${info.instructions} instructions executed, pc=0x${
          info.pc.toString(16)
        } in ${info.symbol})`,
    );
    this.name = "BudgetExceededError";
    this.budget = info.budget;
    this.instructions = info.instructions;
    this.pc = info.pc;
    this.symbol = info.symbol;
    if (info.input !== undefined) this.input = info.input;
  }
}

/** The firmware cannot be run as a mcunet-bench image (no `mcu_halt`, missing symbol, ...). */
export class FirmwareError extends Error {
  /** `message` says what cannot be done and why. */
  constructor(message: string) {
    super(message);
    this.name = "FirmwareError";
  }
}

/** The probe markers the firmware wrote do not form a valid sequence. */
export class MarkerError extends Error {
  /** `message` names the offending marker. */
  constructor(message: string) {
    super(message);
    this.name = "MarkerError";
  }
}
