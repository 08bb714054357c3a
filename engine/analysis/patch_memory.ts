/**
 * Estimates of patch-based inference (MCUNetV2) per (split tensor, patch grid): peak activation
 * memory and the multiply-accumulates the overlapping halos recompute. These are liveness
 * estimates, not measurements: no firmware runs patch by patch yet.
 *
 * Memory model, per split and grid:
 * - during the patch stage: the graph input (resident whole, as when a camera writes a frame;
 *   also reported without it, as MCUNetV2 counts), the split tensor (whole, each patch writes its
 *   part) and the live patch buffers of the largest patch, layer by layer inside the patch (a
 *   depthwise convolution whose input dies runs in place, as in the layer-wise in-place bound);
 * - after it: the in-place layer-wise bound of the remaining nodes, the split being their input.
 *
 * @module
 */
import { type Graph, tensorBytes } from "../ir/mod.ts";
import { opMacs } from "../ops/mod.ts";
import {
  patchGrid,
  PatchPlanError,
  type PatchStage,
  patchStage,
  receptiveField,
  regionArea,
} from "../ops/mod.ts";
import { IN_PLACE_OPS, layerwiseBounds, livenessBound } from "./liveness.ts";

/** The estimate of one (split, grid). */
export interface PatchEstimate {
  /** The split tensor and its name. */
  readonly split: number;
  readonly splitName: string;
  /** Patch grid over the split tensor. */
  readonly rows: number;
  readonly cols: number;
  /** Bytes of the graph inputs the stage reads. */
  readonly inputBytes: number;
  /** Bytes of the whole split tensor. */
  readonly splitBytes: number;
  /** Peak of the live patch buffers of the largest patch. */
  readonly patchBytes: number;
  /** Input + split + patch buffers. */
  readonly stagePeak: number;
  /** Layer-wise in-place bound of the nodes after the split. */
  readonly restPeak: number;
  /** max(stagePeak, restPeak): the estimated peak with the input resident during the stage. */
  readonly peak: number;
  /** The same without the input image (MCUNetV2's count). */
  readonly peakWithoutInput: number;
  /** MACs of the stage computed layer by layer, and patch by patch (halos recomputed). */
  readonly stageMacs: number;
  readonly patchMacs: number;
  /** Recomputed MACs over the whole graph's MACs. */
  readonly macOverhead: number;
}

function activationBytesOver(graph: Graph, t: number, area: number): number {
  const x = graph.tensors[t]!;
  const [, h, w] = x.shape as number[];
  return (tensorBytes(x) / (h! * w!)) * area;
}

/** Peak live bytes of one patch's stage buffers (graph inputs and the split excluded). */
function patchPeak(
  graph: Graph,
  stage: PatchStage,
  sizes: ReadonlyMap<number, number>,
): number {
  const last = new Map<number, number>();
  stage.nodes.forEach((i, k) => {
    for (const t of graph.nodes[i]!.inputs) if (sizes.has(t)) last.set(t, k);
  });
  const inPlace = new Set(IN_PLACE_OPS);
  const live = new Map<number, number>();
  let peak = 0;
  stage.nodes.forEach((i, k) => {
    const node = graph.nodes[i]!;
    const y = node.outputs[0]!;
    let total = 0;
    if (y !== stage.split) live.set(y, sizes.get(y) ?? 0);
    for (const b of live.values()) total += b;
    const x = node.inputs[0]!;
    if (inPlace.has(node.op) && live.has(x) && last.get(x) === k && y !== stage.split) {
      total -= Math.min(live.get(x)!, live.get(y)!);
    }
    peak = Math.max(peak, total);
    for (const t of node.inputs) if (last.get(t) === k) live.delete(t);
  });
  return peak;
}

/**
 * Estimate running `graph` with the stage before `split` patch by patch over a `rows` x `cols`
 * grid. Throws a `PatchPlanError` when that split cannot be run patch by patch.
 *
 * @example
 * ```ts
 * import { estimatePatchPlan } from "./patch_memory.ts";
 * import { buildModel } from "../builders/mod.ts";
 * const g = buildModel("mbv1-w0.25-r96-c2");
 * const e = estimatePatchPlan(g, g.nodes[3]!.outputs[0]!, 2, 2);
 * if (!(e.patchMacs >= e.stageMacs)) throw new Error("halos only add work");
 * ```
 */
export function estimatePatchPlan(
  graph: Graph,
  split: number,
  rows: number,
  cols: number,
): PatchEstimate {
  const stage = patchStage(graph, split);
  const splitTensor = graph.tensors[split]!;
  const graphInputs = new Set(graph.inputs);
  let patchBytes = 0;
  let patchMacs = 0;
  let inputBytes = 0;
  const stageInputs = new Set<number>();
  for (const patch of patchGrid(splitTensor.shape[1]!, splitTensor.shape[2]!, rows, cols)) {
    const field = receptiveField(graph, stage, patch);
    const sizes = new Map<number, number>();
    for (const [t, r] of field.regions) {
      if (graphInputs.has(t)) stageInputs.add(t);
      else if (t !== split) sizes.set(t, activationBytesOver(graph, t, regionArea(r)));
    }
    patchBytes = Math.max(patchBytes, patchPeak(graph, stage, sizes));
    for (const np of field.nodes) {
      const node = graph.nodes[np.node]!;
      const y = graph.tensors[node.outputs[0]!]!;
      const [, h, w] = y.shape as number[];
      patchMacs += (opMacs(graph, node) / (h! * w!)) * regionArea(np.output);
    }
  }
  for (const t of stageInputs) inputBytes += tensorBytes(graph.tensors[t]!);
  const stageMacs = stage.nodes.reduce((s, i) => s + opMacs(graph, graph.nodes[i]!), 0);
  const totalMacs = graph.nodes.reduce((s, n) => s + opMacs(graph, n), 0);
  const rest: Graph = {
    ...graph,
    nodes: stage.rest.map((i) => graph.nodes[i]!),
    inputs: [split, ...graph.inputs.filter((t) => !stageInputs.has(t))],
  };
  const restPeak = livenessBound(rest, { inPlace: IN_PLACE_OPS }).bytes;
  const splitBytes = tensorBytes(splitTensor);
  const stagePeak = inputBytes + splitBytes + patchBytes;
  return {
    split,
    splitName: splitTensor.name,
    rows,
    cols,
    inputBytes,
    splitBytes,
    patchBytes,
    stagePeak,
    restPeak,
    peak: Math.max(stagePeak, restPeak),
    peakWithoutInput: Math.max(splitBytes + patchBytes, restPeak),
    stageMacs,
    patchMacs,
    macOverhead: totalMacs > 0 ? (patchMacs - stageMacs) / totalMacs : 0,
  };
}

/** Options of {@link patchCandidates}. */
export interface PatchCandidateOptions {
  /** Square grids to try (n x n). @default [2, 3, 4, 5, 6, 7, 8] */
  readonly grids?: readonly number[];
}

/**
 * Every valid (split, n x n grid) estimate of `graph`, splits in graph order. Splits that cannot
 * run patch by patch (a residual input read after them, an op that mixes positions before them)
 * and grids finer than the split tensor are skipped.
 */
export function patchCandidates(
  graph: Graph,
  options: PatchCandidateOptions = {},
): PatchEstimate[] {
  const grids = options.grids ?? [2, 3, 4, 5, 6, 7, 8];
  const out: PatchEstimate[] = [];
  for (const node of graph.nodes) {
    const split = node.outputs[0]!;
    const shape = graph.tensors[split]?.shape ?? [];
    if (shape.length !== 4) continue;
    for (const n of grids) {
      if (n > shape[1]! || n > shape[2]!) continue;
      try {
        out.push(estimatePatchPlan(graph, split, n, n));
      } catch (e) {
        if (!(e instanceof PatchPlanError)) throw e;
        break;
      }
    }
  }
  return out;
}

/** The estimated best plan under a MAC-overhead bound, beside the layer-wise bound. */
export interface PatchChoice {
  /** The layer-wise in-place bound of the whole graph (bytes). */
  readonly layerwise: number;
  /** The lowest-peak estimate within the bound, or undefined when none beats layer-wise. */
  readonly best?: PatchEstimate;
}

/**
 * The candidate with the lowest estimated peak whose recomputed MACs stay within `maxOverhead`
 * of the graph's MACs (ties: less overhead), kept only if it beats the layer-wise bound.
 */
export function choosePatchPlan(
  graph: Graph,
  maxOverhead: number,
  candidates: readonly PatchEstimate[] = patchCandidates(graph),
): PatchChoice {
  const layerwise = layerwiseBounds(graph).inPlace.bytes;
  let best: PatchEstimate | undefined;
  for (const c of candidates) {
    if (c.macOverhead > maxOverhead || c.peak >= layerwise) continue;
    if (!best || c.peak < best.peak || (c.peak === best.peak && c.macOverhead < best.macOverhead)) {
      best = c;
    }
  }
  return best ? { layerwise, best } : { layerwise };
}
