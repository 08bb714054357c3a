/**
 * Fold QUANTIZE at model inputs and DEQUANTIZE at model outputs: the firmware takes and returns
 * int8 tensors; the float conversion happens at the boundary (on the host).
 *
 * @module
 */
import { consumersOf } from "./lower.ts";
import type { BoundaryTensor, Layer, Lowered } from "./types.ts";

/**
 * Remove QUANTIZE layers that read a float model input and DEQUANTIZE layers that write a float
 * model output; the int8 tensors on the other side become the model's inputs/outputs.
 *
 * @example
 * ```ts
 * import type { Graph } from "../../ir/graph.ts";
 * declare const graph: Graph;
 * import { lowerGraph } from "./lower.ts";
 * const l = foldBoundaryQuantize(lowerGraph(graph)); // l.foldedInputs lists removed edges
 * ```
 */
export function foldBoundaryQuantize(lowered: Lowered): Lowered {
  const { graph } = lowered;
  const drop = new Set<number>();
  const inputs = [...lowered.inputs];
  const outputs = [...lowered.outputs];
  const foldedInputs: BoundaryTensor[] = [...lowered.foldedInputs];
  const foldedOutputs: BoundaryTensor[] = [...lowered.foldedOutputs];
  inputs.forEach((t, k) => {
    const tensor = graph.tensors[t];
    if (!tensor || tensor.dtype !== "float32") return;
    const users = consumersOf(lowered, t);
    const only = users.length === 1 ? lowered.layers[users[0]!] : undefined;
    if (!only || only.op !== "QUANTIZE" || outputs.includes(t)) return;
    const q = only.outputs[0]!;
    const qt = graph.tensors[q];
    if (!qt?.quant || qt.dtype !== "int8") return;
    drop.add(users[0]!);
    inputs[k] = q;
    foldedInputs.push({ float: t, int8: q, quant: qt.quant });
  });
  outputs.forEach((t, k) => {
    const tensor = graph.tensors[t];
    if (!tensor || tensor.dtype !== "float32") return;
    const producer = lowered.layers.findIndex((l) => l.outputs.includes(t));
    const layer = lowered.layers[producer];
    if (!layer || layer.op !== "DEQUANTIZE") return;
    const q = layer.inputs[0]!;
    const qt = graph.tensors[q];
    if (!qt?.quant || qt.dtype !== "int8") return;
    drop.add(producer);
    outputs[k] = q;
    foldedOutputs.push({ float: t, int8: q, quant: qt.quant });
  });
  const layers: Layer[] = lowered.layers.filter((_, i) => !drop.has(i));
  return { ...lowered, layers, inputs, outputs, foldedInputs, foldedOutputs };
}
