/**
 * The tinyengine variant search: the lowered networks (layer by layer, selective or full
 * streaming of 1x1 expansions) times the kernel configurations, each memory-planned; the compile
 * keeps the fastest whose arena is near the smallest and fits the board.
 *
 * @module
 */
import { elementCount, type Graph } from "../../ir/mod.ts";
import type { LayerKernel } from "./kernels/types.ts";
import { alignUp, computeLifetimes, type Lifetimes, type ScratchMode } from "../../schedule/mod.ts";
import { type BufferRequest, sizeAt } from "../../schedule/mod.ts";
import {
  DEFAULT_KERNEL_CONFIG,
  type KernelConfig,
  layerKernel,
  LEAN_KERNEL_CONFIG,
} from "./templates.ts";
import { DEFAULT_PASSES, type Pass, passesStreaming, runPasses } from "../../schedule/mod.ts";
import type { Lowered } from "../../schedule/mod.ts";
import { type ChosenPlan, planMemory } from "../../schedule/mod.ts";
import { shortfalls } from "../../target/mod.ts";
import { IN_PLACE_OPS, livenessBound, PLAN_TOLERANCE } from "../../analysis/mod.ts";
import type { KernelFamily, StreamingChoice } from "../backend.ts";
import type { TinyEngineOptions } from "./compile.ts";

/**
 * Relative arena growth accepted for a variant earlier in preference order (faster kernels, no
 * streaming): 15%.
 */
const ARENA_TOLERANCE = 0.15;

/** Bytes read past the end of a buffer by word loads of odd-length rows. */
export const ARENA_SLACK = 8;

/**
 * SRAM a variant must leave free for static data and the stack to count as fitting the board
 * (measured: a few hundred bytes of each on the bench models).
 */
const FIT_MARGIN = 4096;

/** One kernel/scratch configuration the compiler tries. */
interface Config {
  readonly name: string;
  readonly family: KernelFamily;
  readonly kernels: KernelConfig;
  readonly scratch: ScratchMode;
}

/** Configurations in preference order (fastest first); the smallest arena wins. */
const CONFIGS: readonly Config[] = [
  {
    name: "fast, per-layer scratch",
    family: "fast",
    kernels: DEFAULT_KERNEL_CONFIG,
    scratch: "per-layer",
  },
  { name: "fast", family: "fast", kernels: DEFAULT_KERNEL_CONFIG, scratch: "shared" },
  {
    name: "balanced, per-layer scratch",
    family: "balanced",
    kernels: { ...DEFAULT_KERNEL_CONFIG, rowBlock: 2 },
    scratch: "per-layer",
  },
  {
    name: "lean, per-layer scratch",
    family: "lean",
    kernels: LEAN_KERNEL_CONFIG,
    scratch: "per-layer",
  },
  { name: "lean", family: "lean", kernels: LEAN_KERNEL_CONFIG, scratch: "shared" },
];

export interface Variant {
  readonly lowered: Lowered;
  readonly config: Config;
  readonly kernels: readonly LayerKernel[];
  readonly lifetimes: Lifetimes;
  /** Lifetimes' buffers plus the float boundary buffers. */
  readonly all: readonly BufferRequest[];
  readonly chosen: ChosenPlan;
  /** The largest live bytes at one step of its buffers: no placement of them is smaller. */
  readonly liveBytes: number;
}

function planVariant(
  lowered: Lowered,
  config: Config,
  boundary: readonly BufferRequest[],
  planners: readonly string[] | undefined,
): Variant {
  const kernels = lowered.layers.map((l) => layerKernel(lowered, l, config.kernels));
  const lifetimes = computeLifetimes(lowered, {
    scratchBytes: (i) => kernels[i]!.scratchBytes,
    scratchMode: config.scratch,
  });
  const shrinking = [...onTimeline(lowered, lifetimes), ...boundary];
  // Buffers that shrink after an in-place layer free their tails only where that lowers the
  // arena; otherwise the plan (and so the generated code) is the one of whole buffers.
  const whole = shrinking.map(({ shrink: _, ...b }) => b);
  const options = planners ? { planners } : {};
  const plain = planMemory(whole, options);
  const shrunk = shrinking.some((b) => b.shrink) ? planMemory(shrinking, options) : plain;
  const [all, chosen] = shrunk.placement.totalBytes < plain.placement.totalBytes
    ? [shrinking, shrunk]
    : [whole, plain];
  const { liveBytes } = livePeakStep(shrinking);
  return { lowered, config, kernels, lifetimes, all, chosen, liveBytes };
}

/**
 * The liveness peak of a lowered network with the fastest kernels and per-layer scratch: the
 * largest sum of live buffer sizes over the layers, where it occurs, and the lifetimes.
 */
function livePeak(
  lowered: Lowered,
  boundary: readonly BufferRequest[],
): { bytes: number; at: number; lifetimes: Lifetimes } {
  const kernels = lowered.layers.map((l) => layerKernel(lowered, l, DEFAULT_KERNEL_CONFIG));
  const lifetimes = computeLifetimes(lowered, {
    scratchBytes: (i) => kernels[i]!.scratchBytes,
    scratchMode: "per-layer",
  });
  const all = [...onTimeline(lowered, lifetimes), ...boundary];
  const { step, liveBytes } = livePeakStep(all);
  return { bytes: liveBytes, at: stepLayer(lowered, step), lifetimes };
}

/**
 * Stream only the 1x1 expansions that set the memory peak. Streaming costs instructions in most
 * blocks (the expansion is recomputed per ring row and the depthwise reads int16 rows), but only
 * the blocks whose expanded tensor is live at the peak lower it. Greedily, the largest expanded
 * tensor live at the current liveness peak is streamed until the peak is no higher than with every
 * expansion streamed. Returns that lowered network, or undefined when it would stream none or all.
 */
function selectiveStreaming(graph: Graph): Lowered | undefined {
  const all = runPasses(graph, { passes: DEFAULT_PASSES });
  const ids = new Set(all.layers.flatMap((l) => (l.pre ? [l.pre.from[0]!] : [])));
  if (ids.size < 2) return undefined;
  const target = livePeak(all, boundaryBuffers(graph, all)).bytes;
  const chosen = new Set<number>();
  while (chosen.size < ids.size - 1) {
    const lowered = runPasses(graph, { passes: passesStreaming(chosen) });
    const peak = livePeak(lowered, boundaryBuffers(graph, lowered));
    if (peak.bytes <= target) return chosen.size > 0 ? lowered : undefined;
    let pick: { id: number; size: number } | undefined;
    for (const l of lowered.layers) {
      const id = l.from[0]!;
      if (l.pre || !ids.has(id) || chosen.has(id)) continue;
      const b = peak.lifetimes.buffers[peak.lifetimes.bufferOf[l.outputs[0]!] ?? -1];
      if (!b || b.firstUse > peak.at || b.lastUse < peak.at) continue;
      if (!pick || b.size > pick.size) pick = { id, size: b.size };
    }
    if (!pick) return undefined;
    chosen.add(pick.id);
  }
  return undefined;
}

/** Steps before the first layer: 1 when float inputs are quantized there (their QUANTIZE). */
function quantizeSteps(lowered: Lowered): number {
  return lowered.foldedInputs.length > 0 ? 1 : 0;
}

/**
 * The step of each float output's DEQUANTIZE (by output index): one step each after the last
 * layer, in output order (the order the code runs them), and the last step of the run.
 */
function dequantizeSteps(lowered: Lowered): { steps: Map<number, number>; last: number } {
  const steps = new Map<number, number>();
  let step = lowered.layers.length + quantizeSteps(lowered);
  lowered.outputs.forEach((t, i) => {
    if (lowered.foldedOutputs.some((f) => f.int8 === t)) steps.set(i, step++);
  });
  return { steps, last: Math.max(step - 1, lowered.layers.length - 1 + quantizeSteps(lowered)) };
}

/**
 * The lifetimes' buffers on the run's timeline of steps: the float inputs' QUANTIZE (if any) is
 * step 0, layer i is step i + that, and each float output's DEQUANTIZE is a step of its own after
 * the last layer. So a float input is dead once quantized and its region is reused by the first
 * layer's output (it was live during the whole first layer: 76,800 B of an 80x80x3 float input
 * beside that layer's output); an int8 result lives until its own DEQUANTIZE (a 3-output
 * detector's large stride-8 head no longer stays beside every float output); outputs that stay
 * int8 live to the end.
 */
function onTimeline(lowered: Lowered, lifetimes: Lifetimes): BufferRequest[] {
  const shift = quantizeSteps(lowered);
  const inputBuffers = new Set(lowered.inputs.map((t) => lifetimes.bufferOf[t] ?? -1));
  const { steps, last } = dequantizeSteps(lowered);
  const lastUse = new Map<number, number>();
  lowered.outputs.forEach((t, i) => {
    const b = lifetimes.bufferOf[t] ?? -1;
    lastUse.set(b, Math.max(lastUse.get(b) ?? 0, steps.get(i) ?? last));
  });
  return lifetimes.buffers.map((b, i) => ({
    ...b,
    firstUse: inputBuffers.has(i) ? 0 : b.firstUse + shift,
    lastUse: lastUse.get(i) ?? b.lastUse + shift,
    ...(b.shrink ? { shrink: { ...b.shrink, from: b.shrink.from + shift } } : {}),
  }));
}

/**
 * Float model inputs/outputs get their own arena buffers: an input lives at the QUANTIZE step
 * only, an output from its DEQUANTIZE step to the end (see {@link onTimeline}).
 */
export function boundaryBuffers(graph: Graph, lowered: Lowered): BufferRequest[] {
  const { steps, last } = dequantizeSteps(lowered);
  const out: BufferRequest[] = [];
  lowered.inputs.forEach((t, i) => {
    if (lowered.foldedInputs.some((f) => f.int8 === t)) {
      const size = alignUp(4 * elementCount(graph.tensors[t]!.shape));
      out.push({ id: -2 - i, name: `float_input_${i}`, size, firstUse: 0, lastUse: 0 });
    }
  });
  lowered.outputs.forEach((t, i) => {
    if (lowered.foldedOutputs.some((f) => f.int8 === t)) {
      const size = alignUp(4 * elementCount(graph.tensors[t]!.shape));
      const firstUse = steps.get(i)!;
      out.push({ id: -100 - i, name: `float_output_${i}`, size, firstUse, lastUse: last });
    }
  });
  return out;
}

/** The step of a plan's timeline where the live bytes peak, and those bytes. */
function livePeakStep(all: readonly BufferRequest[]): { step: number; liveBytes: number } {
  const steps = Math.max(0, ...all.map((b) => b.lastUse + 1));
  let step = 0;
  let liveBytes = 0;
  for (let t = 0; t < steps; t++) {
    let live = 0;
    for (const b of all) if (b.firstUse <= t && t <= b.lastUse) live += sizeAt(b, t);
    if (live > liveBytes) [step, liveBytes] = [t, live];
  }
  return { step, liveBytes };
}

/** The layer index of a timeline step (the QUANTIZE step counts as the first layer's). */
function stepLayer(lowered: Lowered, step: number): number {
  return Math.min(lowered.layers.length - 1, Math.max(0, step - quantizeSteps(lowered)));
}

/** The layer at which the arena's live bytes peak, its op(s) and those bytes. */
export function arenaPeak(
  lowered: Lowered,
  all: readonly BufferRequest[],
): { layer: number; op: string; liveBytes: number } {
  const { step, liveBytes } = livePeakStep(all);
  const layer = stepLayer(lowered, step);
  return { layer, op: lowered.layers.length ? layerOps(lowered, layer) : "", liveBytes };
}

/** Layer marker description: the op names the layer covers. */
export function layerOps(lowered: Lowered, i: number): string {
  const l = lowered.layers[i]!;
  const ops = l.from.map((k) => lowered.graph.nodes[k]!.op);
  return [...new Set(ops)].join("+");
}

/**
 * The variant to emit and which expansions it streams: the first (fastest) variant whose arena is
 * within {@link ARENA_TOLERANCE} of the smallest, and within `PLAN_TOLERANCE` (1.05x) of the
 * layer-wise liveness bound unless no variant is (a faster variant may cost memory only
 * that far), and that fits the board's SRAM; else the first
 * within those tolerances.
 */
export function chooseVariant(
  graph: Graph,
  options: TinyEngineOptions,
): { best: Variant; streaming: StreamingChoice; kernelBoundBytes: number } {
  // Lowered networks to try, in preference order: layer by layer, then streaming only the
  // expansions at the memory peak, then streaming every expansion (much less SRAM on MBConv
  // networks, slower where tensors are narrow).
  const layerwise: readonly Pass[] = passesStreaming(new Set());
  const streaming = options.streaming ?? "auto";
  const fixed = options.passes;
  const lowerings: (readonly [StreamingChoice | undefined, () => Lowered | undefined])[] = fixed
    ? [[undefined, () => runPasses(graph, { passes: fixed })]]
    : [
      ...(streaming !== "always"
        ? [["none", () => runPasses(graph, { passes: layerwise })] as const]
        : []),
      ...(streaming === "auto" ? [["selective", () => selectiveStreaming(graph)] as const] : []),
      ...(streaming !== "never"
        ? [["all", () => runPasses(graph, { passes: DEFAULT_PASSES })] as const]
        : []),
    ];
  const variants: Variant[] = [];
  const choiceOf = new Map<Lowered, StreamingChoice>();
  for (const [choice, lower] of lowerings) {
    const lowered = lower();
    if (!lowered) continue;
    choiceOf.set(lowered, choice ?? (lowered.layers.some((l) => l.pre) ? "all" : "none"));
    if (lowered.inputs.length < 1 || lowered.outputs.length < 1) {
      throw new RangeError(
        `Cannot compile '${graph.name}' with tinyengine: it has no input or no output`,
      );
    }
    const boundary = boundaryBuffers(graph, lowered);
    for (const config of CONFIGS) {
      variants.push(planVariant(lowered, config, boundary, options.planners));
    }
  }
  // Keep the first (fastest) variant whose arena is within ARENA_TOLERANCE of the smallest and
  // that fits the board's SRAM; when none within the tolerance fits, the first within it.
  const smallest = Math.min(...variants.map((v) => v.chosen.placement.totalBytes));
  const bound = livenessBound(graph, { inPlace: IN_PLACE_OPS }).bytes;
  const limit = Math.max(
    smallest,
    Math.min(smallest * (1 + ARENA_TOLERANCE), PLAN_TOLERANCE * bound - ARENA_SLACK),
  );
  const within = (v: Variant) => v.chosen.placement.totalBytes <= limit;
  const fits = (v: Variant) =>
    shortfalls({
      sramBytes: v.chosen.placement.totalBytes + ARENA_SLACK + FIT_MARGIN,
      flashBytes: 0,
    }, options.board).length === 0;
  // Scratch modes cost no instructions: the smaller wins outright within a kernel choice.
  const ranked = variants
    .filter((v, i) =>
      !variants.some((o, j) =>
        j !== i && o.lowered === v.lowered && o.config.kernels === v.config.kernels &&
        (o.chosen.placement.totalBytes < v.chosen.placement.totalBytes ||
          (o.chosen.placement.totalBytes === v.chosen.placement.totalBytes && j < i))
      )
    );
  const best = (ranked.find((v) => within(v) && fits(v)) ?? ranked.find(within))!;
  // The least any variant's buffers need at their busiest step (with the read slack): what a
  // layer-by-layer schedule of these kernels cannot go below, scratch and alignment included.
  const kernelBoundBytes = Math.min(...variants.map((v) => v.liveBytes)) + ARENA_SLACK;
  return { best, streaming: choiceOf.get(best.lowered)!, kernelBoundBytes };
}
