/**
 * The reference interpreter: runs a Graph node by node with TFLite's reference integer kernels,
 * on raw bytes, so that its outputs are what bit-exact firmware must produce.
 *
 * @module
 */

import { ModelFormatError } from "../ir/mod.ts";
import { type Graph, tensorBytes } from "../ir/mod.ts";
import { runKernel } from "./dispatch.ts";

/** Options of {@link interpret}. */
export interface InterpretOptions {
  /**
   * Also return every activation tensor (graph inputs and every node output), by tensor index.
   * @default {false}
   */
  readonly captureAll?: boolean;
}

/** What {@link interpret} returns. */
export interface InterpretResult {
  /** Raw little-endian bytes of each graph output, in `graph.outputs` order. */
  readonly outputs: Uint8Array[];
  /** With `captureAll`: the bytes of every activation tensor, keyed by tensor index. */
  readonly tensors?: Map<number, Uint8Array>;
}

/** A fresh, 8-byte-aligned copy (so kernels can view int32 and float32 data directly). */
function aligned(bytes: ArrayBufferView): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength).slice();
}

/**
 * Run `graph` on `inputs` (raw bytes of each graph input, in `graph.inputs` order; int8 inputs
 * may be given as `Int8Array`) and return the raw bytes of each output. Pure: the graph and the
 * inputs are not modified.
 *
 * @throws {RangeError} when the number or size of the inputs does not match the graph.
 * @throws {UnsupportedKernelError} when a node has a dtype combination or option without a
 *   reference kernel (naming the node index and operator).
 * @throws {ModelFormatError} when a node reads a tensor that has no data and no producer.
 *
 * @example
 * ```ts
 * import { interpret } from "./interpret.ts";
 * import type { Graph } from "../ir/mod.ts";
 * const q = { scale: [0.5], zeroPoint: [0], axis: 0 };
 * const graph: Graph = {
 *   name: "add",
 *   tensors: [
 *     { name: "a", shape: [2], dtype: "int8", quant: q },
 *     { name: "b", shape: [2], dtype: "int8", quant: q },
 *     { name: "y", shape: [2], dtype: "int8", quant: q },
 *   ],
 *   nodes: [{ op: "ADD", inputs: [0, 1], outputs: [2], options: { activation: "NONE" } }],
 *   inputs: [0, 1],
 *   outputs: [2],
 * };
 * const { outputs } = interpret(graph, [new Int8Array([1, 2]), new Int8Array([3, -4])]);
 * new Int8Array(outputs[0]!.buffer); // Int8Array [4, -2]
 * ```
 */
export function interpret(
  graph: Graph,
  inputs: readonly Uint8Array[] | readonly Int8Array[],
  options: InterpretOptions = {},
): InterpretResult {
  if (inputs.length !== graph.inputs.length) {
    throw new RangeError(
      `Cannot interpret graph '${graph.name}': it has ${graph.inputs.length} inputs but ${inputs.length} were given`,
    );
  }
  const values = new Map<number, Uint8Array>();
  graph.inputs.forEach((index, i) => {
    const t = graph.tensors[index];
    const given = inputs[i]!;
    if (!t) throw new ModelFormatError(`Graph input ${i} refers to missing tensor ${index}`);
    if (given.byteLength !== tensorBytes(t)) {
      throw new RangeError(
        `Cannot interpret graph '${graph.name}': input ${i} ('${t.name}') needs ${
          tensorBytes(t)
        } bytes but ${given.byteLength} were given`,
      );
    }
    values.set(index, aligned(given));
  });
  const constants = new Map<number, Uint8Array>();
  const read = (index: number, nodeIndex: number): Uint8Array | undefined => {
    if (index < 0) return undefined;
    const v = values.get(index);
    if (v) return v;
    const c = constants.get(index);
    if (c) return c;
    const t = graph.tensors[index];
    if (!t) throw new ModelFormatError(`Node ${nodeIndex} refers to missing tensor ${index}`);
    if (!t.data) {
      throw new ModelFormatError(
        `Cannot interpret node ${nodeIndex}: tensor ${index} ('${t.name}') has no data and no producer before it`,
      );
    }
    const copy = aligned(t.data);
    constants.set(index, copy);
    return copy;
  };
  graph.nodes.forEach((node, nodeIndex) => {
    const nodeInputs = node.inputs.map((i) => read(i, nodeIndex));
    const nodeOutputs = node.outputs.map((index) => {
      const t = graph.tensors[index];
      if (!t) throw new ModelFormatError(`Node ${nodeIndex} writes missing tensor ${index}`);
      return new Uint8Array(tensorBytes(t));
    });
    runKernel({ graph, node, index: nodeIndex, inputs: nodeInputs, outputs: nodeOutputs });
    node.outputs.forEach((index, k) => values.set(index, nodeOutputs[k]!));
  });
  const outputs = graph.outputs.map((index) => {
    const v = read(index, graph.nodes.length);
    if (!v) throw new ModelFormatError(`Graph output refers to missing tensor ${index}`);
    return v.slice();
  });
  return options.captureAll ? { outputs, tensors: values } : { outputs };
}
