/**
 * Whether a model fits a board: the one place that decides it, and the typed error that says by
 * how much it does not. Callers pass what they know (a compile-time plan, or measured sizes).
 *
 * @module
 */
import type { Board } from "./boards.ts";

/** Memory a model needs on a board. */
export interface MemoryNeed {
  /** SRAM bytes: static data + arena + stack (or the arena plus a margin, before building). */
  readonly sramBytes: number;
  /** Flash bytes of the loadable image. */
  readonly flashBytes: number;
  /** Where the SRAM peak is, e.g. `layer 5 (CONV_2D)`, when known. */
  readonly peak?: string;
}

/** One resource a model needs more of than the board has. */
export interface Shortfall {
  readonly resource: "SRAM" | "Flash";
  readonly needed: number;
  readonly available: number;
}

/**
 * The resources `need` exceeds on `board` (empty when it fits).
 *
 * @example
 * ```ts
 * import { getBoard } from "./boards.ts";
 * import { shortfalls } from "./fit.ts";
 * shortfalls({ sramBytes: 400000, flashBytes: 1 }, getBoard("stm32f746"));
 * // [{ resource: "SRAM", needed: 400000, available: 327680 }]
 * ```
 */
export function shortfalls(need: MemoryNeed, board: Board): Shortfall[] {
  const out: Shortfall[] = [];
  if (need.sramBytes > board.sram.size) {
    out.push({ resource: "SRAM", needed: need.sramBytes, available: board.sram.size });
  }
  if (need.flashBytes > board.flash.size) {
    out.push({ resource: "Flash", needed: need.flashBytes, available: board.flash.size });
  }
  return out;
}

function shortfallText(s: readonly Shortfall[]): string {
  return s.map((x) =>
    `needs ${x.needed} bytes of ${x.resource}, board has ${x.available} (${
      x.needed - x.available
    } over)`
  ).join("; ");
}

/**
 * The verdict line of a model that does not fit, or undefined when it fits.
 *
 * @example
 * ```ts
 * import { getBoard } from "./boards.ts";
 * import { fitMessage } from "./fit.ts";
 * fitMessage({ peakSramBytes: 400000, flashBytes: 900000 }, getBoard("stm32f746"));
 * // "does not fit: needs 400000 bytes of SRAM, board has 327680 (72320 over)"
 * ```
 */
export function fitMessage(
  measured: { readonly peakSramBytes: number; readonly flashBytes: number },
  board: Board,
  peak?: string,
): string | undefined {
  const s = shortfalls(
    { sramBytes: measured.peakSramBytes, flashBytes: measured.flashBytes },
    board,
  );
  const where = peak && s.some((x) => x.resource === "SRAM") ? ` (SRAM peak at ${peak})` : "";
  return s.length ? `does not fit: ${shortfallText(s)}${where}` : undefined;
}

/** A model does not fit a board: what it needs, what the board has, and where the peak is. */
export class DoesNotFitError extends Error {
  /** The board it was meant for. */
  readonly board: string;
  /** Each resource it needs more of. */
  readonly shortfalls: readonly Shortfall[];
  /** Where the SRAM peak is, when known. */
  readonly peak: string | undefined;

  constructor(model: string, board: Board, need: MemoryNeed) {
    const s = shortfalls(need, board);
    super(
      `Cannot fit '${model}' on ${board.name}: ${shortfallText(s)}${
        need.peak ? ` (SRAM peak at ${need.peak})` : ""
      }`,
    );
    this.name = "DoesNotFitError";
    this.board = board.name;
    this.shortfalls = s;
    this.peak = need.peak;
  }
}
