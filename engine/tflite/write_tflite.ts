/**
 * `.tflite` export: the {@link Graph} IR to a TFLite flatbuffer (schema version 3) that
 * TF-Lite Micro can load.
 *
 * @module
 */

import { Builder } from "flatbuffers";
import type { DType, Graph, Node, OpName, Quantization, Tensor } from "../ir/mod.ts";
import { OPS, type TfliteCodec, validateGraph } from "../ops/mod.ts";
import {
  BUFFER,
  MODEL,
  OPERATOR,
  OPERATOR_CODE,
  PLACEHOLDER_FOR_GREATER_OP_CODES,
  QUANTIZATION,
  SCHEMA_VERSION,
  SUBGRAPH,
  TENSOR,
} from "./_schema.ts";

/** TFLite `TensorType` of each IR element type. */
const TFLITE_TYPE: Readonly<Record<DType, number>> = {
  float32: 0,
  int32: 2,
  uint8: 3,
  int64: 4,
  bool: 6,
  int16: 7,
  int8: 9,
};

type Offset = number;

/**
 * Write a Graph as a `.tflite` flatbuffer: schema version 3, file identifier "TFL3", one
 * subgraph, buffer 0 empty and one 16-byte aligned buffer per constant tensor, operator codes
 * with both `deprecated_builtin_code` and `builtin_code`, builtin options per operator and
 * quantization (scales, zero points, quantized dimension). The graph is validated first.
 *
 * @example
 * ```ts
 * import { writeTflite } from "./write_tflite.ts";
 * const bytes = writeTflite({
 *   name: "copy", nodes: [], inputs: [0], outputs: [0],
 *   tensors: [{ name: "x", shape: [1, 4], dtype: "float32" }],
 * });
 * if (String.fromCharCode(...bytes.subarray(4, 8)) !== "TFL3") throw new Error("not TFLite");
 * ```
 *
 * @param g The graph to write.
 * @returns The model file's bytes (a fresh buffer, starting 16-byte aligned).
 * @throws {ModelFormatError} when the graph does not validate.
 */
export function writeTflite(g: Graph): Uint8Array {
  validateGraph(g);
  let dataBytes = 0;
  for (const t of g.tensors) dataBytes += t.data?.byteLength ?? 0;
  const b = new Builder(4096 + dataBytes + 256 * g.tensors.length + 128 * g.nodes.length);

  // Buffers: 0 is the empty sentinel, then one per constant tensor.
  const bufferOffsets: Offset[] = [emptyTable(b)];
  const bufferOf: number[] = g.tensors.map((t) => {
    // A variable tensor's data is its reset value, which TFLite and TFLM recreate: no buffer.
    if (!t.data || t.data.byteLength === 0 || t.variable) return 0;
    const data = byteVector(b, t.data, 16);
    b.startObject(BUFFER.count);
    b.addFieldOffset(BUFFER.data, data, 0);
    bufferOffsets.push(b.endObject());
    return bufferOffsets.length - 1;
  });

  const tensorOffsets = g.tensors.map((t, i) => writeTensor(b, t, bufferOf[i] ?? 0));

  const opNames: OpName[] = [];
  const operatorOffsets = g.nodes.map((node) => {
    let codeIndex = opNames.indexOf(node.op);
    if (codeIndex < 0) codeIndex = opNames.push(node.op) - 1;
    return writeOperator(b, node, codeIndex);
  });

  const opCodeOffsets = opNames.map((name) => {
    const code = OPS[name].tflite.code;
    b.startObject(OPERATOR_CODE.count);
    b.addFieldInt8(
      OPERATOR_CODE.deprecatedBuiltinCode,
      Math.min(code, PLACEHOLDER_FOR_GREATER_OP_CODES),
      0,
    );
    b.addFieldInt32(OPERATOR_CODE.version, 1, null);
    b.addFieldInt32(OPERATOR_CODE.builtinCode, code, 0);
    return b.endObject();
  });

  const sgTensors = offsetVector(b, tensorOffsets);
  const sgInputs = int32Vector(b, g.inputs);
  const sgOutputs = int32Vector(b, g.outputs);
  const sgOperators = offsetVector(b, operatorOffsets);
  const sgName = b.createString(g.name);
  b.startObject(SUBGRAPH.count);
  b.addFieldOffset(SUBGRAPH.tensors, sgTensors, 0);
  b.addFieldOffset(SUBGRAPH.inputs, sgInputs, 0);
  b.addFieldOffset(SUBGRAPH.outputs, sgOutputs, 0);
  b.addFieldOffset(SUBGRAPH.operators, sgOperators, 0);
  b.addFieldOffset(SUBGRAPH.name, sgName, 0);
  const subgraph = b.endObject();

  const codes = offsetVector(b, opCodeOffsets);
  const subgraphs = offsetVector(b, [subgraph]);
  const description = b.createString("mcunet-bench");
  const buffers = offsetVector(b, bufferOffsets);
  b.startObject(MODEL.count);
  b.addFieldInt32(MODEL.version, SCHEMA_VERSION, null);
  b.addFieldOffset(MODEL.operatorCodes, codes, 0);
  b.addFieldOffset(MODEL.subgraphs, subgraphs, 0);
  b.addFieldOffset(MODEL.description, description, 0);
  b.addFieldOffset(MODEL.buffers, buffers, 0);
  b.finish(b.endObject(), "TFL3");
  return b.asUint8Array().slice();
}

function emptyTable(b: Builder): Offset {
  b.startObject(0);
  return b.endObject();
}

function byteVector(b: Builder, data: Uint8Array, alignment: number): Offset {
  b.startVector(1, data.byteLength, alignment);
  for (let i = data.byteLength - 1; i >= 0; i--) b.writeInt8(data[i]!);
  return b.endVector();
}

function int32Vector(b: Builder, values: readonly number[]): Offset {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addInt32(values[i]!);
  return b.endVector();
}

function float32Vector(b: Builder, values: readonly number[]): Offset {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addFloat32(values[i]!);
  return b.endVector();
}

function int64Vector(b: Builder, values: readonly number[]): Offset {
  b.startVector(8, values.length, 8);
  for (let i = values.length - 1; i >= 0; i--) b.addInt64(BigInt(values[i]!));
  return b.endVector();
}

function offsetVector(b: Builder, offsets: readonly Offset[]): Offset {
  b.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i]!);
  return b.endVector();
}

function writeQuantization(b: Builder, q: Quantization): Offset {
  const scale = float32Vector(b, q.scale);
  const zeroPoint = int64Vector(b, q.zeroPoint);
  b.startObject(QUANTIZATION.count);
  b.addFieldOffset(QUANTIZATION.scale, scale, 0);
  b.addFieldOffset(QUANTIZATION.zeroPoint, zeroPoint, 0);
  b.addFieldInt32(QUANTIZATION.quantizedDimension, q.axis, 0);
  return b.endObject();
}

function writeTensor(b: Builder, t: Tensor, buffer: number): Offset {
  const shape = int32Vector(b, t.shape);
  const name = b.createString(t.name);
  const quant = t.quant ? writeQuantization(b, t.quant) : 0;
  b.startObject(TENSOR.count);
  b.addFieldOffset(TENSOR.shape, shape, 0);
  b.addFieldInt8(TENSOR.type, TFLITE_TYPE[t.dtype], 0);
  b.addFieldInt32(TENSOR.buffer, buffer, 0);
  b.addFieldOffset(TENSOR.name, name, 0);
  if (quant) b.addFieldOffset(TENSOR.quantization, quant, 0);
  if (t.variable) b.addFieldInt8(TENSOR.isVariable, 1, 0);
  return b.endObject();
}

/** The builtin options of a node: its union type and table (type 0 for none). */
function writeOptions(b: Builder, node: Node): [number, Offset] {
  const codec = OPS[node.op].tflite as TfliteCodec<Node["options"]>;
  if (!codec.options || !codec.write) return [0, 0];
  const fields = codec.write(node.options);
  // Vectors go before the table that refers to them (flatbuffers builds bottom up).
  const vectors = fields.map((f) => f.kind === "i32s" ? int32Vector(b, f.values) : 0);
  b.startObject(codec.options.slots);
  fields.forEach((f, k) => {
    switch (f.kind) {
      case "i8":
        b.addFieldInt8(f.slot, f.value, f.dflt);
        break;
      case "i32":
        b.addFieldInt32(f.slot, f.value, f.dflt);
        break;
      case "f32":
        // flatbuffers skips a field equal to its default, and -0 == 0: a NaN default writes -0.
        b.addFieldFloat32(f.slot, f.value, Object.is(f.value, -0) ? NaN : f.dflt);
        break;
      case "i32s":
        b.addFieldOffset(f.slot, vectors[k]!, 0);
        break;
    }
  });
  return [codec.options.type, b.endObject()];
}

function writeOperator(b: Builder, node: Node, codeIndex: number): Offset {
  const inputs = int32Vector(b, node.inputs);
  const outputs = int32Vector(b, node.outputs);
  const [optionsType, options] = writeOptions(b, node);
  b.startObject(OPERATOR.count);
  b.addFieldInt32(OPERATOR.opcodeIndex, codeIndex, 0);
  b.addFieldOffset(OPERATOR.inputs, inputs, 0);
  b.addFieldOffset(OPERATOR.outputs, outputs, 0);
  if (optionsType !== 0) {
    b.addFieldInt8(OPERATOR.builtinOptionsType, optionsType, 0);
    b.addFieldOffset(OPERATOR.builtinOptions, options, 0);
  }
  return b.endObject();
}
