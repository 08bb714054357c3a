/**
 * Short text of each operator's options, for the inspect report.
 *
 * @module
 */
import type { Graph, Node } from "../ir/mod.ts";
import { opDef } from "./table.ts";

/**
 * A node's options in a few words (`3x3 s2 SAME RELU6`, `axis 3`), for reports; "" when the
 * operator has none worth showing.
 */
export function describeOptions(node: Node, graph: Graph): string {
  return opDef(node)?.describe?.(node, graph) ?? "";
}
