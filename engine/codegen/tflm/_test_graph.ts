/**
 * Test helper: build graphs of many independent single-op cases (each with its own graph input
 * and output), so that one firmware build checks many kernel shapes at once.
 *
 * @module
 */
import type { DType, Graph, Node, Quantization, Tensor } from "../../ir/mod.ts";
import { elementCount } from "../../ir/mod.ts";
import { inferOutputShape } from "../../ops/mod.ts";
import type { Rng } from "../../util/mod.ts";

/** Per-tensor quantization. */
export function quant(scale: number, zeroPoint = 0): Quantization {
  return { scale: [Math.fround(scale)], zeroPoint: [zeroPoint], axis: 0 };
}

type NodeWithoutIo = Node extends infer N ? N extends Node ? Omit<N, "inputs" | "outputs">
  : never
  : never;

/** A graph under construction; `addCase` appends one op with a fresh input and output. */
export class CaseGraph {
  readonly tensors: Tensor[] = [];
  readonly nodes: Node[] = [];
  readonly inputs: number[] = [];
  readonly outputs: number[] = [];
  readonly names: string[] = [];

  /** Add a tensor and return its index. */
  tensor(t: Tensor): number {
    this.tensors.push(t);
    return this.tensors.length - 1;
  }

  /** A graph input activation. */
  input(shape: number[], q: Quantization | undefined, dtype: DType = "int8"): number {
    const i = this.tensor({
      name: `in${this.tensors.length}`,
      shape,
      dtype,
      ...(q ? { quant: q } : {}),
    });
    this.inputs.push(i);
    return i;
  }

  /** A constant int8 tensor of random values in [-limit, limit] (default: all of int8). */
  weights(rng: Rng, shape: number[], q: Quantization, limit = 128): number {
    const data = new Uint8Array(elementCount(shape));
    for (let i = 0; i < data.length; i++) {
      data[i] = limit >= 128 ? rng.int(256) : (rng.int(2 * limit + 1) - limit) & 0xff;
    }
    return this.tensor({ name: `w${this.tensors.length}`, shape, dtype: "int8", quant: q, data });
  }

  /** A constant int32 tensor. */
  int32(values: number[], shape: number[] = [values.length], q?: Quantization): number {
    const data = new Uint8Array(values.length * 4);
    const v = new DataView(data.buffer);
    values.forEach((x, i) => v.setInt32(i * 4, x, true));
    return this.tensor({
      name: `c${this.tensors.length}`,
      shape,
      dtype: "int32",
      data,
      ...(q ? { quant: q } : {}),
    });
  }

  /**
   * Append one op reading `inputs`; its output shape is inferred (RESHAPE keeps `outShape`);
   * returns the output index.
   */
  op(
    name: string,
    node: NodeWithoutIo,
    inputs: number[],
    outQuant: Quantization | undefined,
    outDtype: DType = "int8",
    outShape: number[] = [1],
  ): number {
    const out = this.tensor({
      name: `out${this.tensors.length}`,
      shape: outShape,
      dtype: outDtype,
      ...(outQuant ? { quant: outQuant } : {}),
    });
    const full = { ...node, inputs, outputs: [out] } as Node;
    const shape = inferOutputShape(this.graph(), full);
    this.tensors[out] = { ...this.tensors[out]!, shape };
    this.nodes.push(full);
    this.outputs.push(out);
    this.names.push(name);
    return out;
  }

  /** The graph so far. */
  graph(name = "cases"): Graph {
    return {
      name,
      tensors: [...this.tensors],
      nodes: [...this.nodes],
      inputs: [...this.inputs],
      outputs: [...this.outputs],
    };
  }
}
