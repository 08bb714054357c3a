/**
 * Short text of each operator's options, for the inspect report.
 *
 * @module
 */
import type { Graph, Node } from "../ir/mod.ts";

/**
 * A node's options in a few words (`3x3 s2 SAME RELU6`, `axis 3`), for reports; "" when the
 * operator has none worth showing.
 */
export function describeOptions(node: Node, graph: Graph): string {
  const act = (a: string) => (a === "NONE" ? "" : ` ${a}`);
  switch (node.op) {
    case "CONV_2D":
    case "DEPTHWISE_CONV_2D": {
      const f = graph.tensors[node.inputs[1] ?? -1]?.shape ?? [];
      const o = node.options;
      const s = o.strideH === o.strideW ? `s${o.strideH}` : `s${o.strideH}x${o.strideW}`;
      const d = o.dilationH !== 1 || o.dilationW !== 1 ? ` d${o.dilationH}x${o.dilationW}` : "";
      return `${f[1] ?? "?"}x${f[2] ?? "?"} ${s}${d} ${o.padding}${act(o.activation)}`;
    }
    case "AVERAGE_POOL_2D":
    case "MAX_POOL_2D": {
      const o = node.options;
      return `${o.filterH}x${o.filterW} s${o.strideH} ${o.padding}${act(o.activation)}`;
    }
    case "FULLY_CONNECTED":
    case "ADD":
    case "MUL":
    case "SUB":
      return act(node.options.activation).trim();
    case "LEAKY_RELU":
      return `alpha ${node.options.alpha}`;
    case "RESIZE_NEAREST_NEIGHBOR": {
      const o = node.options;
      return [o.alignCorners ? "align_corners" : "", o.halfPixelCenters ? "half_pixel_centers" : ""]
        .filter((x) => x).join(" ");
    }
    case "CONCATENATION":
      return `axis ${node.options.axis}${act(node.options.activation)}`;
    case "MEAN":
      return node.options.keepDims ? "keepDims" : "";
    case "SOFTMAX":
      return `beta ${node.options.beta}`;
    default:
      return "";
  }
}
