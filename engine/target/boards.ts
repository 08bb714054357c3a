/**
 * Board profiles. Boards are data (`fixtures/boards.json`); the core picks the Unicorn CPU model
 * and gcc's `-mcpu`.
 *
 * @module
 */
import boardsJson from "../../fixtures/boards.json" with { type: "json" };
import { lookupNamed } from "../util/mod.ts";

/** Cortex-M cores the project targets. */
export type Core = "cortex-m7" | "cortex-m4";

/** A memory region: base address and size in bytes. */
export interface Region {
  readonly base: number;
  readonly size: number;
}

/** Instruction fetch from Flash through a cache (M7 L1 I-cache, or the STM32 ART accelerator). */
export interface FetchPath {
  /** `l1-icache`: Cortex-M7 instruction cache; `art`: ST's ART accelerator in front of Flash. */
  readonly kind: "l1-icache" | "art";
  /** Cache capacity in bytes. */
  readonly bytes: number;
  /** Line size in bytes. */
  readonly lineBytes: number;
  /** Core cycles a line miss stalls the pipeline (derived from the wait states, see the doc). */
  readonly missCycles: number;
}

/** Run-mode supply current: datasheet figure and conditions. */
export interface PowerProfile {
  /** Run-mode current per MHz of core clock, in µA/MHz. */
  readonly runMicroampsPerMhz: number;
  /** Supply voltage the figure is given at, in volts. */
  readonly volts: number;
  /** Where the figure comes from (document, table, conditions). */
  readonly source: string;
}

/** A board's memory-system and power profile for the cycle model (docs/cycle-model.md). */
export interface BoardTiming {
  /** Flash wait states at the board clock (reference manual latency table). */
  readonly flashWaitStates: number;
  readonly fetch: FetchPath;
  readonly power: PowerProfile;
  /** Sources of the figures above. */
  readonly sources: readonly string[];
}

/** One microcontroller board. */
export interface Board {
  readonly name: string;
  readonly description: string;
  readonly core: Core;
  readonly clockHz: number;
  readonly flash: Region;
  readonly sram: Region;
  /** Memory-system and power profile for the cycle and energy model (docs/cycle-model.md). */
  readonly timing?: BoardTiming;
}

/** All built-in boards by name, in a stable order. */
export const BOARDS: Readonly<Record<string, Board>> = Object.fromEntries(
  Object.entries(boardsJson).map((
    [name, b],
  ) => [name, { name, ...b, core: b.core as Core, timing: b.timing as BoardTiming }]),
);

/** The default board (the MCUNet paper's STM32F746). */
export const DEFAULT_BOARD = "stm32f746";

/**
 * Look a board up by name.
 *
 * @example
 * ```ts
 * const b = getBoard("stm32f746"); // b.sram.size === 327680
 * ```
 */
export function getBoard(name: string): Board {
  return lookupNamed(BOARDS, name, "board");
}

/**
 * A copy of a board with SRAM and Flash enlarged so that a model that does not fit can still be
 * measured on the same core (the paper tables print such figures).
 */
export function enlargedBoard(board: Board, minSram: number, minFlash: number): Board {
  const round = (n: number) => Math.ceil(n / 65536) * 65536;
  return {
    ...board,
    name: `${board.name}+enlarged`,
    sram: { ...board.sram, size: Math.max(board.sram.size, round(minSram)) },
    flash: { ...board.flash, size: Math.max(board.flash.size, round(minFlash)) },
  };
}
