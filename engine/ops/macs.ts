/**
 * Multiply-accumulate counts per operator.
 *
 * @module
 */
import { elementCount, type Graph, type Node } from "../ir/graph.ts";

function shape(graph: Graph, index: number | undefined): readonly number[] {
  const t = index === undefined || index < 0 ? undefined : graph.tensors[index];
  if (!t) throw new RangeError(`Cannot count MACs: tensor ${index} does not exist`);
  return t.shape;
}

/**
 * Multiply-accumulates one operator performs, by the usual convention:
 * - CONV_2D: output elements x kernel height x kernel width x input channels per filter;
 * - DEPTHWISE_CONV_2D: output elements x kernel height x kernel width;
 * - FULLY_CONNECTED: output elements x input depth (outputs x inputs per batch row);
 * - every other operator: 0 (pooling, ADD, activations are not counted as MACs).
 *
 * @example
 * ```ts ignore
 * import { opMacs } from "./macs.ts";
 * opMacs(graph, graph.nodes[0]!); // 497664 for VWW's first 3x3 conv (48*48*8 * 3*3*3)
 * ```
 */
export function opMacs(graph: Graph, node: Node): number {
  switch (node.op) {
    case "CONV_2D": {
      const filter = shape(graph, node.inputs[1]);
      const out = elementCount(shape(graph, node.outputs[0]));
      return out * (filter[1] ?? 1) * (filter[2] ?? 1) * (filter[3] ?? 1);
    }
    case "DEPTHWISE_CONV_2D": {
      const filter = shape(graph, node.inputs[1]);
      const out = elementCount(shape(graph, node.outputs[0]));
      return out * (filter[1] ?? 1) * (filter[2] ?? 1);
    }
    case "FULLY_CONNECTED": {
      const weights = shape(graph, node.inputs[1]);
      const out = elementCount(shape(graph, node.outputs[0]));
      return out * (weights[1] ?? 1);
    }
    default:
      return 0;
  }
}
