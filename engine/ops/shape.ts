/**
 * Per-operator output-shape inference over the Graph IR (each operator's `outputShapes` in its
 * definition), and the window arithmetic of convolutions and pools.
 *
 * @module
 */
import type { Graph, Node } from "../ir/mod.ts";
import { opDef } from "./table.ts";

export { convOutputSize, convPadding, type PaddingAmount } from "./geometry.ts";

/**
 * Infers the shape of a node's first output from its inputs and options, as TFLite would.
 * Builders and validation use it to check that an output tensor's declared shape is right.
 *
 * RESHAPE returns the output tensor's declared shape when its element count matches the input
 * (the IR treats that as authoritative); CONCATENATION sums along its axis.
 *
 * @example
 * ```ts
 * import { inferOutputShape } from "./shape.ts";
 * import { buildModel } from "../builders/mod.ts";
 * const g = buildModel("mbv1-w0.25-r96-c2");
 * const shape = inferOutputShape(g, g.nodes[0]!); // [1, 48, 48, 8]
 * if (shape.join() !== "1,48,48,8") throw new Error("unexpected");
 * ```
 */
export function inferOutputShape(graph: Graph, node: Node): number[] {
  return inferOutputShapes(graph, node)[0]!;
}

/**
 * The shape of every output of a node (SPLIT and UNPACK have several), as TFLite would infer it.
 *
 * @example
 * ```ts
 * import { inferOutputShapes } from "./shape.ts";
 * import { buildModel } from "../builders/mod.ts";
 * const g = buildModel("mbv1-w0.25-r96-c2");
 * if (inferOutputShapes(g, g.nodes[0]!).length !== 1) throw new Error("unexpected");
 * ```
 */
export function inferOutputShapes(graph: Graph, node: Node): number[][] {
  const def = opDef(node);
  if (!def) throw new RangeError(`Cannot infer a shape: operator '${node.op}' is unknown`);
  return def.outputShapes(graph, node);
}
