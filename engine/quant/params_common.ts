/**
 * Shared by the per-operator parameter derivations: the error they throw and the per-tensor
 * scale and zero point they read.
 *
 * @module
 */

import type { Graph, Node, Tensor } from "../ir/mod.ts";
import { f32 } from "./arithmetic.ts";

export class QuantizationParamsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "QuantizationParamsError";
  }
}

/** The tensor at `index` of a node, or a {@link QuantizationParamsError} naming it. */
export function tensorAt(
  graph: Graph,
  index: number | undefined,
  what: string,
  node: Node,
): Tensor {
  const t = index === undefined || index < 0 ? undefined : graph.tensors[index];
  if (!t) {
    throw new QuantizationParamsError(
      `Cannot derive ${node.op} parameters: the ${what} tensor (index ${index}) is missing`,
    );
  }
  return t;
}

/** Per-tensor (first) scale and zero point of a tensor, scale rounded to float32. */
export function tensorQuant(t: Tensor): { scale: number; zeroPoint: number } {
  const q = t.quant;
  const scale = q?.scale[0];
  const zeroPoint = q?.zeroPoint[0];
  if (!q || scale === undefined) {
    throw new QuantizationParamsError(
      `Cannot read quantization of tensor '${t.name}': it has no scale`,
    );
  }
  return { scale: f32(scale), zeroPoint: zeroPoint ?? 0 };
}

/** A node's first input and first output with their per-tensor quantizations. */
export interface QuantizedInOut {
  readonly input: Tensor;
  readonly output: Tensor;
  readonly iq: { scale: number; zeroPoint: number };
  readonly oq: { scale: number; zeroPoint: number };
}

/**
 * The first input and output of `node` and their per-tensor scale and zero point (errors as
 * {@link tensorAt} and {@link tensorQuant}).
 */
export function quantizedInOut(graph: Graph, node: Node): QuantizedInOut {
  const input = tensorAt(graph, node.inputs[0], "input", node);
  const output = tensorAt(graph, node.outputs[0], "output", node);
  return { input, output, iq: tensorQuant(input), oq: tensorQuant(output) };
}

/** A two-input node's inputs and output with their per-tensor quantizations. */
export interface QuantizedBinary {
  readonly in1: Tensor;
  readonly in2: Tensor;
  readonly output: Tensor;
  readonly q1: { scale: number; zeroPoint: number };
  readonly q2: { scale: number; zeroPoint: number };
  readonly oq: { scale: number; zeroPoint: number };
}

/** The two inputs and the output of `node` and their per-tensor scale and zero point. */
export function quantizedBinary(graph: Graph, node: Node): QuantizedBinary {
  const in1 = tensorAt(graph, node.inputs[0], "first input", node);
  const in2 = tensorAt(graph, node.inputs[1], "second input", node);
  const output = tensorAt(graph, node.outputs[0], "output", node);
  return { in1, in2, output, q1: tensorQuant(in1), q2: tensorQuant(in2), oq: tensorQuant(output) };
}
