/**
 * Layer-by-layer lower bounds on peak activation memory.
 *
 * A layer-by-layer executor must hold, while operator i runs, every non-constant tensor whose
 * lifetime covers i: its inputs, its outputs, and any tensor produced earlier and consumed later
 * (a residual input, a graph input not yet used). The largest such total over all operators is a
 * lower bound on the activation arena of any planner that keeps tensors whole.
 *
 * @module
 */
import { type Graph, type OpName, tensorBytes } from "../ir/mod.ts";

/** Why a tensor is live at an operator. */
export type LiveRole = "input" | "output" | "carried";

/** One tensor live at an operator. */
export interface LiveTensor {
  readonly tensor: number;
  readonly name: string;
  readonly shape: readonly number[];
  readonly bytes: number;
  readonly role: LiveRole;
}

/** A lower bound on peak activation memory, with where it is reached. */
export interface LivenessBound {
  /** The bound in bytes: the largest per-operator live total. */
  readonly bytes: number;
  /** Index of the first operator reaching it (-1 for a graph without operators). */
  readonly peakOp: number;
  /** That operator's name ("" without operators). */
  readonly peakOpName: OpName | "";
  /** The tensors live at the peak operator. */
  readonly live: readonly LiveTensor[];
  /** Live bytes at each operator, in execution order. */
  readonly perOp: readonly number[];
  /** Operators that ran in place (output sharing their input's storage), by index. */
  readonly inPlaceOps: readonly number[];
}

/** Options of {@link livenessBound}. */
export interface LivenessOptions {
  /**
   * Operators whose output may share its input's storage (counted as max(in, out) instead of
   * in + out) when that input is not needed afterwards.
   * @default [] (every operator's inputs and outputs coexist, as in TF-Lite Micro)
   */
  readonly inPlace?: readonly OpName[];
}

interface Interval {
  readonly first: number;
  readonly last: number;
}

/** Lifetime of every activation tensor: [producer (or -1), last consumer (or end for outputs)]. */
function lifetimes(graph: Graph): Map<number, Interval> {
  const n = graph.nodes.length;
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  const isActivation = (t: number) => t >= 0 && graph.tensors[t]?.data === undefined;
  for (const t of graph.inputs) if (isActivation(t)) first.set(t, -1);
  graph.nodes.forEach((node, i) => {
    for (const t of node.inputs) {
      if (!isActivation(t)) continue;
      if (!first.has(t)) first.set(t, -1);
      last.set(t, i);
    }
    for (const t of node.outputs) {
      if (!isActivation(t)) continue;
      if (!first.has(t)) first.set(t, i);
      if (!last.has(t) || last.get(t)! < i) last.set(t, i);
    }
  });
  for (const t of graph.outputs) if (isActivation(t)) last.set(t, n);
  const out = new Map<number, Interval>();
  for (const [t, f] of first) out.set(t, { first: f, last: Math.max(last.get(t) ?? f, f) });
  return out;
}

/**
 * A layer-by-layer lower bound on peak activation memory: the largest total of non-constant
 * tensors live during one operator. With no `inPlace` operators this is the TF-Lite Micro
 * model (every operator's inputs and outputs coexist; RESHAPE counts as a copy, which TFLM
 * does unless its planner aliases it). With `inPlace: ["DEPTHWISE_CONV_2D"]` it is the
 * TinyEngine model, where a depthwise convolution with depth multiplier 1 whose input dies
 * writes over that input.
 *
 * @example
 * ```ts
 * import { livenessBound } from "./liveness.ts";
 * import { buildModel } from "../builders/mod.ts";
 * const vww = buildModel("mbv1-w0.25-r96-c2"); // the MLPerf Tiny VWW layer shapes
 * const bound = livenessBound(vww); // 48*48*8 in + 48*48*16 out at op 2
 * if (bound.bytes !== 55_296 || bound.peakOp !== 2) throw new Error("unexpected");
 * ```
 */
export function livenessBound(graph: Graph, options: LivenessOptions = {}): LivenessBound {
  const inPlaceOps = new Set<OpName>(options.inPlace ?? []);
  const life = lifetimes(graph);
  const sized = [...life.entries()].map(([t, iv]) => {
    const tensor = graph.tensors[t]!;
    return { t, iv, tensor, bytes: tensorBytes(tensor) };
  });
  const outputs = new Set(graph.outputs);
  const perOp: number[] = [];
  const ranInPlace: number[] = [];
  let best = -1;
  let bestBytes = 0;
  let bestLive: LiveTensor[] = [];
  graph.nodes.forEach((node, i) => {
    const ins = new Set(node.inputs);
    const outs = new Set(node.outputs);
    const live: LiveTensor[] = [];
    let total = 0;
    for (const { t, iv, tensor, bytes } of sized) {
      if (iv.first > i || iv.last < i) continue;
      const role: LiveRole = outs.has(t) ? "output" : ins.has(t) ? "input" : "carried";
      live.push({ tensor: t, name: tensor.name, shape: tensor.shape, bytes, role });
      total += bytes;
    }
    if (inPlaceOps.has(node.op) && sharesStorage(graph, node)) {
      const x = node.inputs[0] ?? -1;
      const y = node.outputs[0] ?? -1;
      const xi = life.get(x);
      const xBytes = live.find((l) => l.tensor === x)?.bytes;
      const yBytes = live.find((l) => l.tensor === y)?.bytes;
      if (xi && xi.last === i && !outputs.has(x) && xBytes !== undefined && yBytes !== undefined) {
        total -= Math.min(xBytes, yBytes);
        ranInPlace.push(i);
      }
    }
    perOp.push(total);
    if (total > bestBytes || best < 0) {
      best = i;
      bestBytes = total;
      bestLive = live;
    }
  });
  return {
    bytes: bestBytes,
    peakOp: best,
    peakOpName: graph.nodes[best]?.op ?? "",
    live: bestLive,
    perOp,
    inPlaceOps: ranInPlace,
  };
}

/**
 * Whether an operator of the in-place kinds can write over its input: a depthwise convolution
 * only with depth multiplier 1 (TinyEngine's channel-by-channel in-place kernel needs each
 * output channel to replace its own input channel; micro_speech's 1 -> 8 channel depthwise
 * cannot), a RESHAPE always.
 */
function sharesStorage(graph: Graph, node: Graph["nodes"][number]): boolean {
  if (node.op !== "DEPTHWISE_CONV_2D") return true;
  const x = graph.tensors[node.inputs[0] ?? -1];
  const y = graph.tensors[node.outputs[0] ?? -1];
  return x !== undefined && y !== undefined && x.shape[3] === y.shape[3];
}

/** Operators that run in place in the in-place bound. */
export const IN_PLACE_OPS: readonly OpName[] = ["DEPTHWISE_CONV_2D", "RESHAPE"];

/** The two layer-by-layer bounds {@link inspectGraph} reports. */
export interface LayerwiseBounds {
  /** Every operator's inputs and outputs coexist (TF-Lite Micro). */
  readonly tflm: LivenessBound;
  /** Depthwise convolutions run in place and RESHAPE aliases its input (TinyEngine). */
  readonly inPlace: LivenessBound;
}

/**
 * Both layer-by-layer lower bounds: (a) TF-Lite Micro style, every operator's inputs and outputs
 * coexist; (b) in place, where a depthwise convolution (and a RESHAPE, an alias in TinyEngine)
 * whose input dies shares that input's storage.
 *
 * @example
 * ```ts
 * import { layerwiseBounds } from "./liveness.ts";
 * import { buildModel } from "../builders/mod.ts";
 * const { tflm, inPlace } = layerwiseBounds(buildModel("mbv2-w1.0-r224"));
 * if (tflm.bytes !== 1_505_280 || inPlace.bytes !== 1_404_928) throw new Error("unexpected");
 * ```
 */
export function layerwiseBounds(graph: Graph): LayerwiseBounds {
  return {
    tflm: livenessBound(graph),
    inPlace: livenessBound(graph, { inPlace: IN_PLACE_OPS }),
  };
}
