/**
 * The super-network worker for real (PyTorch and Fashion-MNIST: `deno task setup`): a checkpoint
 * from a very short training, scored by the live worker and by two `score --shard i/2` batch jobs
 * that must together give the same accuracies.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { createRng } from "../engine/util/mod.ts";
import { createDefaultArch, sampleArch, TINY_SPACE } from "../search/mod.ts";
import { resolveDataset } from "./dataset.ts";
import { DEFAULT_RECIPE } from "./recipe.ts";
import {
  startSubnetScorer,
  subnetOf,
  type SupernetJob,
  supernetSpace,
  trainSupernet,
} from "./supernet.ts";
import { runWorkerScript, workerScript } from "./worker.ts";

Deno.test("live scoring and sharded score jobs give the same subnet accuracies", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const head = { classes: 10, inputChannels: 1 };
    const pair = { width: 0.05, resolution: 28 };
    const job: SupernetJob = {
      space: supernetSpace(TINY_SPACE, pair, head),
      recipe: { ...DEFAULT_RECIPE, epochs: 1 },
      seed: 1,
      splitSeed: 0,
      threads: 1,
      dataDir: resolveDataset("fashion-mnist"),
      outDir: dir,
      sandwichRandom: 1,
      trainImages: 512,
      validationImages: 5000,
      scoreImages: 200,
      recalibrationImages: 100,
    };
    const trained = await trainSupernet(job);
    strictEqual(trained.subnetsPerStep, 3);
    const rng = createRng(9);
    const subnets = [
      subnetOf(TINY_SPACE, createDefaultArch(TINY_SPACE, pair), head),
      ...Array.from(
        { length: 3 },
        () => subnetOf(TINY_SPACE, sampleArch(TINY_SPACE, rng, pair), head),
      ),
    ];
    const scorer = await startSubnetScorer({ ...job, checkpoint: trained.checkpoint });
    const live = await scorer.score(subnets);
    const again = await scorer.score(subnets.slice(1, 2));
    await scorer.close();
    strictEqual(live.length, 4);
    ok(live.every((a) => a >= 0 && a <= 1));
    strictEqual(again[0], live[1], "the same subnet scores the same in a later batch");
    const scoreJob = `${dir}/score.json`;
    await Deno.writeTextFile(
      scoreJob,
      JSON.stringify({ ...job, checkpoint: trained.checkpoint, subnets }),
    );
    const sharded: number[] = new Array(subnets.length);
    for (const i of [1, 2]) {
      await runWorkerScript(workerScript("supernet_worker.py"), [
        "score",
        scoreJob,
        "--shard",
        `${i}/2`,
      ], { threads: 1 });
      const part = JSON.parse(await Deno.readTextFile(`${dir}/scores.${i}-of-2.json`));
      part.accuracies.forEach((a: number, k: number) => (sharded[i - 1 + 2 * k] = a));
    }
    deepStrictEqual(sharded, live);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
