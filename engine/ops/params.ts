/**
 * Constant (parameter) sizes per operator.
 *
 * @module
 */
import { elementCount, type Graph, type Node, tensorBytes } from "../ir/mod.ts";
import { opDef } from "./table.ts";

/** Whether tensor `index` of `graph` is a constant (carries data). */
export function isConstantTensor(graph: Graph, index: number): boolean {
  return index >= 0 && graph.tensors[index]?.data !== undefined;
}

/**
 * Bytes of an operator's constant inputs: weights and bias for convolutions and fully connected
 * layers, and the small int32 operands (MEAN axes, PAD paddings, RESHAPE shape) of the others.
 * A constant shared by several operators is counted by each; {@link graphCost} counts it once.
 *
 * @example
 * ```ts ignore
 * import { opParamBytes } from "./params.ts";
 * opParamBytes(graph, convNode); // filter bytes (int8) + bias bytes (int32)
 * ```
 */
export function opParamBytes(graph: Graph, node: Node): number {
  let bytes = 0;
  for (const i of node.inputs) {
    const t = i >= 0 ? graph.tensors[i] : undefined;
    if (t?.data) bytes += tensorBytes(t);
  }
  return bytes;
}

/**
 * Trainable parameters of an operator: the element count of the weights and bias of CONV_2D,
 * DEPTHWISE_CONV_2D and FULLY_CONNECTED (biases hold folded batch norm); 0 for every other
 * operator. This is the count papers report (e.g. 0.74M for MCUNet 320kB/1MB).
 *
 * @example
 * ```ts ignore
 * import { opParamCount } from "./params.ts";
 * opParamCount(graph, fcNode); // 256 * 2 + 2 for VWW's classifier
 * ```
 */
export function opParamCount(graph: Graph, node: Node): number {
  if (!opDef(node)?.trainable) return 0;
  let n = 0;
  for (const i of node.inputs.slice(1, 3)) {
    const t = i >= 0 ? graph.tensors[i] : undefined;
    if (t?.data) n += elementCount(t.shape);
  }
  return n;
}

/**
 * Parameters of the trained float network before batch-norm folding: weights, plus two
 * batch-norm parameters (gamma, beta) per output channel of CONV_2D and DEPTHWISE_CONV_2D in
 * place of their folded bias, plus the FULLY_CONNECTED bias. This is how the papers count
 * (PyTorch `numel` of a conv-BN network): it gives 0.74M for MCUNet 320kB/1MB, where the deployed
 * weights + biases ({@link opParamCount}) are 0.73M.
 *
 * @example
 * ```ts ignore
 * import { opTrainingParamCount } from "./params.ts";
 * opTrainingParamCount(graph, convNode); // O*kh*kw*I + 2*O
 * ```
 */
export function opTrainingParamCount(graph: Graph, node: Node): number {
  const trainable = opDef(node)?.trainable;
  if (!trainable) return 0;
  const weights = node.inputs[1] ?? -1;
  const w = weights >= 0 ? graph.tensors[weights] : undefined;
  let n = w ? elementCount(w.shape) : 0;
  if (!trainable.foldedBatchNorm) {
    const bias = node.inputs[2] ?? -1;
    const b = bias >= 0 ? graph.tensors[bias] : undefined;
    if (b) n += elementCount(b.shape);
  } else {
    const out = graph.tensors[node.outputs[0] ?? -1];
    n += 2 * (out?.shape[out.shape.length - 1] ?? 0);
  }
  return n;
}
