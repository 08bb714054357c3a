/**
 * The `inspect` report: operators, tensors, MACs, parameters, activation sizes and the two
 * layer-by-layer memory bounds of a Graph, as one JSON-serializable record.
 *
 * @module
 */
import { type DType, type Graph, tensorBytes } from "../ir/mod.ts";
import { describeOptions } from "../ops/mod.ts";
import { type GraphCost, graphCost, type NodeCost } from "../ops/mod.ts";
import { layerwiseBounds, type LivenessBound } from "./liveness.ts";

/** A tensor as the report shows it. */
export interface InspectTensor {
  readonly index: number;
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly bytes: number;
  /** Whether it is a constant (weights, bias, operands) rather than an activation. */
  readonly constant: boolean;
  /** Quantization: "per-tensor", "per-channel(axis N)" or "none". */
  readonly quantization: string;
}

/** One operator of the report. */
export interface InspectOp extends
  Pick<
    NodeCost,
    "index" | "op" | "macs" | "params" | "paramBytes" | "inputBytes" | "outputBytes"
  > {
  /** Short attribute summary, e.g. "3x3 s2 SAME RELU6". */
  readonly attrs: string;
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly inputShapes: readonly (readonly number[])[];
  readonly outputShapes: readonly (readonly number[])[];
  /** Live activation bytes while it runs: TF-Lite Micro model / in-place model. */
  readonly liveBytes: number;
  readonly liveBytesInPlace: number;
}

/** Graph totals of the report. */
export interface InspectTotals extends
  Pick<
    GraphCost,
    | "macs"
    | "params"
    | "trainingParams"
    | "paramBytes"
    | "maxActivationBytes"
    | "totalActivationBytes"
  > {
  readonly ops: number;
  readonly tensors: number;
  /** Bytes of the graph's inputs and of its outputs. */
  readonly inputBytes: number;
  readonly outputBytes: number;
}

/** What `inspect` reports about a Graph. JSON-serializable. */
export interface InspectReport {
  readonly model: string;
  readonly inputs: readonly InspectTensor[];
  readonly outputs: readonly InspectTensor[];
  readonly totals: InspectTotals;
  /** How many operators of each kind, in first-seen order. */
  readonly opCounts: Readonly<Record<string, number>>;
  readonly ops: readonly InspectOp[];
  readonly tensors: readonly InspectTensor[];
  /** Layer-by-layer lower bounds on peak activation memory. */
  readonly liveness: {
    /** Every operator's inputs and outputs coexist (TF-Lite Micro; RESHAPE is a copy). */
    readonly tflm: LivenessBound;
    /** Depthwise convolutions run in place; RESHAPE aliases its input (TinyEngine). */
    readonly inPlace: LivenessBound;
  };
}

function describeTensor(graph: Graph, index: number): InspectTensor {
  const t = graph.tensors[index];
  if (!t) throw new RangeError(`Cannot inspect tensor ${index}: it does not exist`);
  const q = t.quant;
  return {
    index,
    name: t.name,
    shape: [...t.shape],
    dtype: t.dtype,
    bytes: tensorBytes(t),
    constant: t.data !== undefined,
    quantization: !q ? "none" : q.scale.length > 1 ? `per-channel(axis ${q.axis})` : "per-tensor",
  };
}

/**
 * Inspects a Graph: per-operator shapes, MACs, parameters and activation sizes, every tensor,
 * totals, and the two layer-by-layer lower bounds on peak activation memory with their peak
 * operator and the tensors live there.
 *
 * @example
 * ```ts
 * import { inspectGraph } from "./inspect.ts";
 * import { buildModel } from "../builders/mod.ts";
 * const report = inspectGraph(buildModel("resnet8"));
 * if (report.totals.macs !== 12_501_632 || report.liveness.tflm.bytes !== 49_152) {
 *   throw new Error("unexpected");
 * }
 * ```
 */
export function inspectGraph(graph: Graph): InspectReport {
  const cost = graphCost(graph);
  const bounds = layerwiseBounds(graph);
  const shapes = (ids: readonly number[]) =>
    ids.map((i) => (i >= 0 ? [...(graph.tensors[i]?.shape ?? [])] : []));
  const ops: InspectOp[] = graph.nodes.map((node, i) => {
    const c = cost.nodes[i]!;
    return {
      index: i,
      op: node.op,
      attrs: describeOptions(node, graph),
      inputs: [...node.inputs],
      outputs: [...node.outputs],
      inputShapes: shapes(node.inputs),
      outputShapes: shapes(node.outputs),
      macs: c.macs,
      params: c.params,
      paramBytes: c.paramBytes,
      inputBytes: c.inputBytes,
      outputBytes: c.outputBytes,
      liveBytes: bounds.tflm.perOp[i] ?? 0,
      liveBytesInPlace: bounds.inPlace.perOp[i] ?? 0,
    };
  });
  const opCounts: Record<string, number> = {};
  for (const n of graph.nodes) opCounts[n.op] = (opCounts[n.op] ?? 0) + 1;
  const inputs = graph.inputs.map((i) => describeTensor(graph, i));
  const outputs = graph.outputs.map((i) => describeTensor(graph, i));
  return {
    model: graph.name,
    inputs,
    outputs,
    totals: {
      ops: graph.nodes.length,
      tensors: graph.tensors.length,
      macs: cost.macs,
      params: cost.params,
      trainingParams: cost.trainingParams,
      paramBytes: cost.paramBytes,
      inputBytes: inputs.reduce((s, t) => s + t.bytes, 0),
      outputBytes: outputs.reduce((s, t) => s + t.bytes, 0),
      maxActivationBytes: cost.maxActivationBytes,
      totalActivationBytes: cost.totalActivationBytes,
    },
    opCounts,
    ops,
    tensors: graph.tensors.map((_, i) => describeTensor(graph, i)),
    liveness: { tflm: bounds.tflm, inPlace: bounds.inPlace },
  };
}
