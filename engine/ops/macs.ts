/**
 * Multiply-accumulate counts per operator.
 *
 * @module
 */
import type { Graph, Node } from "../ir/mod.ts";
import { opDef } from "./table.ts";

/**
 * Multiply-accumulates one operator performs, by the usual convention:
 * - CONV_2D: output elements x kernel height x kernel width x input channels per filter;
 * - DEPTHWISE_CONV_2D: output elements x kernel height x kernel width;
 * - FULLY_CONNECTED: output elements x input depth (outputs x inputs per batch row);
 * - every other operator: 0 (pooling, ADD, activations are not counted as MACs).
 *
 * @example
 * ```ts
 * import { opMacs } from "./macs.ts";
 * import { buildModel } from "../builders/mod.ts";
 * const g = buildModel("mbv1-w0.25-r96-c2");
 * const macs = opMacs(g, g.nodes[0]!); // 3x3 conv, 3 -> 8 channels, 48x48 output
 * if (macs !== 48 * 48 * 8 * 3 * 3 * 3) throw new Error("unexpected");
 * ```
 */
export function opMacs(graph: Graph, node: Node): number {
  return opDef(node)?.macs?.(graph, node) ?? 0;
}
