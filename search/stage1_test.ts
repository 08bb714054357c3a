import { assert, assertEquals } from "./_test_assert.ts";
import { getBoard } from "../engine/target/mod.ts";
import { committedCalibration } from "./calibration.ts";
import { MCUNET_SPACE } from "./space.ts";
import { rankPairs, runStage1, type Stage1Options } from "./stage1.ts";

function options(board: string, extra: Partial<Stage1Options> = {}): Stage1Options {
  const b = getBoard(board);
  return {
    space: MCUNET_SPACE,
    head: { classes: 1000, inputChannels: 3 },
    limits: { sramBytes: b.sram.size, flashBytes: b.flash.size },
    calibration: committedCalibration(b.core),
    seed: 1,
    samples: 60,
    ...extra,
  };
}

Deno.test("stage 1 prefers different spaces on stm32f746 and stm32f412", () => {
  const f746 = runStage1(options("stm32f746")).best!;
  const f412 = runStage1(options("stm32f412")).best!;
  assert(f746 && f412);
  assert(
    f746.width !== f412.width || f746.resolution !== f412.resolution,
    `both chose w${f746.width}-r${f746.resolution}`,
  );
  // More SRAM affords more computation.
  assert(f746.meanMacs > f412.meanMacs);
});

Deno.test("stage 1 is seeded, and merged shards rank like one run", () => {
  const whole = runStage1(options("stm32f412"));
  assertEquals(runStage1(options("stm32f412")).pairs, whole.pairs);
  const shards = [0, 1, 2].flatMap((index) =>
    runStage1(options("stm32f412", { shard: { index, count: 3 } })).pairs
  ).sort((a, b) => a.width - b.width || a.resolution - b.resolution);
  const merged = rankPairs(shards);
  assertEquals(
    merged.ranking.map((p) => [p.width, p.resolution]),
    whole.ranking.map((p) => [p.width, p.resolution]),
  );
});

Deno.test("stage 1 counts only models within the SRAM and Flash limits", () => {
  const tight = runStage1(
    options("stm32f412", { limits: { sramBytes: 64 * 1024, flashBytes: 256 * 1024 } }),
  );
  const loose = runStage1(options("stm32f412"));
  const sat = (r: typeof tight) => r.pairs.reduce((n, p) => n + p.satisfied, 0);
  assert(sat(tight) < sat(loose));
  for (const p of tight.pairs) for (const m of p.macs) assert(m > 0);
});
