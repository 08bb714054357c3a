/**
 * The serialized model the `tflm` runtime reads from Flash (`model.bin`, linked with `.incbin`).
 *
 * Layout (little-endian; see runtime/tflm.h for the C view):
 * - header (32 bytes): magic "TFM1", tensor count, node count, tensor table offset, node table
 *   offset, head bytes, tail bytes, reserved;
 * - tensor table, 32 bytes per tensor: type, rank, is_const, 0, dims offset, data offset (blob
 *   offset of a constant, planned head offset of an activation), bytes, scale count, scales
 *   offset (float64, the float32 model scales), zero point, quantized axis;
 * - node table, 24 bytes per node: op (u16), input count (u8), output count (u8), io offset
 *   (int32 tensor indices), options offset, option count, scratch head offset, scratch bytes;
 * - the variable part (dims, io lists, options, scales), then the constant tensors, each 16-byte
 *   aligned and followed by at least 4 bytes of padding (kernels may read one word past a row).
 *
 * @module
 */
import { requireInt8Arithmetic } from "../int8_check.ts";
import type {
  Activation,
  Conv2DOptions,
  DType,
  Graph,
  Node,
  NodeOf,
  OpName,
} from "../../ir/mod.ts";
import { OP_NAMES, tensorBytes } from "../../ir/mod.ts";
import { UnsupportedOpError } from "../../ir/mod.ts";
import { geluParams } from "../../quant/mod.ts";
import { depthMultiplier, type HeadPlan } from "./_layout.ts";

/**
 * Op codes: each operator's index in `OP_NAMES`, which is also the order of `TFLM_OP_*` in
 * runtime/tflm.h (`tflm_header_test.ts` fails on drift). A new operator goes at the end of
 * `OP_NAMES`, so existing codes never move.
 */
export const OP_CODES: Readonly<Record<OpName, number>> = Object.fromEntries(
  OP_NAMES.map((op, code) => [op, code]),
) as Record<OpName, number>;

/**
 * Registration table entries every runtime build has: the codes up to HARD_SWISH, as
 * `TFLM_OP_TABLE_SIZE` defaults to in runtime/tflm.h (`tflm_header_test.ts` checks both agree).
 */
export const BASE_OP_TABLE_SIZE: number = OP_CODES.HARD_SWISH + 1;

const TYPE_CODES: Readonly<Record<DType, number>> = {
  int8: 0,
  uint8: 1,
  int16: 2,
  int32: 3,
  int64: 4,
  float32: 5,
  bool: 6,
};

const ACTIVATION_CODES: Readonly<Record<Activation, number>> = {
  NONE: 0,
  RELU: 1,
  RELU6: 2,
  RELU_N1_TO_1: 3,
};

const MAGIC = 0x314d4654;
const HEADER_BYTES = 32;
const TENSOR_DESC_BYTES = 32;
const NODE_DESC_BYTES = 24;

function f32Bits(x: number): number {
  const v = new DataView(new ArrayBuffer(4));
  v.setFloat32(0, x, true);
  return v.getInt32(0, true);
}

/** The words CONV_2D and DEPTHWISE_CONV_2D share, in the order the C runtime reads them. */
function convWords(o: Conv2DOptions): number[] {
  return [
    o.padding === "SAME" ? 0 : 1,
    o.strideH,
    o.strideW,
    o.dilationH,
    o.dilationW,
    ACTIVATION_CODES[o.activation],
  ];
}

const activationWord = (o: { readonly activation: Activation }) => [ACTIVATION_CODES[o.activation]];
const reluWord = (_graph: Graph, node: Node) => [ACTIVATION_CODES[node.op as Activation]];
const poolWords = (
  _graph: Graph,
  { options: o }: Extract<Node, { op: "AVERAGE_POOL_2D" | "MAX_POOL_2D" }>,
) => [
  o.padding === "SAME" ? 0 : 1,
  o.strideH,
  o.strideW,
  o.filterH,
  o.filterW,
  ACTIVATION_CODES[o.activation],
];

/**
 * Option words per operator, in the order each runtime kernel reads them (see its header
 * comment in runtime/); operators not listed have none.
 */
const OPTION_WORDS: { readonly [K in OpName]?: (graph: Graph, node: NodeOf<K>) => number[] } = {
  CONV_2D: (_graph, node) => convWords(node.options),
  DEPTHWISE_CONV_2D: (graph, node) => [...convWords(node.options), depthMultiplier(graph, node)],
  FULLY_CONNECTED: (_graph, { options: o }) => [
    ACTIVATION_CODES[o.activation],
    o.keepNumDims ? 1 : 0,
  ],
  ADD: (_graph, node) => activationWord(node.options),
  MUL: (_graph, node) => activationWord(node.options),
  SUB: (_graph, node) => activationWord(node.options),
  RELU: reluWord,
  RELU6: reluWord,
  RELU_N1_TO_1: reluWord,
  LEAKY_RELU: (_graph, node) => [f32Bits(node.options.alpha)],
  STRIDED_SLICE: (_graph, { options: o }) => [
    o.beginMask,
    o.endMask,
    o.shrinkAxisMask,
    o.offset ? 1 : 0,
  ],
  RESIZE_NEAREST_NEIGHBOR: (_graph, { options: o }) => [
    o.alignCorners ? 1 : 0,
    o.halfPixelCenters ? 1 : 0,
  ],
  AVERAGE_POOL_2D: poolWords,
  MAX_POOL_2D: poolWords,
  SOFTMAX: (_graph, node) => [f32Bits(node.options.beta)],
  CONCATENATION: (_graph, node) => [node.options.axis],
  SPLIT: (_graph, node) => [node.options.numSplits],
  SPLIT_V: (_graph, node) => [node.options.numSplits],
  PACK: (_graph, node) => [node.options.valuesCount, node.options.axis],
  UNPACK: (_graph, node) => [node.options.num, node.options.axis],
  MEAN: (_graph, node) => [node.options.keepDims ? 1 : 0],
  UNIDIRECTIONAL_SEQUENCE_LSTM: (_graph, { options: o }) => [
    f32Bits(o.cellClip),
    o.timeMajor ? 1 : 0,
  ],
  SVDF: (_graph, node) => [node.options.rank],
  BATCH_MATMUL: (_graph, { options: o }) => [o.adjX ? 1 : 0, o.adjY ? 1 : 0],
  // The table TFLite's Prepare builds from float math, four entries per word (gelu.c).
  GELU: (graph, node) => Array.from(new Int32Array(geluParams(graph, node).table.buffer)),
};

/** Option words of one node (see each kernel's header comment in runtime/). */
export function nodeOptions(graph: Graph, node: Node): number[] {
  const words = OPTION_WORDS[node.op] as ((graph: Graph, node: Node) => number[]) | undefined;
  return words ? words(graph, node) : [];
}

/** A little-endian byte writer that grows as needed. */
class Writer {
  #buf = new Uint8Array(1024);
  #view = new DataView(this.#buf.buffer);
  length = 0;

  #ensure(n: number) {
    if (this.length + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.length));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }
  align(n: number, minPad = 0) {
    const target = Math.ceil((this.length + minPad) / n) * n;
    this.#ensure(target - this.length);
    this.length = target;
  }
  i32(v: number) {
    this.#ensure(4);
    this.#view.setInt32(this.length, v, true);
    this.length += 4;
  }
  f64(v: number) {
    this.#ensure(8);
    this.#view.setFloat64(this.length, v, true);
    this.length += 8;
  }
  bytes(b: Uint8Array) {
    this.#ensure(b.length);
    this.#buf.set(b, this.length);
    this.length += b.length;
  }
  setU32(at: number, v: number) {
    this.#view.setUint32(at, v >>> 0, true);
  }
  setU16(at: number, v: number) {
    this.#view.setUint16(at, v, true);
  }
  setU8(at: number, v: number) {
    this.#buf[at] = v;
  }
  setI32(at: number, v: number) {
    this.#view.setInt32(at, v, true);
  }
  result(): Uint8Array {
    return this.#buf.slice(0, this.length);
  }
}

/** The serialized model and where its parts are. */
export interface SerializedModel {
  readonly bytes: Uint8Array;
  /** Bytes of the table (header, tensor and node tables, dims, options, scales). */
  readonly tableBytes: number;
  /** Bytes of the constant tensors (with their alignment padding). */
  readonly weightBytes: number;
}

const INT8_OPS: ReadonlySet<string> = new Set([
  "CONV_2D",
  "DEPTHWISE_CONV_2D",
  "FULLY_CONNECTED",
  "ADD",
  "MUL",
  "AVERAGE_POOL_2D",
  "MAX_POOL_2D",
  "MEAN",
  "SOFTMAX",
  "LOGISTIC",
  "HARD_SWISH",
  "RELU",
  "RELU6",
  "RELU_N1_TO_1",
  "LEAKY_RELU",
  "TANH",
  "SUB",
  "MAXIMUM",
  "MINIMUM",
  "STRIDED_SLICE",
  "RESIZE_NEAREST_NEIGHBOR",
  "LOG_SOFTMAX",
  "UNIDIRECTIONAL_SEQUENCE_LSTM",
  "SVDF",
  "RSQRT",
  "SQUARED_DIFFERENCE",
  "PRELU",
  "BATCH_MATMUL",
  "GELU",
]);

/** The runtime's limits: tensor rank, dtypes per op. */
const MAX_RANK = 6;

/**
 * Check that the runtime has a kernel for every node as it is typed (int8 arithmetic ops,
 * QUANTIZE from float32 or int8 to int8, DEQUANTIZE int8 to float32, ranks up to 6).
 *
 * @throws {UnsupportedOpError} naming the first node the runtime cannot run.
 */
export function checkSupported(graph: Graph): void {
  requireInt8Arithmetic(graph);
  graph.nodes.forEach((n, i) => {
    if (OP_CODES[n.op] === undefined) {
      throw new UnsupportedOpError(n.op, i, "the tflm runtime has no kernel for it");
    }
    const dtype = (t: number | undefined) => graph.tensors[t ?? -1]?.dtype;
    const input = dtype(n.inputs[0]);
    const output = dtype(n.outputs[0]);
    for (const t of [...n.inputs, ...n.outputs]) {
      const rank = graph.tensors[t]?.shape.length ?? 0;
      if (rank > MAX_RANK) {
        throw new UnsupportedOpError(n.op, i, `tensor ${t} has rank ${rank} (at most ${MAX_RANK})`);
      }
    }
    const bad = INT8_OPS.has(n.op)
      ? (input !== "int8" || output !== "int8") && `needs int8 tensors, has ${input} -> ${output}`
      : n.op === "QUANTIZE"
      ? (output !== "int8" || (input !== "int8" && input !== "float32")) &&
        `supports float32 or int8 -> int8, has ${input} -> ${output}`
      : n.op === "DEQUANTIZE"
      ? (input !== "int8" || output !== "float32") &&
        `supports int8 -> float32, has ${input} -> ${output}`
      : n.op === "ARG_MAX"
      ? (input !== "int8" || (output !== "int32" && output !== "int64")) &&
        `supports int8 -> int32 or int64, has ${input} -> ${output}`
      : false;
    if (bad) throw new UnsupportedOpError(n.op, i, `the tflm kernel ${bad}`);
    if (n.op === "CONV_2D") {
      const cin = graph.tensors[n.inputs[0] ?? -1]?.shape[3];
      const fin = graph.tensors[n.inputs[1] ?? -1]?.shape[3];
      if (cin !== fin) {
        throw new UnsupportedOpError(
          n.op,
          i,
          `grouped convolution (${cin} input channels, filter ${fin}) has no tflm kernel`,
        );
      }
    }
  });
}

/** Serialize `graph` with the head offsets of `plan` and the tail size the runtime allocates. */
export function serializeModel(graph: Graph, plan: HeadPlan, tail: number): SerializedModel {
  checkSupported(graph);
  const w = new Writer();
  const nT = graph.tensors.length;
  const nN = graph.nodes.length;
  const tensorsOff = HEADER_BYTES;
  const nodesOff = tensorsOff + nT * TENSOR_DESC_BYTES;
  w.align(1, nodesOff + nN * NODE_DESC_BYTES);
  w.setU32(0, MAGIC);
  w.setU32(4, nT);
  w.setU32(8, nN);
  w.setU32(12, tensorsOff);
  w.setU32(16, nodesOff);
  w.setU32(20, plan.headBytes);
  w.setU32(24, tail);
  w.setU32(28, 0);

  // Variable part: dims and scales per tensor.
  graph.tensors.forEach((t, i) => {
    const at = tensorsOff + i * TENSOR_DESC_BYTES;
    w.setU8(at, TYPE_CODES[t.dtype]);
    w.setU8(at + 1, t.shape.length);
    w.setU8(at + 2, t.data ? 1 : 0);
    w.setU32(at + 4, w.length);
    for (const d of t.shape) w.i32(d);
    w.setU32(at + 12, t.data ? t.data.byteLength : tensorBytes(t));
    const scales = t.quant?.scale ?? [];
    w.setU32(at + 16, scales.length);
    w.align(8);
    w.setU32(at + 20, w.length);
    for (const s of scales) w.f64(Math.fround(s));
    w.setI32(at + 24, t.quant?.zeroPoint[0] ?? 0);
    w.setI32(at + 28, t.quant?.axis ?? 0);
    if (!t.data) w.setU32(at + 8, Math.max(plan.tensorOffset[i] ?? 0, 0));
  });
  // Node io lists and options.
  graph.nodes.forEach((n, i) => {
    const at = nodesOff + i * NODE_DESC_BYTES;
    w.setU16(at, OP_CODES[n.op]);
    w.setU8(at + 2, n.inputs.length);
    w.setU8(at + 3, n.outputs.length);
    w.setU32(at + 4, w.length);
    for (const t of n.inputs) w.i32(t);
    for (const t of n.outputs) w.i32(t);
    const options = nodeOptions(graph, n);
    w.setU32(at + 8, w.length);
    w.setU32(at + 12, options.length);
    for (const o of options) w.i32(o);
    const [off, bytes] = plan.scratch[i] ?? [0, 0];
    w.setU32(at + 16, off);
    w.setU32(at + 20, bytes);
  });
  w.align(16);
  const tableBytes = w.length;
  // Constants.
  graph.tensors.forEach((t, i) => {
    if (!t.data) return;
    w.align(16);
    w.setU32(tensorsOff + i * TENSOR_DESC_BYTES + 8, w.length);
    w.bytes(t.data);
    w.align(1, 4);
  });
  w.align(16);
  return { bytes: w.result(), tableBytes, weightBytes: w.length - tableBytes };
}
