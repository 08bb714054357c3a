/**
 * TinyNAS under a budget far below the board's (16 KiB SRAM / 64 KiB Flash on stm32f412, 28x28
 * grayscale, 10 classes): stage 1 finds a space, the evolution finds networks, and the winner
 * fits when compiled, built and emulated (needs `deno task setup`).
 */
import { assert } from "./_test_assert.ts";
import { getBoard } from "../engine/target/mod.ts";
import { createSearchEngine } from "./engine.ts";
import { TINY_SPACE } from "./space.ts";
import { runTinyNas } from "./tinynas.ts";

Deno.test("a 16 KiB / 64 KiB search for 28x28 grayscale networks evolves and its winner fits when measured", async () => {
  const result = await runTinyNas({
    board: getBoard("stm32f412"),
    head: { classes: 10, inputChannels: 1 },
    seed: 1,
    engine: createSearchEngine({ cacheDir: ".cache/firmware" }),
    space: TINY_SPACE,
    sramBytes: 16384,
    flashBytes: 65536,
    stage1Samples: 1000,
    latencyTable: false,
    evolution: {
      population: 10,
      parents: 4,
      mutationChildren: 5,
      crossoverChildren: 5,
      generations: 2,
      maxTries: 1000,
    },
  });
  assert(result.stage1.best !== undefined, "stage 1 found a space");
  assert(result.evolution.satisfied >= 10, `${result.evolution.satisfied} candidates satisfied`);
  const m = result.final.measured!;
  assert(result.final.fits, JSON.stringify(result.final.attempts));
  assert(m.peakSramBytes <= 16384, `SRAM ${m.peakSramBytes}`);
  assert(m.flashBytes <= 65536, `Flash ${m.flashBytes}`);
  assert(m.referenceMatch);
});
