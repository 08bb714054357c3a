/**
 * Shape-only SRAM estimate with patch-based execution of the first stage (issue #15), so the
 * search can screen architectures under the best plan including patches, as MCUNetV2 does.
 *
 * For a split after a block (or the stem) and a patch grid, each layer of the stage is resized to
 * the region one patch needs of it (halos from every window, SAME padding only at the image
 * borders) and the calibrated tinyengine schedule ({@link scheduleBytes}) of the largest patch
 * gives the patch buffers; the stage then holds the resident input + the whole split + those
 * buffers (+ one grid row of patches and an input crop when columns are split, since column
 * crops and joins copy), and the rest runs layer by layer. The smallest peak within the MAC
 * overhead bound is kept when it beats the layer-by-layer estimate.
 *
 * @module
 */
import { PATCH_GRIDS } from "../engine/codegen/mod.ts";
import { type ArchCost, type CostCalibration, costOfLayers, scheduleBytes } from "./cost.ts";
import { layerMacs, type LayerShape } from "./layers.ts";

/** A patch plan the estimate chose. */
export interface PatchCostPlan {
  /** Index of the last layer of the stage (its output is the split). */
  readonly splitLayer: number;
  readonly rows: number;
  readonly cols: number;
  /** Recomputed MACs over the network's MACs. */
  readonly macOverhead: number;
  /** Estimated live + scratch peak with the plan (bytes). */
  readonly peakBytes: number;
}

/** The input span one output span of a SAME window reads, clipped to the input. */
function inputSpan(a: number, b: number, size: number, kernel: number, stride: number) {
  const out = Math.ceil(size / stride);
  const before = Math.floor(Math.max((out - 1) * stride + kernel - size, 0) / 2);
  return [Math.max(a * stride - before, 0), Math.min((b - 1) * stride - before + kernel, size)];
}

function cuts(size: number, n: number): [number, number][] {
  return Array.from({ length: n }, (_, i) => [
    Math.floor((i * size) / n),
    Math.floor(((i + 1) * size) / n),
  ]);
}

/** Per layer of the stage (0..split), the output span one output span of the split needs. */
function spansBack(
  stage: readonly LayerShape[],
  span: readonly [number, number],
  dim: "H" | "W",
): [number, number][] {
  const out: [number, number][] = new Array(stage.length);
  let cur: [number, number] = [span[0], span[1]];
  let skip: [number, number] | undefined;
  for (let i = stage.length - 1; i >= 0; i--) {
    const l = stage[i]!;
    out[i] = cur;
    const size = dim === "H" ? l.inH : l.inW;
    const next = l.kind === "ADD"
      ? cur
      : inputSpan(cur[0], cur[1], size, l.kernel, l.stride) as [number, number];
    if (l.kind === "ADD") skip = cur;
    // The block input feeds both the expand (with halo) and the residual ADD (the patch itself).
    const first = i === 0 || stage[i - 1]!.block !== l.block;
    if (first && skip && l.block >= 0) {
      cur = [Math.min(next[0], skip[0]), Math.max(next[1], skip[1])];
      skip = undefined;
    } else cur = next;
  }
  return out;
}

/** One layer resized to a patch: its input and output spans. */
function resized(
  l: LayerShape,
  rows: readonly [number, number],
  cols: readonly [number, number],
  inRows: readonly [number, number],
  inCols: readonly [number, number],
): LayerShape {
  return {
    ...l,
    inH: inRows[1] - inRows[0],
    inW: inCols[1] - inCols[0],
    outH: rows[1] - rows[0],
    outW: cols[1] - cols[0],
  };
}

/** The peak and recomputed MACs of one (split, grid), or undefined when the grid is too fine. */
function planCost(
  layers: readonly LayerShape[],
  split: number,
  rows: number,
  cols: number,
  calibration: CostCalibration,
): { peakBytes: number; extraMacs: number } | undefined {
  const stage = layers.slice(0, split + 1);
  const last = stage[split]!;
  if (rows > last.outH || cols > last.outW) return undefined;
  const rowSpans = cuts(last.outH, rows).map((s) => spansBack(stage, s, "H"));
  const colSpans = cuts(last.outW, cols).map((s) => spansBack(stage, s, "W"));
  let patchPeak = 0;
  let patchMacs = 0;
  const inSpan = (spans: [number, number][], i: number, size: number, l: LayerShape) =>
    i === 0 ? inputSpan(spans[0]![0], spans[0]![1], size, l.kernel, l.stride) : spans[i - 1]!;
  for (const rs of rowSpans) {
    for (const cs of colSpans) {
      const patch = stage.map((l, i) => {
        const inR = l.kind === "ADD" ? rs[i]! : inSpan(rs, i, l.inH, l);
        const inC = l.kind === "ADD" ? cs[i]! : inSpan(cs, i, l.inW, l);
        return resized(l, rs[i]!, cs[i]!, inR as [number, number], inC as [number, number]);
      });
      for (const l of patch) patchMacs += layerMacs(l);
      patchPeak = Math.max(
        patchPeak,
        scheduleBytes(patch, { inputInArena: cols > 1 }).peakBytes,
      );
    }
  }
  const stageMacs = stage.reduce((s, l) => s + layerMacs(l), 0);
  const first = layers[0]!;
  const input = calibration.inputInArena ? first.inH * first.inW * first.inC : 0;
  const splitBytes = last.outH * last.outW * last.outC;
  // Column crops and joins copy: one grid row of patches waits for its join.
  const joinRow = cols > 1 ? Math.ceil(splitBytes / rows) : 0;
  const rest = layers.slice(split + 1);
  const restPeak = rest.length > 0 ? scheduleBytes(rest, { inputInArena: true }).peakBytes : 0;
  return {
    peakBytes: Math.max(input + splitBytes + joinRow + patchPeak, restPeak),
    extraMacs: patchMacs - stageMacs,
  };
}

/**
 * The best patch plan of a layer list within `maxMacOverhead` (recomputed MACs over the
 * network's), by estimated peak; undefined when none beats layer by layer.
 *
 * @example
 * ```ts ignore
 * const plan = bestPatchPlan(archLayers(arch), DEFAULT_CALIBRATION, 0.05);
 * ```
 */
export function bestPatchPlan(
  layers: readonly LayerShape[],
  calibration: CostCalibration,
  maxMacOverhead: number,
): PatchCostPlan | undefined {
  const total = layers.reduce((s, l) => s + layerMacs(l), 0);
  const layerwise = scheduleBytes(layers, { inputInArena: calibration.inputInArena }).peakBytes;
  let best: PatchCostPlan | undefined;
  for (let split = 0; split < layers.length; split++) {
    const l = layers[split]!;
    const next = layers[split + 1];
    // Splits after the stem or a whole block, while the tensor is still spatial.
    const blockEnd = l.block === -1 ? l.role === "stem" : next?.block !== l.block;
    if (!blockEnd || l.kind === "AVERAGE_POOL_2D" || l.kind === "FULLY_CONNECTED") continue;
    if (l.outH < 2 && l.outW < 2) break;
    for (const [rows, cols] of PATCH_GRIDS) {
      const c = planCost(layers, split, rows, cols, calibration);
      if (!c || c.extraMacs > maxMacOverhead * total) continue;
      if (c.peakBytes >= layerwise || (best && c.peakBytes >= best.peakBytes)) continue;
      best = {
        splitLayer: split,
        rows,
        cols,
        macOverhead: c.extraMacs / total,
        peakBytes: c.peakBytes,
      };
    }
  }
  return best;
}

/**
 * {@link costOfLayers} with the SRAM figures of the best patch plan within `maxMacOverhead`
 * when it is smaller (`plan` says which), else the layer-by-layer cost.
 */
export function costWithPatches(
  layers: readonly LayerShape[],
  calibration: CostCalibration,
  maxMacOverhead: number,
): { readonly cost: ArchCost; readonly plan?: PatchCostPlan } {
  const cost = costOfLayers(layers, calibration);
  const plan = bestPatchPlan(layers, calibration, maxMacOverhead);
  if (!plan) return { cost };
  const arenaBytes = Math.ceil(calibration.arenaScale * plan.peakBytes + calibration.arenaOffset);
  const saved = cost.arenaBytes - arenaBytes;
  if (saved <= 0) return { cost };
  return {
    cost: {
      ...cost,
      peakBytes: plan.peakBytes,
      arenaBytes,
      sramBytes: cost.sramBytes - saved,
      sramTypicalBytes: cost.sramTypicalBytes - saved,
    },
    plan,
  };
}
