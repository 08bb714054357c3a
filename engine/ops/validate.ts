/**
 * Whole-graph validation: the IR's structural checks (tensors, dataflow) and each node's checks
 * from its operator definition.
 *
 * @module
 */
import {
  type Graph,
  ModelFormatError,
  type Node,
  validateDataflow,
  validateTensors,
} from "../ir/mod.ts";
import { CheckContext } from "./_check.ts";
import { opDef } from "./table.ts";

/**
 * Check that a Graph is well formed, throwing a ModelFormatError that names the offending tensor
 * or node (index and operator) otherwise. Checks: every tensor's shape (non-negative integers,
 * at most 2 GiB), quantization (lengths, per-channel axis, zero point range) and constant data
 * size; graph inputs/outputs and node tensor indices in range; input and output counts per
 * operator; int8 tensors quantized; each operator's own checks (constant weights and parameter
 * tensors, window geometry, channel counts, bias length, broadcasting, ...); and execution order
 * (each activation is produced once, before it is read).
 *
 * @example
 * ```ts
 * import { validateGraph } from "./validate.ts";
 * validateGraph({
 *   name: "identity", nodes: [], inputs: [0], outputs: [0],
 *   tensors: [{ name: "x", shape: [1, 4], dtype: "float32" }],
 * });
 * ```
 *
 * @param g The graph to check.
 * @throws {ModelFormatError} describing the first problem found.
 */
export function validateGraph(g: Graph): void {
  validateTensors(g);
  g.nodes.forEach((node, i) => validateNode(g, node, i));
  validateDataflow(g);
}

function validateNode(g: Graph, node: Node, index: number): void {
  function fail(what: string): never {
    throw new ModelFormatError(`Cannot validate node ${index} (${node.op}): ${what}`);
  }
  const def = opDef(node) ?? fail(`operator '${node.op}' is unknown`);
  const [minIn, maxIn] = def.inputs;
  if (node.inputs.length < minIn || node.inputs.length > maxIn) {
    fail(
      `it has ${node.inputs.length} inputs, expected ${
        minIn === maxIn ? minIn : `${minIn} to ${maxIn === Number.MAX_SAFE_INTEGER ? "any" : maxIn}`
      }`,
    );
  }
  const [minOut, maxOut] = def.outputs ?? [1, 1];
  if (node.outputs.length < minOut || node.outputs.length > maxOut) {
    fail(
      `it has ${node.outputs.length} outputs, expected ${
        minOut === maxOut ? minOut : `${minOut} to ${maxOut}`
      }`,
    );
  }
  const count = g.tensors.length;
  node.inputs.forEach((ti, k) => {
    if (ti === -1 && def.optionalInputs?.includes(k)) return;
    if (!Number.isInteger(ti) || ti < 0 || ti >= count) {
      fail(`input ${k} refers to tensor ${ti}, but the graph has ${count} tensors`);
    }
  });
  node.outputs.forEach((ti, k) => {
    if (!Number.isInteger(ti) || ti < 0 || ti >= count) {
      fail(`output ${k} refers to tensor ${ti}, but the graph has ${count} tensors`);
    }
  });
  for (const ti of [...node.inputs, ...node.outputs]) {
    const t = g.tensors[ti];
    if (t && t.dtype === "int8" && !t.quant) {
      fail(`int8 tensor ${ti} ('${t.name}') has no quantization`);
    }
  }
  def.check(new CheckContext(g, node, index), node);
}
