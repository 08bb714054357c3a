/**
 * The measuring instrument: run a Cortex-M firmware image in Unicorn and count what it does.
 *
 * ```ts
 * import type { Board } from "../engine/target/boards.ts";
 * declare const board: Board;
 * declare const elf: Uint8Array;
 * declare const mcu_input: Uint8Array;
 * import { runFirmware } from "./mod.ts";
 * const r = runFirmware({ elf, board }, { inputs: { mcu_input }, outputs: ["mcu_output"] });
 * r.inferenceInstructions; r.layers; r.sram.peakBytes; r.flash.bytes; r.outputs.mcu_output;
 * ```
 *
 * @module
 */
export {
  DEFAULT_BUDGET,
  type EmulatedRun,
  type FlashUsage,
  type LayerCount,
  MARK,
  type MarkerSummary,
  PPB_BASE,
  PPB_SIZE,
  PROBE_ADDRESS,
  PROBE_SIZE,
  type ProfileEntry,
  runFirmware,
  type RunOptions,
  type RunResult,
  type SramUsage,
  summarizeMarkers,
} from "./run.ts";
export {
  BATCH_NEXT_SYMBOL,
  type BatchRunOptions,
  type BatchRunResult,
  runFirmwareBatch,
} from "./batch.ts";
export {
  BudgetExceededError,
  ElfFormatError,
  EmulationFault,
  type EmulationFaultInfo,
  FirmwareError,
  MarkerError,
  UnicornError,
} from "./errors.ts";
export {
  type ElfFile,
  type ElfSection,
  type ElfSegment,
  type ElfSymbol,
  type ElfSymbolType,
  parseElf,
  SymbolMap,
} from "./elf.ts";
export {
  type BlockStat,
  type CounterOptions,
  CPU_MODELS,
  type Marker,
  type MemoryFault,
  NativeCounter,
  type ProbeMode,
  Unicorn,
} from "./unicorn.ts";
export {
  buildNativeHelper,
  type BuildNativeHelperOptions,
  NATIVE_HELPER_PATH,
  type NativeHelperBuild,
} from "./native/build.ts";
