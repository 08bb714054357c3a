import { assert, assertEquals } from "./_test_assert.ts";
import { DEFAULT_CALIBRATION, estimateCost } from "./cost.ts";
import { type Evaluated, evolve, paretoFront } from "./evolution.ts";
import { type Arch, archViolation, MCUNET_SPACE, toMbconvArch } from "./space.ts";

const PAIR = { width: 0.3, resolution: 64 };
const LIMIT = 3_000_000;

async function search(seed: number) {
  const seen: number[] = [];
  const evaluate = (arch: Arch): Promise<Evaluated<number> | undefined> => {
    assertEquals(archViolation(MCUNET_SPACE, arch), undefined);
    const cost = estimateCost(
      toMbconvArch(MCUNET_SPACE, arch, { classes: 10, inputChannels: 3 }),
      DEFAULT_CALIBRATION,
    );
    seen.push(cost.macs);
    const ok = cost.macs <= LIMIT;
    return Promise.resolve(
      ok ? { arch, key: JSON.stringify(arch), score: cost.macs, metrics: cost.macs } : undefined,
    );
  };
  const r = await evolve({
    space: MCUNET_SPACE,
    pair: PAIR,
    seed,
    evaluate,
    population: 20,
    parents: 5,
    mutationChildren: 10,
    crossoverChildren: 10,
    generations: 6,
  });
  return { r, seen };
}

Deno.test("evolution keeps only satisfying candidates and improves the best score", async () => {
  const { r } = await search(1);
  for (const c of r.population) assert(c.metrics <= LIMIT);
  assertEquals(r.history.length, 7);
  for (let i = 1; i < r.history.length; i++) assert(r.history[i]! >= r.history[i - 1]!);
  assert(r.best.score === r.population[0]!.score);
});

Deno.test("evolution with the same seed gives the same result", async () => {
  const a = await search(5);
  const b = await search(5);
  assertEquals(a.r.best.key, b.r.best.key);
  assertEquals(a.seen, b.seen);
  const c = await search(6);
  assert(c.seen.join() !== a.seen.join());
});

Deno.test("paretoFront keeps points no other point beats on both axes", () => {
  const pts = [
    { score: 1, cost: 1 },
    { score: 2, cost: 3 },
    { score: 1.5, cost: 4 },
    { score: 3, cost: 5 },
    { score: 0.5, cost: 0.5 },
  ];
  assertEquals(paretoFront(pts), [4, 0, 1, 3]);
});

Deno.test("evolve scores each generation's new candidates in one batch when scoreBatch is given", async () => {
  const batches: number[] = [];
  const evaluate = (arch: Arch): Promise<Evaluated<number> | undefined> =>
    Promise.resolve({ arch, key: JSON.stringify(arch), score: 0, metrics: 0 });
  // The batch score is the total depth: the evolution must move towards deeper networks.
  const depth = (a: Arch) => a.stages.reduce((s, g) => s + g.depth, 0);
  const r = await evolve({
    space: MCUNET_SPACE,
    pair: PAIR,
    seed: 2,
    evaluate,
    scoreBatch: (cs) => {
      batches.push(cs.length);
      return Promise.resolve(cs.map((c) => depth(c.arch)));
    },
    population: 12,
    parents: 4,
    mutationChildren: 6,
    crossoverChildren: 6,
    generations: 4,
  });
  assertEquals(batches, [12, 12, 12, 12, 12]);
  for (const c of r.population) assertEquals(c.score, depth(c.arch));
  assert(r.history[4]! >= r.history[0]!);
});
