/**
 * The structural half of Graph validation, which needs no operator knowledge: tensors (shapes,
 * quantization, constant data sizes), graph input/output indices, and dataflow order.
 * `validateGraph` (engine/ops) adds each node's checks from its operator definition.
 *
 * @module
 */

import { DTYPE_BYTES, elementCount, type Graph, type Tensor } from "./graph.ts";
import { ModelFormatError } from "./errors.ts";

/** No tensor of a microcontroller model can be larger than this (2 GiB). */
const MAX_TENSOR_BYTES = 2 ** 31;

/**
 * Check every tensor of a graph (element type, dimensions, quantization, at most 2 GiB, constant
 * data size) and that the graph's inputs and outputs refer to tensors.
 *
 * @example
 * ```ts
 * import { validateTensors } from "./validate.ts";
 * validateTensors({
 *   name: "identity", nodes: [], inputs: [0], outputs: [0],
 *   tensors: [{ name: "x", shape: [1, 4], dtype: "float32" }],
 * });
 * ```
 *
 * @throws {ModelFormatError} naming the tensor, or the graph input or output, and the problem.
 */
export function validateTensors(g: Graph): void {
  g.tensors.forEach((t, i) => validateTensor(t, i));
  const count = g.tensors.length;
  for (const [kind, list] of [["input", g.inputs], ["output", g.outputs]] as const) {
    list.forEach((ti, k) => {
      if (!Number.isInteger(ti) || ti < 0 || ti >= count) {
        throw new ModelFormatError(
          `Cannot validate graph '${g.name}': ${kind} ${k} refers to tensor ${ti}, but the graph has ${count} tensors`,
        );
      }
    });
  }
}

/**
 * Dataflow: every activation a node reads is a graph input or the output of an earlier node, and
 * no tensor is written twice, written as a constant, or written when it is a graph input.
 *
 * @throws {ModelFormatError} naming the node and the tensor.
 */
export function validateDataflow(g: Graph): void {
  const available = new Set<number>(g.inputs);
  const producer = new Map<number, number>();
  g.nodes.forEach((node, i) => {
    const fail = (what: string): never => {
      throw new ModelFormatError(`Cannot validate node ${i} (${node.op}): ${what}`);
    };
    node.inputs.forEach((ti, k) => {
      if (ti === -1 || g.tensors[ti]?.data || available.has(ti)) return;
      const later = g.nodes.findIndex((n, j) => j > i && n.outputs.includes(ti));
      fail(
        `input ${k} (tensor ${ti}) is ${
          later >= 0
            ? `only produced later, by node ${later}`
            : "neither constant, a graph input nor produced by a node"
        }`,
      );
    });
    for (const ti of node.outputs) {
      const earlier = producer.get(ti);
      if (earlier !== undefined) fail(`output tensor ${ti} is also written by node ${earlier}`);
      if (g.tensors[ti]?.data) fail(`output tensor ${ti} is a constant`);
      if (g.inputs.includes(ti)) fail(`output tensor ${ti} is a graph input`);
      producer.set(ti, i);
      available.add(ti);
    }
  });
}

/** Zero points a quantized tensor of each integer type can have (the values it can hold). */
const ZERO_POINT_RANGE: Partial<Record<string, readonly [number, number]>> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
};

function validateTensor(t: Tensor, i: number): void {
  function fail(what: string): never {
    throw new ModelFormatError(`Cannot validate tensor ${i} ('${t.name}'): ${what}`);
  }
  if (!(t.dtype in DTYPE_BYTES)) fail(`element type '${t.dtype}' is unknown`);
  t.shape.forEach((d, k) => {
    if (!Number.isSafeInteger(d) || d < 0) fail(`dimension ${k} is ${d}`);
  });
  const q = t.quant;
  if (q) {
    if (q.scale.length === 0) fail("quantization has no scale");
    if (q.zeroPoint.length !== q.scale.length) {
      fail(`quantization has ${q.scale.length} scales but ${q.zeroPoint.length} zero points`);
    }
    q.scale.forEach((s) => {
      if (!Number.isFinite(s)) fail(`quantization scale ${s} is not finite`);
    });
    const zpRange = ZERO_POINT_RANGE[t.dtype];
    q.zeroPoint.forEach((z) => {
      if (!Number.isSafeInteger(z)) fail(`quantization zero point ${z} is not an integer`);
      if (zpRange && (z < zpRange[0] || z > zpRange[1])) {
        fail(
          `quantization zero point ${z} is outside the ${t.dtype} range [${zpRange[0]}, ${
            zpRange[1]
          }] (a corrupt or wrongly converted model)`,
        );
      }
    });
    if (!Number.isInteger(q.axis) || q.axis < 0) fail(`quantized dimension ${q.axis} is invalid`);
    if (q.scale.length > 1) {
      if (q.axis >= t.shape.length) {
        fail(`quantized dimension ${q.axis} is out of range for rank ${t.shape.length}`);
      }
      if (t.shape[q.axis] !== q.scale.length) {
        fail(
          `per-channel quantization has ${q.scale.length} scales but dimension ${q.axis} has ${
            t.shape[q.axis]
          } channels`,
        );
      }
    }
  }
  const bytes = elementCount(t.shape) * DTYPE_BYTES[t.dtype];
  if (bytes > MAX_TENSOR_BYTES) {
    fail(`shape [${t.shape}] of ${t.dtype} needs ${bytes} bytes, more than 2 GiB`);
  }
  if (t.variable) {
    // The IR keeps a variable tensor's reset value (what TFLM starts every run from).
    if (!t.data) fail("variable tensor has no reset value (data)");
    const fill = t.dtype === "int8" ? (t.quant?.zeroPoint[0] ?? 0) & 0xff : 0;
    if (t.data.some((v) => v !== fill)) {
      fail(`variable tensor data is not its reset value (every byte ${fill})`);
    }
  }
  if (t.data) {
    const expected = bytes;
    if (t.data.byteLength !== expected) {
      fail(
        `constant data has ${t.data.byteLength} bytes, but shape [${t.shape}] of ${t.dtype} needs ${expected}`,
      );
    }
  }
}
