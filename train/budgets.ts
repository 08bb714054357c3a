/**
 * The memory budgets of the accuracy table (MCUNet's: 16 KiB / 64 KiB and 64 KiB / 256 KiB on an
 * M4 board, 320 KiB / 1 MiB on stm32f746) and the board a budget turns into: the real board with
 * its SRAM and Flash sizes cut to the budget, so "fits" is measured against the budget.
 *
 * @module
 */
import { type Board, getBoard } from "../engine/target/mod.ts";

/** A memory budget on a board. */
export interface Budget {
  /** Short name used in rows and tables, e.g. `16k-64k`. */
  readonly name: string;
  readonly board: string;
  readonly sram: number;
  readonly flash: number;
}

/** The table's budgets. */
export const BUDGETS: readonly Budget[] = [
  { name: "16k-64k", board: "stm32f412", sram: 16 * 1024, flash: 64 * 1024 },
  { name: "64k-256k", board: "stm32f412", sram: 64 * 1024, flash: 256 * 1024 },
  { name: "320k-1m", board: "stm32f746", sram: 320 * 1024, flash: 1024 * 1024 },
];

/** A budget by name; an unknown name is a RangeError listing the known ones. */
export function getBudget(name: string): Budget {
  const b = BUDGETS.find((x) => x.name === name);
  if (!b) {
    throw new RangeError(
      `Unknown budget '${name}': known budgets are ${BUDGETS.map((x) => x.name).join(", ")}`,
    );
  }
  return b;
}

/**
 * The board of a budget: the named board with SRAM and Flash sizes set to the budget.
 *
 * @example
 * ```ts
 * import { budgetBoard } from "./budgets.ts";
 * const board = budgetBoard({ name: "16k-64k", board: "stm32f412", sram: 16384, flash: 65536 });
 * if (board.sram.size !== 16384) throw new Error("unexpected");
 * ```
 */
export function budgetBoard(budget: Budget): Board {
  const base = getBoard(budget.board);
  return {
    ...base,
    name: `${base.name}-${budget.name}`,
    sram: { ...base.sram, size: budget.sram },
    flash: { ...base.flash, size: budget.flash },
  };
}
