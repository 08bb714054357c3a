/**
 * The mixed-scale differential check shared by `scale_mix_test.ts` (two regression seeds) and
 * `scale_mix_e2e.ts` (the whole sweep): random chains of every per-channel operator with
 * negative, tiny and mixed-sign weight scales, run on both engines and compared with the
 * reference.
 *
 * @module
 */
import type { Graph } from "../engine/ir/mod.ts";
import { getBoard } from "../engine/target/mod.ts";
import { randomChainGraph } from "./random_graph.ts";
import { runModel } from "./run.ts";
import { mixWeightScales } from "./scale_mix.ts";

const CACHE = ".cache/firmware";
const OPS = ["conv", "pointwise", "depthwise", "padconv", "fc"] as const;

/** The seeds of the whole sweep. */
export const SCALE_MIX_SEEDS: readonly number[] = Array.from({ length: 10 }, (_, i) => 7000 + i);

/** A six-layer random chain with hostile weight scales. */
export function mixedChain(seed: number): Graph {
  return mixWeightScales(randomChainGraph(seed, { layers: 6, ops: OPS }), seed);
}

/** `engine seed N` for every seed and engine whose firmware output differs from the reference. */
export async function scaleMixFailures(
  board: string,
  seeds: readonly number[],
): Promise<string[]> {
  const failures: string[] = [];
  for (const seed of seeds) {
    const g = mixedChain(seed);
    for (const engine of ["tinyengine", "tflm"] as const) {
      const r = await runModel(g, { engine, board: getBoard(board), cacheDir: CACHE });
      if (!r.referenceMatch) failures.push(`${engine} seed ${seed}`);
    }
  }
  return failures;
}
