/**
 * Board profiles. Boards are data (`fixtures/boards.json`); the core picks the Unicorn CPU model
 * and gcc's `-mcpu`.
 *
 * @module
 */
import boardsJson from "../../fixtures/boards.json" with { type: "json" };

/** Cortex-M cores the project targets. */
export type Core = "cortex-m7" | "cortex-m4";

/** A memory region: base address and size in bytes. */
export interface Region {
  readonly base: number;
  readonly size: number;
}

/** One microcontroller board. */
export interface Board {
  readonly name: string;
  readonly description: string;
  readonly core: Core;
  readonly clockHz: number;
  readonly flash: Region;
  readonly sram: Region;
}

/** All built-in boards by name, in a stable order. */
export const BOARDS: Readonly<Record<string, Board>> = Object.fromEntries(
  Object.entries(boardsJson).map(([name, b]) => [name, { name, ...b, core: b.core as Core }]),
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
  const b = BOARDS[name];
  if (!b) {
    throw new RangeError(
      `Cannot find board '${name}': known boards are ${Object.keys(BOARDS).join(", ")}`,
    );
  }
  return b;
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
