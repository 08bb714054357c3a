/**
 * Stage 2 of TinyNAS: evolutionary search inside the chosen (width, resolution) space, as
 * published for MCUNet/OFA: a population of 100, the top 20 as parents, 50 children by mutation
 * (each gene resampled with probability 0.1) and 50 by crossover per generation, 30 generations.
 * Children that violate the constraints are redrawn. Seeded and deterministic.
 *
 * @module
 */
import { createRng, type Rng } from "../engine/util/mod.ts";
import {
  type Arch,
  archKey,
  crossoverArch,
  mutateArch,
  sampleArch,
  type SearchSpace,
} from "./space.ts";

/** A candidate that satisfies the constraints, with its score and measurements. */
export interface Evaluated<M = unknown> {
  readonly arch: Arch;
  readonly key: string;
  /** Quality score, higher is better. */
  readonly score: number;
  /** Whatever the evaluator measured (cost, latency, memory). */
  readonly metrics: M;
}

/** Options of {@link evolve}. */
export interface EvolutionOptions<M> {
  readonly space: SearchSpace;
  readonly pair: { readonly width: number; readonly resolution: number };
  readonly seed: number;
  /** Score a candidate, or undefined when it violates a constraint. */
  readonly evaluate: (arch: Arch) => Promise<Evaluated<M> | undefined>;
  /** @default 100 */
  readonly population?: number;
  /** @default 20 */
  readonly parents?: number;
  /** @default 50 */
  readonly mutationChildren?: number;
  /** @default 50 */
  readonly crossoverChildren?: number;
  /** @default 0.1 */
  readonly mutateProb?: number;
  /** @default 30 */
  readonly generations?: number;
  /**
   * An expensive exact check (e.g. the compile-time memory plan) run only on candidates that
   * reach the parent set; it returns the candidate with exact metrics, or undefined to drop it.
   * Results are cached by key.
   */
  readonly confirm?: (candidate: Evaluated<M>) => Promise<Evaluated<M> | undefined>;
  /**
   * Score new candidates together (e.g. subnets of a trained super-network, in one worker
   * request); replaces the scores `evaluate` gave them. Called once for the initial population
   * and once per generation with its new children. @default the scores of `evaluate`
   */
  readonly scoreBatch?: (candidates: readonly Evaluated<M>[]) => Promise<readonly number[]>;
  /** Draws per child (or initial member) before giving up on it. @default 100 */
  readonly maxTries?: number;
  /** Called after initialization (generation 0) and after each generation. */
  readonly onGeneration?: (
    generation: number,
    population: readonly Evaluated<M>[],
  ) => void | Promise<void>;
}

/** Result of {@link evolve}. */
export interface EvolutionResult<M> {
  readonly best: Evaluated<M>;
  /** The final population, best first. */
  readonly population: readonly Evaluated<M>[];
  /** Best score after each generation (index 0: initial population). */
  readonly history: readonly number[];
  /** Candidates drawn and how many satisfied the constraints. */
  readonly drawn: number;
  readonly satisfied: number;
}

function byScore<M>(a: Evaluated<M>, b: Evaluated<M>): number {
  return b.score - a.score || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/**
 * Run the evolutionary search.
 *
 * @example
 * ```ts ignore
 * const result = await evolve({ space, pair: { width: 0.5, resolution: 160 }, seed: 1, evaluate });
 * result.best.arch;
 * ```
 */
export async function evolve<M>(options: EvolutionOptions<M>): Promise<EvolutionResult<M>> {
  const popSize = options.population ?? 100;
  const nParents = options.parents ?? 20;
  const nMut = options.mutationChildren ?? 50;
  const nCross = options.crossoverChildren ?? 50;
  const prob = options.mutateProb ?? 0.1;
  const generations = options.generations ?? 30;
  const maxTries = options.maxTries ?? 100;
  const rng: Rng = createRng(options.seed);
  let drawn = 0;
  let satisfied = 0;
  const tryDraw = async (draw: () => Arch, taken: Set<string>) => {
    for (let t = 0; t < maxTries; t++) {
      const arch = draw();
      const key = archKey(arch);
      if (taken.has(key)) continue;
      drawn++;
      const e = await options.evaluate(arch);
      if (e) {
        satisfied++;
        taken.add(key);
        return e;
      }
    }
    return undefined;
  };

  const rescore = async (fresh: Evaluated<M>[]): Promise<Evaluated<M>[]> => {
    if (!options.scoreBatch || fresh.length === 0) return fresh;
    const scores = await options.scoreBatch(fresh);
    return fresh.map((c, i) => ({ ...c, score: scores[i] ?? Number.NEGATIVE_INFINITY }));
  };
  const confirmed = new Map<string, Evaluated<M> | undefined>();
  /**
   * Sort, then confirm the top `count` until they are all confirmed (failures dropped). The last
   * generation is confirmed whole, so the final population satisfies the exact check.
   */
  const rank = async (pop: Evaluated<M>[], count = nParents): Promise<Evaluated<M>[]> => {
    pop.sort(byScore);
    if (!options.confirm) return pop;
    for (;;) {
      let changed = false;
      const out: Evaluated<M>[] = [];
      for (const c of pop) {
        if (out.length >= count || !options.confirm) {
          out.push(c);
          continue;
        }
        if (!confirmed.has(c.key)) confirmed.set(c.key, await options.confirm(c));
        const exact = confirmed.get(c.key);
        if (exact) out.push(exact);
        if (exact !== c) changed = true;
      }
      out.sort(byScore);
      pop = out;
      if (!changed) return pop;
    }
  };
  let population: Evaluated<M>[] = [];
  const taken = new Set<string>();
  for (let i = 0; i < popSize; i++) {
    const e = await tryDraw(() => sampleArch(options.space, rng, options.pair), taken);
    if (e) population.push(e);
  }
  if (population.length === 0) {
    throw new Error(
      `Cannot start the evolution at width ${options.pair.width}, resolution ${options.pair.resolution}: no sampled architecture satisfies the constraints`,
    );
  }
  population = await rank(await rescore(population));
  if (population.length === 0) {
    throw new Error("Cannot start the evolution: no sampled architecture passed the exact check");
  }
  const history = [population[0]!.score];
  await options.onGeneration?.(0, population);
  for (let g = 1; g <= generations; g++) {
    const parents = population.slice(0, nParents);
    const children: Evaluated<M>[] = [];
    const seen = new Set(parents.map((p) => p.key));
    const pickParent = () => parents[rng.int(parents.length)]!.arch;
    for (let i = 0; i < nMut; i++) {
      const e = await tryDraw(() => mutateArch(options.space, pickParent(), rng, { prob }), seen);
      if (e) children.push(e);
    }
    for (let i = 0; i < nCross; i++) {
      const e = await tryDraw(() => crossoverArch(pickParent(), pickParent(), rng), seen);
      if (e) children.push(e);
    }
    const next: Evaluated<M>[] = [...parents, ...await rescore(children)];
    population = (await rank(next, g === generations ? next.length : nParents)).slice(
      0,
      Math.max(popSize, nParents),
    );
    history.push(population[0]!.score);
    await options.onGeneration?.(g, population);
  }
  return { best: population[0]!, population, history, drawn, satisfied };
}

/**
 * Indices of the Pareto-optimal points (maximize `score`, minimize `cost`), sorted by cost.
 *
 * @example
 * ```ts
 * import { paretoFront } from "./evolution.ts";
 * paretoFront([{ score: 1, cost: 1 }, { score: 2, cost: 3 }, { score: 1.5, cost: 4 }]); // [0, 1]
 * ```
 */
export function paretoFront(points: readonly { score: number; cost: number }[]): number[] {
  const order = points.map((_, i) => i).sort((a, b) =>
    points[a]!.cost - points[b]!.cost || points[b]!.score - points[a]!.score
  );
  const front: number[] = [];
  let bestScore = -Infinity;
  for (const i of order) {
    if (points[i]!.score > bestScore) {
      front.push(i);
      bestScore = points[i]!.score;
    }
  }
  return front;
}
