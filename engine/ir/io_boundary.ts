/**
 * The float boundary of a model: the QUANTIZE that turns a float32 graph input into int8 and the
 * DEQUANTIZE that turns an int8 result into a float32 graph output, as PyTorch and TensorFlow
 * exports have them.
 *
 * {@link toInt8Io} drops them, as TFLite's converter does with an int8 inference input and output
 * type (camera bytes in, int8 scores out); the engines and the reference interpreter both run the
 * graph it returns, so bit-exactness holds. {@link withFloatIo} adds them to an int8 graph (test
 * models with float I/O).
 *
 * @module
 */
import type { Graph, Node, Tensor } from "./graph.ts";

/** The model's own I/O (`model`) or int8 tensors at its boundary (`int8`). */
export type IoMode = "model" | "int8";

/** The I/O modes, for command-line choices. */
export const IO_MODES: readonly IoMode[] = ["model", "int8"];

function consumers(graph: Graph, tensor: number): number {
  let n = 0;
  for (const node of graph.nodes) for (const i of node.inputs) if (i === tensor) n++;
  return n;
}

/** Whether the graph has a float32 input or output that {@link toInt8Io} would turn into int8. */
export function hasFloatBoundary(graph: Graph): boolean {
  return toInt8Io(graph) !== graph;
}

/**
 * The graph with int8 inputs and outputs: each float32 graph input whose only consumer is a
 * QUANTIZE to int8 is replaced by that QUANTIZE's output, and each float32 graph output made by a
 * DEQUANTIZE of an int8 tensor (used by nothing else) is replaced by that int8 tensor; those
 * nodes are removed. Anything else is kept, and a graph with nothing to drop is returned as is.
 *
 * @example
 * ```ts ignore
 * const int8Graph = toInt8Io(floatGraph); // int8Graph.inputs name the QUANTIZE outputs
 * ```
 */
export function toInt8Io(graph: Graph): Graph {
  const dropped = new Set<Node>();
  const inputs = graph.inputs.map((t) => {
    if (graph.tensors[t]?.dtype !== "float32" || consumers(graph, t) !== 1) return t;
    const q = graph.nodes.find((n) => n.op === "QUANTIZE" && n.inputs[0] === t);
    const out = q?.outputs[0];
    if (!q || out === undefined || graph.tensors[out]?.dtype !== "int8") return t;
    if (graph.outputs.includes(t)) return t;
    dropped.add(q);
    return out;
  });
  const outputs = graph.outputs.map((t) => {
    if (graph.tensors[t]?.dtype !== "float32") return t;
    const dq = graph.nodes.find((n) => n.op === "DEQUANTIZE" && n.outputs[0] === t);
    const src = dq?.inputs[0];
    if (!dq || src === undefined || graph.tensors[src]?.dtype !== "int8") return t;
    if (consumers(graph, t) !== 0 || consumers(graph, src) !== 1) return t;
    if (dropped.has(dq)) return t;
    dropped.add(dq);
    return src;
  });
  if (dropped.size === 0) return graph;
  return {
    ...graph,
    nodes: graph.nodes.filter((n) => !dropped.has(n)),
    inputs,
    outputs,
  };
}

/**
 * The graph with a float32 input before each int8 graph input (through a QUANTIZE with that
 * input's quantization) and a float32 output after each int8 graph output (through a DEQUANTIZE),
 * as a PyTorch export has them. {@link toInt8Io} undoes it.
 *
 * @example
 * ```ts ignore
 * const floatGraph = withFloatIo(int8Graph);
 * ```
 */
export function withFloatIo(graph: Graph): Graph {
  const tensors: Tensor[] = [...graph.tensors];
  const before: Node[] = [];
  const after: Node[] = [];
  // A float32 twin of each int8 boundary tensor `t`, joined to it by the node `convert` makes.
  const floatTwin = (t: number, convert: (f: number) => Node, nodes: Node[]): number => {
    const src = tensors[t]!;
    if (src.dtype !== "int8") return t;
    tensors.push({ name: `${src.name}_float`, shape: [...src.shape], dtype: "float32" });
    const f = tensors.length - 1;
    nodes.push(convert(f));
    return f;
  };
  const inputs = graph.inputs.map((t) =>
    floatTwin(t, (f) => ({ op: "QUANTIZE", inputs: [f], outputs: [t], options: {} }), before)
  );
  const outputs = graph.outputs.map((t) =>
    floatTwin(t, (f) => ({ op: "DEQUANTIZE", inputs: [t], outputs: [f], options: {} }), after)
  );
  return { ...graph, tensors, nodes: [...before, ...graph.nodes, ...after], inputs, outputs };
}
