/**
 * The cycle and energy model: exact per-block counts from the emulator in, modelled cycles,
 * milliseconds and millijoules out (see docs/cycle-model.md).
 *
 * @module
 */
import type { ElfFile } from "../elf.ts";
import { PT_LOAD } from "../elf.ts";
import type { TimedCore } from "./cores.ts";
import type { BoardTiming } from "../../engine/target/mod.ts";
import {
  type CodeReader,
  type CountedBlock,
  type CountedMarker,
  type CycleReport,
  cycleReport,
  priceBlocks,
} from "./model.ts";

export type { BlockTiming, TimedCore } from "./cores.ts";
export { M4, M7, timeBlock } from "./cores.ts";
export type { BoardTiming, FetchPath, PowerProfile } from "../../engine/target/mod.ts";
export type { CodeReader, CountedBlock, CycleReport, PricedBlock, RegionCycles } from "./model.ts";
export { blockCoreCycles, cycleReport, priceBlocks, regionFigures } from "./model.ts";
export { decodeBlock, type Insn, type InsnClass } from "./thumb.ts";

/** Reads code bytes from the ELF's loadable segments by run-time address. */
export function elfCodeReader(elf: ElfFile, bytes: Uint8Array): CodeReader {
  const segs = elf.segments.filter((s) => s.type === PT_LOAD && s.filesz > 0);
  return (address, size) => {
    for (const s of segs) {
      if (address >= s.vaddr && address + size <= s.vaddr + s.filesz) {
        const off = s.offset + (address - s.vaddr);
        return bytes.subarray(off, off + size);
      }
    }
    return undefined;
  };
}

/** What {@link modelCycles} needs about the board. */
export interface CycleBoard {
  readonly core: TimedCore;
  readonly clockHz: number;
  readonly flash: { readonly base: number; readonly size: number };
  /** Without a timing profile: no memory stalls and no energy (zeros). */
  readonly timing?: BoardTiming;
}

/** Model one run: price every counted block and sum the regions between markers. */
export function modelCycles(
  blocks: readonly CountedBlock[],
  markers: readonly CountedMarker[],
  code: CodeReader,
  board: CycleBoard,
): CycleReport {
  const priced = priceBlocks(blocks, code, board.core, board.timing, board.flash);
  return cycleReport(priced, markers, board.core, board.clockHz, board.timing);
}
