/**
 * Test helpers: compact graph builders and an independent BigInt model of TFLite's
 * requantization (written from the definitions, not from quant.ts).
 *
 * @module
 */

import {
  type DType,
  type Graph,
  int32Data,
  int8Data,
  type Node,
  type Quantization,
  type Tensor,
} from "../ir/mod.ts";
import { dequantizeValue } from "../quant/mod.ts";
import { interpret } from "./interpret.ts";

export { mbqmRef, shiftRef, srdhmRef } from "../quant/_test_util.ts";

/** A tensor spec: quantization as `[scale or scales, zeroPoint]`. */
export function tensor(
  name: string,
  shape: number[],
  dtype: DType,
  quant?: [number | number[], number],
  data?: Int8Array | Int32Array | Float32Array | Uint8Array,
): Tensor {
  const q: Quantization | undefined = quant
    ? {
      scale: Array.isArray(quant[0]) ? quant[0] : [quant[0]],
      zeroPoint: Array.isArray(quant[0]) ? quant[0].map(() => quant[1]) : [quant[1]],
      axis: Array.isArray(quant[0]) ? 0 : 0,
    }
    : undefined;
  const bytes = data
    ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice()
    : undefined;
  return {
    name,
    shape,
    dtype,
    ...(q ? { quant: q } : {}),
    ...(bytes ? { data: bytes } : {}),
  };
}

/** A one-node graph: graph inputs are the node inputs without data, outputs the node outputs. */
export function oneNode(tensors: Tensor[], node: Node): Graph {
  return {
    name: node.op.toLowerCase(),
    tensors,
    nodes: [node],
    inputs: node.inputs.filter((i) => i >= 0 && !tensors[i]?.data),
    outputs: [...node.outputs],
  };
}

/** Run a graph on int8 inputs and return its first output as int8. */
export function runInt8(graph: Graph, ...inputs: Int8Array[]): number[] {
  const { outputs } = interpret(graph, inputs);
  return Array.from(new Int8Array(outputs[0]!.buffer));
}

/** The real values of a constant int8, int16 or int32 tensor (its per-tensor quantization). */
export function realValues(t: Tensor): Float64Array {
  const s = t.quant!.scale[0]!, z = t.quant!.zeroPoint[0]!;
  const raw = t.dtype === "int8" ? int8Data(t) : t.dtype === "int32" ? int32Data(t) : (() => {
    const d = t.data!;
    return new Int16Array(d.buffer, d.byteOffset, d.byteLength >> 1);
  })();
  return Float64Array.from(raw, (v) => dequantizeValue(v, s, z));
}
