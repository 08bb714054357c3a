/**
 * Whole-graph cost: MACs, parameters and activation sizes, per node and in total.
 *
 * @module
 */
import { type Graph, type OpName, tensorBytes } from "../ir/mod.ts";
import { opActivationBytes } from "./activations.ts";
import { opMacs } from "./macs.ts";
import { opParamBytes, opParamCount, opTrainingParamCount } from "./params.ts";

/** Cost of one node. */
export interface NodeCost {
  /** The node's index in `graph.nodes`. */
  readonly index: number;
  readonly op: OpName;
  readonly macs: number;
  /** Trainable parameters (weights + biases of conv / depthwise / fully connected). */
  readonly params: number;
  /** Parameters before batch-norm folding (see {@link opTrainingParamCount}). */
  readonly trainingParams: number;
  /** Bytes of constant inputs. */
  readonly paramBytes: number;
  /** Bytes of non-constant inputs. */
  readonly inputBytes: number;
  /** Bytes of outputs. */
  readonly outputBytes: number;
}

/** Cost of a whole graph. */
export interface GraphCost {
  readonly macs: number;
  /** Weights + biases of conv / depthwise / fully connected, as deployed. */
  readonly params: number;
  /** Parameters of the float network before batch-norm folding: what papers report. */
  readonly trainingParams: number;
  /** Bytes of all constant tensors the nodes use, each counted once (the model's Flash data). */
  readonly paramBytes: number;
  /** Largest single activation tensor in bytes. */
  readonly maxActivationBytes: number;
  /** Sum of every activation tensor's bytes (what a planner without reuse would need). */
  readonly totalActivationBytes: number;
  readonly nodes: readonly NodeCost[];
}

/**
 * Computes per-node and total MACs, parameters, constant bytes and activation sizes.
 *
 * @example
 * ```ts
 * import { graphCost } from "./graph_cost.ts";
 * import { buildModel } from "../builders/mod.ts";
 * const cost = graphCost(buildModel("mbv1-w0.25-r96-c2")); // the MLPerf Tiny VWW layer shapes
 * if (cost.macs !== 7_489_664) throw new Error("unexpected");
 * ```
 */
export function graphCost(graph: Graph): GraphCost {
  const nodes: NodeCost[] = graph.nodes.map((node, index) => {
    const act = opActivationBytes(graph, node);
    return {
      index,
      op: node.op,
      macs: opMacs(graph, node),
      params: opParamCount(graph, node),
      trainingParams: opTrainingParamCount(graph, node),
      paramBytes: opParamBytes(graph, node),
      inputBytes: act.input,
      outputBytes: act.output,
    };
  });
  const constants = new Set<number>();
  const activations = new Set<number>(graph.inputs);
  for (const node of graph.nodes) {
    for (const i of [...node.inputs, ...node.outputs]) {
      if (i < 0) continue;
      if (graph.tensors[i]?.data) constants.add(i);
      else activations.add(i);
    }
  }
  let paramBytes = 0;
  for (const i of constants) {
    const t = graph.tensors[i];
    if (t) paramBytes += tensorBytes(t);
  }
  let maxActivationBytes = 0;
  let totalActivationBytes = 0;
  for (const i of activations) {
    const t = graph.tensors[i];
    if (!t) continue;
    const b = tensorBytes(t);
    totalActivationBytes += b;
    maxActivationBytes = Math.max(maxActivationBytes, b);
  }
  return {
    macs: nodes.reduce((s, n) => s + n.macs, 0),
    params: nodes.reduce((s, n) => s + n.params, 0),
    trainingParams: nodes.reduce((s, n) => s + n.trainingParams, 0),
    paramBytes,
    maxActivationBytes,
    totalActivationBytes,
    nodes,
  };
}
