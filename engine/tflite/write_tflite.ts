/**
 * `.tflite` export: the {@link Graph} IR to a TFLite flatbuffer (schema version 3) that
 * TF-Lite Micro can load.
 *
 * @module
 */

import { Builder } from "flatbuffers";
import type { Activation, DType, Graph, Node, Padding, Quantization, Tensor } from "../ir/mod.ts";
import { validateGraph } from "../ir/mod.ts";
import {
  ACTIVATION_NAMES,
  ADD_OPTIONS,
  BUFFER,
  BUILTIN_OP_NAMES,
  CONCAT_OPTIONS,
  CONV2D_OPTIONS,
  DEPTHWISE_OPTIONS,
  FC_OPTIONS,
  LEAKY_RELU_OPTIONS,
  MODEL,
  MUL_OPTIONS,
  OPERATOR,
  OPERATOR_CODE,
  OPTIONS_TYPE,
  PADDING_NAMES,
  PLACEHOLDER_FOR_GREATER_OP_CODES,
  POOL2D_OPTIONS,
  QUANTIZATION,
  REDUCER_OPTIONS,
  RESHAPE_OPTIONS,
  RESIZE_NN_OPTIONS,
  SCHEMA_VERSION,
  SOFTMAX_OPTIONS,
  STRIDED_SLICE_OPTIONS,
  SUB_OPTIONS,
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
    if (!t.data || t.data.byteLength === 0) return 0;
    const data = byteVector(b, t.data, 16);
    b.startObject(BUFFER.count);
    b.addFieldOffset(BUFFER.data, data, 0);
    bufferOffsets.push(b.endObject());
    return bufferOffsets.length - 1;
  });

  const tensorOffsets = g.tensors.map((t, i) => writeTensor(b, t, bufferOf[i] ?? 0));

  const opNames: string[] = [];
  const operatorOffsets = g.nodes.map((node) => {
    let codeIndex = opNames.indexOf(node.op);
    if (codeIndex < 0) codeIndex = opNames.push(node.op) - 1;
    return writeOperator(b, node, codeIndex);
  });

  const opCodeOffsets = opNames.map((name) => {
    const code = BUILTIN_OP_NAMES.indexOf(name);
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
  return b.endObject();
}

function act(a: Activation): number {
  return ACTIVATION_NAMES.indexOf(a);
}

function pad(p: Padding): number {
  return PADDING_NAMES.indexOf(p);
}

/** The builtin options of a node: its union type and table (type 0 for none). */
function writeOptions(b: Builder, node: Node): [number, Offset] {
  switch (node.op) {
    case "CONV_2D": {
      const o = node.options;
      const S = CONV2D_OPTIONS;
      b.startObject(S.count);
      b.addFieldInt8(S.padding, pad(o.padding), 0);
      b.addFieldInt32(S.strideW, o.strideW, 0);
      b.addFieldInt32(S.strideH, o.strideH, 0);
      b.addFieldInt8(S.activation, act(o.activation), 0);
      b.addFieldInt32(S.dilationW, o.dilationW, 1);
      b.addFieldInt32(S.dilationH, o.dilationH, 1);
      return [OPTIONS_TYPE.Conv2DOptions, b.endObject()];
    }
    case "DEPTHWISE_CONV_2D": {
      const o = node.options;
      const S = DEPTHWISE_OPTIONS;
      b.startObject(S.count);
      b.addFieldInt8(S.padding, pad(o.padding), 0);
      b.addFieldInt32(S.strideW, o.strideW, 0);
      b.addFieldInt32(S.strideH, o.strideH, 0);
      b.addFieldInt32(S.depthMultiplier, o.depthMultiplier, 0);
      b.addFieldInt8(S.activation, act(o.activation), 0);
      b.addFieldInt32(S.dilationW, o.dilationW, 1);
      b.addFieldInt32(S.dilationH, o.dilationH, 1);
      return [OPTIONS_TYPE.DepthwiseConv2DOptions, b.endObject()];
    }
    case "FULLY_CONNECTED":
      b.startObject(FC_OPTIONS.count);
      b.addFieldInt8(FC_OPTIONS.activation, act(node.options.activation), 0);
      b.addFieldInt8(FC_OPTIONS.keepNumDims, node.options.keepNumDims ? 1 : 0, 0);
      return [OPTIONS_TYPE.FullyConnectedOptions, b.endObject()];
    case "ADD":
      b.startObject(ADD_OPTIONS.count);
      b.addFieldInt8(ADD_OPTIONS.activation, act(node.options.activation), 0);
      return [OPTIONS_TYPE.AddOptions, b.endObject()];
    case "MUL":
      b.startObject(MUL_OPTIONS.count);
      b.addFieldInt8(MUL_OPTIONS.activation, act(node.options.activation), 0);
      return [OPTIONS_TYPE.MulOptions, b.endObject()];
    case "AVERAGE_POOL_2D":
    case "MAX_POOL_2D": {
      const o = node.options;
      const S = POOL2D_OPTIONS;
      b.startObject(S.count);
      b.addFieldInt8(S.padding, pad(o.padding), 0);
      b.addFieldInt32(S.strideW, o.strideW, 0);
      b.addFieldInt32(S.strideH, o.strideH, 0);
      b.addFieldInt32(S.filterW, o.filterW, 0);
      b.addFieldInt32(S.filterH, o.filterH, 0);
      b.addFieldInt8(S.activation, act(o.activation), 0);
      return [OPTIONS_TYPE.Pool2DOptions, b.endObject()];
    }
    case "MEAN":
      b.startObject(REDUCER_OPTIONS.count);
      b.addFieldInt8(REDUCER_OPTIONS.keepDims, node.options.keepDims ? 1 : 0, 0);
      return [OPTIONS_TYPE.ReducerOptions, b.endObject()];
    case "RESHAPE": {
      const newShape = int32Vector(b, node.options.newShape);
      b.startObject(RESHAPE_OPTIONS.count);
      b.addFieldOffset(RESHAPE_OPTIONS.newShape, newShape, 0);
      return [OPTIONS_TYPE.ReshapeOptions, b.endObject()];
    }
    case "SOFTMAX":
      b.startObject(SOFTMAX_OPTIONS.count);
      b.addFieldFloat32(SOFTMAX_OPTIONS.beta, node.options.beta, 0);
      return [OPTIONS_TYPE.SoftmaxOptions, b.endObject()];
    case "CONCATENATION":
      b.startObject(CONCAT_OPTIONS.count);
      b.addFieldInt32(CONCAT_OPTIONS.axis, node.options.axis, 0);
      b.addFieldInt8(CONCAT_OPTIONS.activation, act(node.options.activation), 0);
      return [OPTIONS_TYPE.ConcatenationOptions, b.endObject()];
    case "PAD":
      return [OPTIONS_TYPE.PadOptions, emptyTable(b)];
    case "TRANSPOSE":
      return [OPTIONS_TYPE.TransposeOptions, emptyTable(b)];
    case "QUANTIZE":
      return [OPTIONS_TYPE.QuantizeOptions, emptyTable(b)];
    case "DEQUANTIZE":
      return [OPTIONS_TYPE.DequantizeOptions, emptyTable(b)];
    case "HARD_SWISH":
      return [OPTIONS_TYPE.HardSwishOptions, emptyTable(b)];
    case "LEAKY_RELU":
      b.startObject(LEAKY_RELU_OPTIONS.count);
      // flatbuffers skips a field equal to its default, and -0 == 0: a NaN default writes -0.
      b.addFieldFloat32(
        LEAKY_RELU_OPTIONS.alpha,
        node.options.alpha,
        Object.is(node.options.alpha, -0) ? NaN : 0,
      );
      return [OPTIONS_TYPE.LeakyReluOptions, b.endObject()];
    case "SUB":
      b.startObject(SUB_OPTIONS.count);
      b.addFieldInt8(SUB_OPTIONS.activation, act(node.options.activation), 0);
      return [OPTIONS_TYPE.SubOptions, b.endObject()];
    case "MAXIMUM":
    case "MINIMUM":
      return [OPTIONS_TYPE.MaximumMinimumOptions, emptyTable(b)];
    case "STRIDED_SLICE": {
      const o = node.options;
      const S = STRIDED_SLICE_OPTIONS;
      b.startObject(S.count);
      b.addFieldInt32(S.beginMask, o.beginMask, 0);
      b.addFieldInt32(S.endMask, o.endMask, 0);
      b.addFieldInt32(S.shrinkAxisMask, o.shrinkAxisMask, 0);
      b.addFieldInt8(S.offset, o.offset ? 1 : 0, 0);
      return [OPTIONS_TYPE.StridedSliceOptions, b.endObject()];
    }
    case "RESIZE_NEAREST_NEIGHBOR": {
      const S = RESIZE_NN_OPTIONS;
      b.startObject(S.count);
      b.addFieldInt8(S.alignCorners, node.options.alignCorners ? 1 : 0, 0);
      b.addFieldInt8(S.halfPixelCenters, node.options.halfPixelCenters ? 1 : 0, 0);
      return [OPTIONS_TYPE.ResizeNearestNeighborOptions, b.endObject()];
    }
    case "LOGISTIC":
    case "RELU":
    case "RELU6":
    case "RELU_N1_TO_1":
    case "TANH":
      return [0, 0];
  }
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
