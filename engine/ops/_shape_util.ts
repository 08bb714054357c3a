/**
 * Small helpers of the per-operator shape and cost functions: a tensor's shape, one dimension and
 * a constant int32 operand, each with an error that says what was asked for.
 *
 * @module
 */
import { type Graph, int32Data } from "../ir/mod.ts";

/** The shape of tensor `index` (`what` names it in the error). */
export function shapeOf(graph: Graph, index: number | undefined, what: string): readonly number[] {
  const t = index === undefined || index < 0 ? undefined : graph.tensors[index];
  if (!t) throw new RangeError(`Cannot infer a shape: ${what} refers to missing tensor ${index}`);
  return t.shape;
}

/** Dimension `i` of `shape`. */
export function dim(shape: readonly number[], i: number): number {
  const d = shape[i];
  if (d === undefined) {
    throw new RangeError(`Cannot infer a shape: shape [${shape.join(", ")}] has no dimension ${i}`);
  }
  return d;
}

/** The values of constant int32 (or int64) tensor `index`. */
export function constInt32(graph: Graph, index: number | undefined, what: string): Int32Array {
  const t = index === undefined || index < 0 ? undefined : graph.tensors[index];
  if (!t?.data) throw new RangeError(`Cannot infer a shape: ${what} must be a constant tensor`);
  return int32Data(t);
}

/** The shape of a MAC count's tensor `index`. */
export function macShape(graph: Graph, index: number | undefined): readonly number[] {
  const t = index === undefined || index < 0 ? undefined : graph.tensors[index];
  if (!t) throw new RangeError(`Cannot count MACs: tensor ${index} does not exist`);
  return t.shape;
}

/** Input 0's shape, unchanged: the output shape of elementwise unary operators. */
export function sameAsInput(
  graph: Graph,
  node: { readonly inputs: readonly number[] },
): number[][] {
  return [[...shapeOf(graph, node.inputs[0], "input 0")]];
}
