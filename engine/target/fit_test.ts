import assert from "node:assert/strict";
import { getBoard } from "./boards.ts";
import { DoesNotFitError, fitMessage, shortfalls } from "./fit.ts";

const board = getBoard("stm32f746");

Deno.test("shortfalls lists each resource the need exceeds, none at the limit", () => {
  assert.deepEqual(
    shortfalls({ sramBytes: board.sram.size, flashBytes: board.flash.size }, board),
    [],
  );
  assert.deepEqual(
    shortfalls({ sramBytes: board.sram.size + 1, flashBytes: board.flash.size + 2 }, board),
    [
      { resource: "SRAM", needed: board.sram.size + 1, available: board.sram.size },
      { resource: "Flash", needed: board.flash.size + 2, available: board.flash.size },
    ],
  );
});

Deno.test("DoesNotFitError carries needed, available and the peak", () => {
  const e = new DoesNotFitError("m", board, {
    sramBytes: 400000,
    flashBytes: 10,
    peak: "layer 3 (CONV_2D)",
  });
  assert.equal(e.name, "DoesNotFitError");
  assert.deepEqual(e.shortfalls, [{ resource: "SRAM", needed: 400000, available: 327680 }]);
  assert.equal(e.peak, "layer 3 (CONV_2D)");
  assert.match(
    e.message,
    /^Cannot fit 'm' on stm32f746: needs 400000 bytes of SRAM, board has 327680/,
  );
});

Deno.test("fitMessage is undefined when the measured model fits", () => {
  assert.equal(fitMessage({ peakSramBytes: 1, flashBytes: 1 }, board), undefined);
  assert.equal(
    fitMessage({ peakSramBytes: 400000, flashBytes: 1 }, board),
    "does not fit: needs 400000 bytes of SRAM, board has 327680 (72320 over)",
  );
});
