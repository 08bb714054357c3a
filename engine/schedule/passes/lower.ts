/**
 * The starting point of the passes: one layer per graph node, no aliases.
 *
 * @module
 */
import type { Graph } from "../../ir/mod.ts";
import type { Lowered } from "./types.ts";

/**
 * Wrap a graph as a lowered graph with one layer per node.
 *
 * @example
 * ```ts
 * import type { Graph } from "../../ir/mod.ts";
 * declare const graph: Graph;
 * const l = lowerGraph(graph); // l.layers.length === graph.nodes.length
 * ```
 */
export function lowerGraph(graph: Graph): Lowered {
  return {
    graph,
    layers: graph.nodes.map((node, i) => ({
      op: node.op,
      node,
      from: [i],
      inputs: [...node.inputs],
      outputs: [...node.outputs],
    })),
    alias: graph.tensors.map((_, i) => i),
    inputs: [...graph.inputs],
    outputs: [...graph.outputs],
    foldedInputs: [],
    foldedOutputs: [],
  };
}

/** Resolve a tensor to the tensor owning its storage (follows alias chains). */
export function storageOf(lowered: Lowered, tensor: number): number {
  let t = tensor;
  for (let guard = 0; guard < lowered.alias.length + 1; guard++) {
    const next = lowered.alias[t];
    if (next === undefined || next === t) return t;
    t = next;
  }
  throw new RangeError(`Cannot resolve storage of tensor ${tensor}: alias cycle`);
}

/** Indices of the layers reading a tensor (as any input), ascending. */
export function consumersOf(lowered: Lowered, tensor: number): number[] {
  const out: number[] = [];
  lowered.layers.forEach((l, i) => {
    if (l.inputs.includes(tensor)) out.push(i);
  });
  return out;
}
