/**
 * Multiply-accumulate counts per operator.
 *
 * @module
 */
import { elementCount, type Graph, type Node } from "../ir/mod.ts";

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
 * ```ts
 * import { opMacs } from "./macs.ts";
 * import { buildModel } from "../builders/mod.ts";
 * const g = buildModel("mbv1-w0.25-r96-c2");
 * const macs = opMacs(g, g.nodes[0]!); // 3x3 conv, 3 -> 8 channels, 48x48 output
 * if (macs !== 48 * 48 * 8 * 3 * 3 * 3) throw new Error("unexpected");
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
