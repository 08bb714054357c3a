/**
 * Activation (non-constant tensor) sizes per operator.
 *
 * @module
 */
import { type Graph, type Node, tensorBytes } from "../ir/mod.ts";

/** Activation bytes an operator reads and writes. */
export interface OpActivationBytes {
  /** Bytes of the non-constant inputs (a tensor used twice counts once). */
  readonly input: number;
  /** Bytes of the outputs. */
  readonly output: number;
}

function activationBytes(graph: Graph, indices: readonly number[]): number {
  let bytes = 0;
  for (const i of new Set(indices)) {
    const t = i >= 0 ? graph.tensors[i] : undefined;
    if (t && t.data === undefined) bytes += tensorBytes(t);
  }
  return bytes;
}

/**
 * Bytes of an operator's non-constant inputs and of its outputs: what must be resident in SRAM
 * while it runs, not counting tensors that are merely live across it.
 *
 * @example
 * ```ts
 * import { opActivationBytes } from "./activations.ts";
 * import { buildModel } from "../builders/mod.ts";
 * const g = buildModel("mbv1-w0.25-r96-c2");
 * const bytes = opActivationBytes(g, g.nodes[2]!); // the first pointwise conv
 * if (bytes.input !== 48 * 48 * 8 || bytes.output !== 48 * 48 * 16) throw new Error("unexpected");
 * ```
 */
export function opActivationBytes(graph: Graph, node: Node): OpActivationBytes {
  return {
    input: activationBytes(graph, node.inputs),
    output: activationBytes(graph, node.outputs),
  };
}
