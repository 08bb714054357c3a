/**
 * Automatic choice of patch-based execution (issue #15): the split tensor and patch grid that
 * give the smallest planned arena, with the MACs the halos recompute within a bound, kept only
 * when it beats the layer-by-layer plan.
 *
 * Candidates are ranked by the liveness estimate over receptive fields (cheap, every split and
 * grid), then the best few are compiled for real, since only the compiled plan knows which
 * crops and joins became views, what streaming and in-place execution save, and how the planner
 * packs the patches' buffers.
 *
 * @module
 */
import type { Graph } from "../../ir/mod.ts";
import { estimatePatchPlan, type PatchEstimate } from "../../analysis/mod.ts";
import { PatchPlanError } from "../../ops/mod.ts";
import type { PatchSpec } from "../../schedule/mod.ts";
import type { PatchPlanSummary } from "../backend.ts";

/** How {@link choosePatchSpec} searches. */
export interface PatchAutoOptions {
  /**
   * Largest share of the graph's MACs the halos may recompute (instructions follow MACs closely
   * in the stage's convolutions). @default 0.05
   */
  readonly maxMacOverhead?: number;
  /** How many of the best estimated candidates are compiled. @default 8 */
  readonly compiled?: number;
}

/** Default {@link PatchAutoOptions.maxMacOverhead}. */
export const DEFAULT_PATCH_MAC_OVERHEAD = 0.05;

/** Patch grids tried at every split: n x n as in MCUNetV2, and bands of full rows. */
export const PATCH_GRIDS: readonly (readonly [number, number])[] = [
  [2, 2],
  [3, 3],
  [4, 4],
  [5, 5],
  [6, 6],
  [2, 1],
  [3, 1],
  [4, 1],
  [6, 1],
  [8, 1],
];

/**
 * Every valid (split, grid) estimate within the MAC bound, best estimated peak first (ties: less
 * recomputation). Splits that cannot run patch by patch are skipped.
 */
export function patchCandidatesWithin(
  graph: Graph,
  maxMacOverhead: number,
): PatchEstimate[] {
  const out: PatchEstimate[] = [];
  for (const node of graph.nodes) {
    const split = node.outputs[0]!;
    const shape = graph.tensors[split]?.shape ?? [];
    if (shape.length !== 4) continue;
    for (const [rows, cols] of PATCH_GRIDS) {
      if (rows > shape[1]! || cols > shape[2]!) continue;
      try {
        const e = estimatePatchPlan(graph, split, rows, cols);
        if (e.macOverhead <= maxMacOverhead) out.push(e);
      } catch (e) {
        if (!(e instanceof PatchPlanError)) throw e;
        break;
      }
    }
  }
  return out.sort((a, b) => a.peak - b.peak || a.macOverhead - b.macOverhead);
}

/**
 * Pick the patch plan with the smallest compiled arena among the best estimated candidates,
 * or none when no candidate beats the layer-by-layer arena. `arenaOf` compiles one plan
 * (undefined: layer by layer) and returns its arena bytes, or throws a `PatchPlanError` when the
 * plan cannot be built (e.g. a pool meeting the border inside the stage).
 */
export function choosePatchSpec(
  graph: Graph,
  arenaOf: (spec: PatchSpec | undefined) => number,
  options: PatchAutoOptions = {},
): { readonly spec?: PatchSpec; readonly summary: PatchPlanSummary } {
  const bound = options.maxMacOverhead ?? DEFAULT_PATCH_MAC_OVERHEAD;
  const candidates = patchCandidatesWithin(graph, bound);
  const layerwiseArenaBytes = arenaOf(undefined);
  let best: { spec: PatchSpec; arena: number; estimate: PatchEstimate } | undefined;
  let compiled = 0;
  for (const e of candidates.slice(0, options.compiled ?? 8)) {
    const spec = { split: e.split, rows: e.rows, cols: e.cols };
    let arena: number;
    try {
      arena = arenaOf(spec);
    } catch (err) {
      if (err instanceof PatchPlanError) continue;
      throw err;
    }
    compiled++;
    if (
      !best || arena < best.arena ||
      (arena === best.arena && e.macOverhead < best.estimate.macOverhead)
    ) {
      best = { spec, arena, estimate: e };
    }
  }
  const counts = { layerwiseArenaBytes, candidates: candidates.length, compiled };
  if (!best || best.arena >= layerwiseArenaBytes) return { summary: { macOverhead: 0, ...counts } };
  return {
    spec: best.spec,
    summary: {
      split: best.estimate.splitName,
      rows: best.spec.rows,
      cols: best.spec.cols,
      macOverhead: best.estimate.macOverhead,
      ...counts,
    },
  };
}
