/**
 * Stage 1 of TinyNAS, search-space optimization: for every (width, resolution) pair of the grid,
 * sample architectures (seeded per pair, so pairs can be sharded and merged), keep those that fit
 * the board's SRAM and Flash under the tinyengine schedule, and rank the pairs by the distribution
 * (CDF) of MACs of the satisfying models.
 *
 * @module
 */
import { createRng } from "../engine/util/mod.ts";
import { type CostCalibration, costOfLayers } from "./cost.ts";
import { archLayers } from "./layers.ts";
import { costWithPatches } from "./patch_cost.ts";
import { sampleArch, type SearchSpace, type TaskHead, toMbconvArch } from "./space.ts";

/** Memory and compute limits a model must satisfy. */
export interface Limits {
  readonly sramBytes: number;
  readonly flashBytes: number;
  /** Optional MACs cap (a latency proxy where no latency table exists yet). */
  readonly maxMacs?: number;
}

/** Stage-1 statistics of one (width, resolution) pair. */
export interface PairStats {
  readonly width: number;
  readonly resolution: number;
  readonly sampled: number;
  readonly satisfied: number;
  /** satisfied / sampled. */
  readonly fraction: number;
  /** Mean MACs of satisfying models (0 when none). */
  readonly meanMacs: number;
  readonly p10Macs: number;
  readonly p50Macs: number;
  readonly p90Macs: number;
  /** Fraction of satisfying models above the threshold MACs (the CDF criterion). */
  readonly fractionAbove: number;
  /** Sorted MACs of the satisfying models (the empirical CDF). */
  readonly macs: readonly number[];
}

/** Options of {@link runStage1}. */
export interface Stage1Options {
  readonly space: SearchSpace;
  readonly head: TaskHead;
  readonly limits: Limits;
  readonly calibration: CostCalibration;
  /** Seed of the sampling. */
  readonly seed: number;
  /** Samples per pair. @default 1000 */
  readonly samples?: number;
  /** Pairs with a smaller satisfying fraction are not chosen. @default the space's, else 0.1 */
  readonly minFraction?: number;
  /** MACs threshold of `fractionAbove`. @default 0 (then: the 90th percentile of all satisfying MACs) */
  readonly thresholdMacs?: number;
  /** Run only pairs `i` with `i % n === index` (`--shard index/n`). */
  readonly shard?: { readonly index: number; readonly count: number };
  /**
   * Screen SRAM with the best plan including patch-based execution of the first stage (issue
   * #15) whose recomputed MACs stay within this share of the network's; absent: layer by layer.
   */
  readonly patchMacOverhead?: number;
  /** Called after each pair. */
  readonly onPair?: (done: number, total: number, stats: PairStats) => void;
}

/** Result of stage 1. */
export interface Stage1Result {
  /** Every pair, in grid order (width-major). */
  readonly pairs: readonly PairStats[];
  /** Pairs ranked best first (mean MACs of satisfying models, among pairs with enough of them). */
  readonly ranking: readonly PairStats[];
  readonly best: PairStats | undefined;
  readonly thresholdMacs: number;
  readonly candidatesPerSecond: number;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.floor(q * (sorted.length - 1))));
  return sorted[i] as number;
}

/** The seed of one pair: independent of the order and sharding of pairs. */
export function pairSeed(seed: number, width: number, resolution: number): number {
  let h = (seed >>> 0) ^ 0x9e3779b9;
  h = Math.imul(h ^ Math.round(width * 1000), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ resolution, 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** Sample one pair and collect the MACs of satisfying models. */
export function samplePair(
  options: Stage1Options,
  pair: { readonly width: number; readonly resolution: number },
): Omit<PairStats, "fractionAbove"> {
  const n = options.samples ?? 1000;
  const rng = createRng(pairSeed(options.seed, pair.width, pair.resolution));
  const macs: number[] = [];
  const lim = options.limits;
  for (let i = 0; i < n; i++) {
    const arch = sampleArch(options.space, rng, pair);
    const layers = archLayers(toMbconvArch(options.space, arch, options.head));
    let cost = costOfLayers(layers, options.calibration);
    // Patches only matter to a network that does not fit layer by layer.
    if (options.patchMacOverhead !== undefined && cost.sramTypicalBytes > lim.sramBytes) {
      cost = costWithPatches(layers, options.calibration, options.patchMacOverhead).cost;
    }
    if (cost.sramTypicalBytes > lim.sramBytes || cost.flashTypicalBytes > lim.flashBytes) continue;
    if (lim.maxMacs !== undefined && cost.macs > lim.maxMacs) continue;
    macs.push(cost.macs);
  }
  macs.sort((a, b) => a - b);
  return {
    ...pair,
    sampled: n,
    satisfied: macs.length,
    fraction: macs.length / n,
    meanMacs: macs.length ? macs.reduce((s, m) => s + m, 0) / macs.length : 0,
    p10Macs: quantile(macs, 0.1),
    p50Macs: quantile(macs, 0.5),
    p90Macs: quantile(macs, 0.9),
    macs,
  };
}

/** Satisfying samples a pair needs when no pair reaches the minimum fraction. */
export const MIN_SATISFIED = 5;

/**
 * Rank sampled pairs (also used to merge shards): best first by mean MACs of satisfying models
 * among pairs whose satisfying fraction reaches `minFraction` (or, when none does, that have at
 * least {@link MIN_SATISFIED} satisfying samples), then the rest; ties by width, then resolution.
 */
export function rankPairs(
  pairs: readonly Omit<PairStats, "fractionAbove">[],
  options: { readonly minFraction?: number; readonly thresholdMacs?: number } = {},
): Pick<Stage1Result, "pairs" | "ranking" | "best" | "thresholdMacs"> {
  const minFraction = options.minFraction ?? 0.1;
  let threshold = options.thresholdMacs ?? 0;
  if (!threshold) {
    const all = pairs.flatMap((p) => p.macs).sort((a, b) => a - b);
    threshold = quantile(all, 0.9);
  }
  const withAbove: PairStats[] = pairs.map((p) => {
    let above = 0;
    for (const m of p.macs) if (m > threshold) above++;
    return { ...p, fractionAbove: p.macs.length ? above / p.macs.length : 0 };
  });
  // Under budgets where memory binds hard (16 KiB / 64 KiB for 28x28 inputs) about 1% of random
  // networks fit anywhere: then every pair with a few satisfying samples is eligible.
  const reaches = (p: PairStats) => p.satisfied > 0 && p.fraction >= minFraction;
  const floor = withAbove.some(reaches) ? undefined : MIN_SATISFIED;
  const eligible = (p: PairStats) => floor === undefined ? reaches(p) : p.satisfied >= floor;
  const ranking = [...withAbove].sort((a, b) =>
    Number(eligible(b)) - Number(eligible(a)) || b.meanMacs - a.meanMacs ||
    a.width - b.width || a.resolution - b.resolution
  );
  const best = ranking[0] && eligible(ranking[0]) ? ranking[0] : undefined;
  return { pairs: withAbove, ranking, best, thresholdMacs: threshold };
}

/**
 * Run stage 1 over the space's (width, resolution) grid.
 *
 * @example
 * ```ts ignore
 * const r = runStage1({ space: MCUNET_SPACE, head, limits, calibration, seed: 1 });
 * r.best; // e.g. { width: 0.5, resolution: 160, ... }
 * ```
 */
export function runStage1(options: Stage1Options): Stage1Result {
  const grid: { width: number; resolution: number }[] = [];
  for (const width of options.space.widths) {
    for (const resolution of options.space.resolutions) grid.push({ width, resolution });
  }
  const shard = options.shard ?? { index: 0, count: 1 };
  const mine = grid.filter((_, i) => i % shard.count === shard.index);
  const start = performance.now();
  const sampled: Omit<PairStats, "fractionAbove">[] = [];
  for (const [i, pair] of mine.entries()) {
    const s = samplePair(options, pair);
    sampled.push(s);
    options.onPair?.(i + 1, mine.length, { ...s, fractionAbove: 0 });
  }
  const seconds = (performance.now() - start) / 1000;
  const total = sampled.reduce((n, p) => n + p.sampled, 0);
  const minFraction = options.minFraction ?? options.space.stage1MinFraction;
  const ranked = rankPairs(sampled, {
    ...options,
    ...(minFraction === undefined ? {} : { minFraction }),
  });
  return { ...ranked, candidatesPerSecond: seconds > 0 ? total / seconds : 0 };
}

/** The stage-1 table as Markdown (one row per pair, ranked). */
export function stage1Table(result: Pick<Stage1Result, "ranking" | "thresholdMacs">): string {
  const m = (x: number) => (x / 1e6).toFixed(1);
  const lines = [
    `| rank | width | resolution | satisfying | mean MMACs | p10 | p50 | p90 | P(MACs > ${
      m(result.thresholdMacs)
    }M) |`,
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const [i, p] of result.ranking.entries()) {
    lines.push(
      `| ${i + 1} | ${p.width} | ${p.resolution} | ${(100 * p.fraction).toFixed(1)}% | ${
        m(p.meanMacs)
      } | ${m(p.p10Macs)} | ${m(p.p50Macs)} | ${m(p.p90Macs)} | ${p.fractionAbove.toFixed(3)} |`,
    );
  }
  return lines.join("\n") + "\n";
}

/** Empirical CDF points of a pair, sampled at `points` MACs levels (for plots and CSV). */
export function cdfPoints(
  stats: PairStats,
  options: { readonly maxMacs: number; readonly points?: number },
): { macs: number; p: number }[] {
  const n = options.points ?? 60;
  const out: { macs: number; p: number }[] = [];
  let j = 0;
  for (let i = 0; i <= n; i++) {
    const x = (options.maxMacs * i) / n;
    while (j < stats.macs.length && (stats.macs[j] as number) <= x) j++;
    out.push({ macs: x, p: stats.macs.length ? j / stats.macs.length : 0 });
  }
  return out;
}
