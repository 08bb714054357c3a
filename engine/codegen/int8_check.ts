/**
 * The check both backends make first: the engines run int8 networks (float32 only at the model
 * boundary, through QUANTIZE and DEQUANTIZE); a float model needs int8 quantization first.
 *
 * @module
 */
import { UnsupportedOpError } from "../ir/mod.ts";
import type { Graph } from "../ir/mod.ts";

/**
 * Throw an {@link UnsupportedOpError} naming the first operator (and its index) that computes in
 * float32, saying that the model needs int8 quantization.
 *
 * @example
 * ```ts ignore
 * requireInt8Arithmetic(graph); // throws for a float32-only model
 * ```
 */
export function requireInt8Arithmetic(graph: Graph): void {
  graph.nodes.forEach((node, i) => {
    if (node.op === "QUANTIZE" || node.op === "DEQUANTIZE") return;
    for (const t of [...node.inputs, ...node.outputs]) {
      const tensor = graph.tensors[t];
      if (tensor?.dtype !== "float32") continue;
      throw new UnsupportedOpError(
        node.op,
        i,
        `it computes in float32 (tensor '${tensor.name}'), and the engines run int8 models: ` +
          `quantize the model to int8 first (TFLite full-integer post-training quantization; ` +
          `float32 may only enter through QUANTIZE and leave through DEQUANTIZE)`,
      );
    }
  });
}
