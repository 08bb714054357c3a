/**
 * Test helpers: the shared real models directory, small hand-built graphs (one per operator) and
 * a raw flatbuffer builder for models the IR cannot express. Used only by tests.
 *
 * @module
 */

import { Builder } from "flatbuffers";
import type { Graph, Node, Quantization, Tensor } from "../ir/graph.ts";
import { createRng } from "../util/rng.ts";
import {
  BUFFER,
  MODEL,
  OPERATOR,
  OPERATOR_CODE,
  QUANTIZATION,
  SUBGRAPH,
  TENSOR,
} from "./_schema.ts";

/** Where the shared `.tflite` models live: `$MCU_MODELS_DIR`, default `<repo>/../shared/models`. */
export function modelsDir(): string {
  let fromEnv: string | undefined;
  try {
    fromEnv = Deno.env.get("MCU_MODELS_DIR");
  } catch {
    fromEnv = undefined;
  }
  if (fromEnv) return fromEnv;
  return new URL("../../../shared/models", import.meta.url).pathname;
}

/** The shared model files present (sorted), or [] when the directory is absent. */
export function sharedModels(): string[] {
  try {
    return [...Deno.readDirSync(modelsDir())]
      .filter((e) => e.isFile && e.name.endsWith(".tflite"))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

/** Read one shared model's bytes. */
export function modelBytes(file: string): Uint8Array {
  return Deno.readFileSync(`${modelsDir()}/${file}`);
}

/** Suffix for test names when the models are missing, so the skip says why. */
export function skipNote(): string {
  return sharedModels().length > 0
    ? ""
    : ` (skipped: no .tflite models in ${modelsDir()}; set MCU_MODELS_DIR)`;
}

/** The unsupported shared model. */
export const LSTM_MODEL = "tflm_mnist_lstm_int8.tflite";

function quant(scale: number, zeroPoint = 0): Quantization {
  return { scale: [Math.fround(scale)], zeroPoint: [zeroPoint], axis: 0 };
}

function act(name: string, shape: number[], q: Quantization = quant(0.05, -3)): Tensor {
  return { name, shape, dtype: "int8", quant: q };
}

function int8Const(name: string, shape: number[], seed: number, q?: Quantization): Tensor {
  const rng = createRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Uint8Array(n);
  for (let i = 0; i < n; i++) data[i] = rng.int(256);
  return { name, shape, dtype: "int8", quant: q ?? quant(0.02), data };
}

function int32Const(name: string, shape: number[], values: number[], q?: Quantization): Tensor {
  const data = new Uint8Array(values.length * 4);
  const view = new DataView(data.buffer);
  values.forEach((v, i) => view.setInt32(4 * i, v, true));
  return { name, shape, dtype: "int32", data, ...(q ? { quant: q } : {}) };
}

function perChannel(n: number, axis: number, base: number): Quantization {
  return {
    scale: Array.from({ length: n }, (_, i) => Math.fround(base * (1 + i / 8))),
    zeroPoint: Array.from({ length: n }, () => 0),
    axis,
  };
}

function single(name: string, tensors: Tensor[], node: Node, inputs?: number[]): Graph {
  return {
    name,
    tensors,
    nodes: [node],
    inputs: inputs ?? [node.inputs[0]!],
    outputs: node.outputs,
  };
}

/** One small valid graph per IR operator, keyed by operator name. */
export function handBuiltGraphs(): Graph[] {
  const graphs: Graph[] = [];
  graphs.push(single("conv", [
    act("in", [1, 8, 8, 3]),
    int8Const("w", [4, 3, 3, 3], 1, perChannel(4, 0, 0.01)),
    int32Const("b", [4], [1, -2, 300, -40000], perChannel(4, 0, 0.0005)),
    act("out", [1, 4, 4, 4]),
  ], {
    op: "CONV_2D",
    inputs: [0, 1, 2],
    outputs: [3],
    options: {
      padding: "SAME",
      strideH: 2,
      strideW: 2,
      dilationH: 1,
      dilationW: 1,
      activation: "RELU6",
    },
  }));
  graphs.push(single("depthwise", [
    act("in", [1, 8, 8, 4]),
    int8Const("w", [1, 3, 3, 8], 2, perChannel(8, 3, 0.01)),
    int32Const("b", [8], [0, 1, 2, 3, 4, 5, 6, -7]),
    act("out", [1, 4, 4, 8]),
  ], {
    op: "DEPTHWISE_CONV_2D",
    inputs: [0, 1, 2],
    outputs: [3],
    options: {
      padding: "VALID",
      strideH: 1,
      strideW: 1,
      dilationH: 2,
      dilationW: 2,
      depthMultiplier: 2,
      activation: "RELU",
    },
  }));
  graphs.push(single("fc", [
    act("in", [1, 16]),
    int8Const("w", [10, 16], 3),
    act("out", [1, 10]),
  ], {
    op: "FULLY_CONNECTED",
    inputs: [0, 1, -1],
    outputs: [2],
    options: { activation: "RELU_N1_TO_1", keepNumDims: true },
  }));
  graphs.push({
    name: "add",
    tensors: [
      act("a", [1, 4, 4, 8]),
      act("b", [1, 4, 4, 8], quant(0.1, 5)),
      act("o", [1, 4, 4, 8]),
    ],
    nodes: [{ op: "ADD", inputs: [0, 1], outputs: [2], options: { activation: "RELU" } }],
    inputs: [0, 1],
    outputs: [2],
  });
  graphs.push({
    name: "mul",
    tensors: [act("a", [1, 4, 4, 8]), int8Const("b", [1, 1, 1, 8], 4), act("o", [1, 4, 4, 8])],
    nodes: [{ op: "MUL", inputs: [0, 1], outputs: [2], options: { activation: "NONE" } }],
    inputs: [0],
    outputs: [2],
  });
  graphs.push(single("avgpool", [act("in", [1, 8, 8, 4]), act("out", [1, 1, 1, 4])], {
    op: "AVERAGE_POOL_2D",
    inputs: [0],
    outputs: [1],
    options: {
      padding: "VALID",
      strideH: 1,
      strideW: 1,
      filterH: 8,
      filterW: 8,
      activation: "NONE",
    },
  }));
  graphs.push(single("maxpool", [act("in", [1, 7, 7, 4]), act("out", [1, 4, 4, 4])], {
    op: "MAX_POOL_2D",
    inputs: [0],
    outputs: [1],
    options: {
      padding: "SAME",
      strideH: 2,
      strideW: 2,
      filterH: 2,
      filterW: 2,
      activation: "RELU6",
    },
  }));
  graphs.push(single("mean", [
    act("in", [1, 4, 4, 8]),
    int32Const("axes", [2], [1, 2]),
    act("out", [1, 1, 1, 8]),
  ], { op: "MEAN", inputs: [0, 1], outputs: [2], options: { keepDims: true } }));
  graphs.push(single("pad", [
    act("in", [1, 4, 4, 3]),
    int32Const("paddings", [4, 2], [0, 0, 1, 1, 2, 0, 0, 0]),
    act("out", [1, 6, 6, 3]),
  ], { op: "PAD", inputs: [0, 1], outputs: [2], options: {} }));
  graphs.push(single("reshape", [
    act("in", [1, 2, 2, 4]),
    int32Const("shape", [2], [1, 16]),
    act("out", [1, 16]),
  ], { op: "RESHAPE", inputs: [0, 1], outputs: [2], options: { newShape: [1, -1] } }));
  graphs.push(single("softmax", [act("in", [1, 10]), act("out", [1, 10], quant(1 / 256, -128))], {
    op: "SOFTMAX",
    inputs: [0],
    outputs: [1],
    options: { beta: 1 },
  }));
  graphs.push(single("logistic", [act("in", [1, 10]), act("out", [1, 10], quant(1 / 256, -128))], {
    op: "LOGISTIC",
    inputs: [0],
    outputs: [1],
    options: {},
  }));
  graphs.push(single("quantize", [
    { name: "in", shape: [1, 10], dtype: "float32" },
    act("out", [1, 10]),
  ], { op: "QUANTIZE", inputs: [0], outputs: [1], options: {} }));
  graphs.push(single("dequantize", [
    act("in", [1, 10]),
    { name: "out", shape: [1, 10], dtype: "float32" },
  ], { op: "DEQUANTIZE", inputs: [0], outputs: [1], options: {} }));
  graphs.push(single("transpose", [
    act("in", [1, 2, 3, 4]),
    int32Const("perm", [4], [0, 3, 1, 2]),
    act("out", [1, 4, 2, 3]),
  ], { op: "TRANSPOSE", inputs: [0, 1], outputs: [2], options: {} }));
  graphs.push({
    name: "concat",
    tensors: [act("a", [1, 4, 4, 3]), act("b", [1, 4, 4, 5]), act("o", [1, 4, 4, 8])],
    nodes: [{
      op: "CONCATENATION",
      inputs: [0, 1],
      outputs: [2],
      options: { axis: -1, activation: "NONE" },
    }],
    inputs: [0, 1],
    outputs: [2],
  });
  graphs.push(single("hardswish", [act("in", [1, 4, 4, 8]), act("out", [1, 4, 4, 8])], {
    op: "HARD_SWISH",
    inputs: [0],
    outputs: [1],
    options: {},
  }));
  return graphs;
}

/** A raw operator code for {@link buildRawModel}. */
export interface RawOpCode {
  readonly deprecated?: number;
  readonly builtin?: number;
  readonly custom?: string;
}

/** Parts of a raw model; anything the IR cannot express is allowed. */
export interface RawModel {
  readonly version?: number;
  readonly opcodes: readonly RawOpCode[];
  /** Operators: opcode index, inputs, outputs, options union type (no table). */
  readonly ops: readonly { opcode: number; inputs: number[]; outputs: number[] }[];
  readonly tensors: readonly { shape: number[]; type: number; buffer: number; scale?: number }[];
  readonly buffers: readonly (Uint8Array | null)[];
  readonly subgraphCount?: number;
  /** When set, every tensor's shape field points at this one shared vector. */
  readonly sharedShape?: readonly number[];
}

/** Build a model directly with flatbuffers' Builder, bypassing the IR and the writer. */
export function buildRawModel(m: RawModel): Uint8Array {
  const b = new Builder(1024);
  const i32v = (xs: readonly number[]) => {
    b.startVector(4, xs.length, 4);
    for (let i = xs.length - 1; i >= 0; i--) b.addInt32(xs[i]!);
    return b.endVector();
  };
  const offv = (xs: readonly number[]) => {
    b.startVector(4, xs.length, 4);
    for (let i = xs.length - 1; i >= 0; i--) b.addOffset(xs[i]!);
    return b.endVector();
  };
  const buffers = m.buffers.map((d) => {
    const data = d ? b.createByteVector(d) : 0;
    b.startObject(1);
    if (data) b.addFieldOffset(BUFFER.data, data, 0);
    return b.endObject();
  });
  const shared = m.sharedShape ? i32v(m.sharedShape) : 0;
  const tensors = m.tensors.map((t, i) => {
    const shape = shared || i32v(t.shape);
    const name = b.createString(`t${i}`);
    let q = 0;
    if (t.scale !== undefined) {
      b.startVector(4, 1, 4);
      b.addFloat32(t.scale);
      const scale = b.endVector();
      b.startObject(QUANTIZATION.count);
      b.addFieldOffset(QUANTIZATION.scale, scale, 0);
      q = b.endObject();
    }
    b.startObject(TENSOR.count);
    b.addFieldOffset(TENSOR.shape, shape, 0);
    b.addFieldInt8(TENSOR.type, t.type, 0);
    b.addFieldInt32(TENSOR.buffer, t.buffer, 0);
    b.addFieldOffset(TENSOR.name, name, 0);
    if (q) b.addFieldOffset(TENSOR.quantization, q, 0);
    return b.endObject();
  });
  const ops = m.ops.map((o) => {
    const ins = i32v(o.inputs);
    const outs = i32v(o.outputs);
    b.startObject(OPERATOR.count);
    b.addFieldInt32(OPERATOR.opcodeIndex, o.opcode, 0);
    b.addFieldOffset(OPERATOR.inputs, ins, 0);
    b.addFieldOffset(OPERATOR.outputs, outs, 0);
    return b.endObject();
  });
  const codes = m.opcodes.map((c) => {
    const custom = c.custom === undefined ? 0 : b.createString(c.custom);
    b.startObject(OPERATOR_CODE.count);
    b.addFieldInt8(OPERATOR_CODE.deprecatedBuiltinCode, c.deprecated ?? 0, 0);
    if (custom) b.addFieldOffset(OPERATOR_CODE.customCode, custom, 0);
    b.addFieldInt32(OPERATOR_CODE.builtinCode, c.builtin ?? 0, 0);
    return b.endObject();
  });
  const subgraphs: number[] = [];
  for (let s = 0; s < (m.subgraphCount ?? 1); s++) {
    const tv = offv(tensors);
    const iv = i32v(m.tensors.length > 0 ? [0] : []);
    const ov = i32v(m.tensors.length > 0 ? [m.tensors.length - 1] : []);
    const opv = offv(s === 0 ? ops : []);
    b.startObject(SUBGRAPH.count);
    b.addFieldOffset(SUBGRAPH.tensors, tv, 0);
    b.addFieldOffset(SUBGRAPH.inputs, iv, 0);
    b.addFieldOffset(SUBGRAPH.outputs, ov, 0);
    b.addFieldOffset(SUBGRAPH.operators, opv, 0);
    subgraphs.push(b.endObject());
  }
  const cv = offv(codes);
  const sv = offv(subgraphs);
  const bv = offv(buffers);
  b.startObject(MODEL.count);
  b.addFieldInt32(MODEL.version, m.version ?? 3, null);
  b.addFieldOffset(MODEL.operatorCodes, cv, 0);
  b.addFieldOffset(MODEL.subgraphs, sv, 0);
  b.addFieldOffset(MODEL.buffers, bv, 0);
  b.finish(b.endObject(), "TFL3");
  return b.asUint8Array().slice();
}
