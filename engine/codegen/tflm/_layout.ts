/**
 * What the `tflm` C runtime will do with a graph, decided in TypeScript at compile time:
 * the CMSIS-NN scratch size of each op, the persistent tail bytes init allocates (mirroring the
 * runtime's allocations exactly), TFLM's buffer lifetimes, and the greedy head plan.
 *
 * @module
 */
import type { PlacedBuffer } from "../backend.ts";
import { type Graph, type Node, type NodeOf, type OpName, tensorBytes } from "../../ir/mod.ts";
import { UnsupportedOpError } from "../../ir/mod.ts";
import { alignGreedy, greedyPlanner } from "../../schedule/mod.ts";
import type { BufferRequest } from "../../schedule/mod.ts";

/** Bytes of one runtime tensor record (`sizeof(tflm_tensor)` on Cortex-M). */
export const TENSOR_RECORD_BYTES = 12;
/** Bytes of one runtime node record (`sizeof(tflm_node)` on Cortex-M). */
export const NODE_RECORD_BYTES = 16;
// Op data sizes; runtime/kernel_util.h static-asserts each against its struct.
const CONV_DATA_BYTES = 36;
const FC_DATA_BYTES = 32;
const ADD_DATA_BYTES = 52;
const MUL_DATA_BYTES = 32;
const POOL_DATA_BYTES = 16;
const REQUANT_DATA_BYTES = 32;
/** SQUARED_DIFFERENCE: three zero points, three multipliers and shifts (elementwise.c). */
const SQDIFF_DATA_BYTES = 36;
const CONCAT_ENTRY_BYTES = 16;
/** `sizeof(tflm_batch_matmul_data)` (batch_matmul.c), before its transposed operand buffers. */
const BATCH_MATMUL_DATA_BYTES = 32;
/** `sizeof(tflm_gelu_data)` (gelu.c): the 256-entry table. */
const GELU_DATA_BYTES = 256;
/** `sizeof(mcu_lstm_params)` and `sizeof(mcu_svdf_params)` (fixtures/firmware/recurrent.h). */
const LSTM_DATA_BYTES = 188;
const SVDF_DATA_BYTES = 52;

function align4(n: number): number {
  return Math.ceil(n / 4) * 4;
}

function shapeOf(graph: Graph, index: number | undefined): readonly number[] {
  const t = index === undefined || index < 0 ? undefined : graph.tensors[index];
  if (!t) throw new RangeError(`Cannot lay out the model: tensor ${index} does not exist`);
  return t.shape;
}

/** TFLite's padding before the first element (from the computed output size). */
export function leadingPadding(
  stride: number,
  dilation: number,
  inSize: number,
  filter: number,
  outSize: number,
): number {
  const effective = (filter - 1) * dilation + 1;
  return Math.floor(Math.max(0, (outSize - 1) * stride + effective - inSize) / 2);
}

/** Depth multiplier from the shapes (output channels / input channels). */
export function depthMultiplier(graph: Graph, node: Node): number {
  const cin = shapeOf(graph, node.inputs[0])[3] ?? 1;
  const cout = shapeOf(graph, node.outputs[0])[3] ?? 1;
  return Math.max(1, Math.round(cout / cin));
}

/** Per-operator scratch sizes of {@link scratchBytes}; operators not listed request none. */
const SCRATCH: { readonly [K in OpName]?: (graph: Graph, node: NodeOf<K>) => number } = {
  CONV_2D(graph, node) {
    const input = shapeOf(graph, node.inputs[0]);
    const filter = shapeOf(graph, node.inputs[1]);
    const output = shapeOf(graph, node.outputs[0]);
    const [kh, kw, cin] = [filter[1] ?? 1, filter[2] ?? 1, filter[3] ?? 1];
    const o = node.options;
    const padH = leadingPadding(o.strideH, o.dilationH, input[1] ?? 1, kh, output[1] ?? 1);
    const padW = leadingPadding(o.strideW, o.dilationW, input[2] ?? 1, kw, output[2] ?? 1);
    if (
      kh === 1 && kw === 1 && padH === 0 && padW === 0 && o.dilationH === 1 && o.dilationW === 1
    ) {
      return 0;
    }
    return 2 * align4(kh * kw * cin) * 2;
  },
  DEPTHWISE_CONV_2D(graph, node) {
    const input = shapeOf(graph, node.inputs[0]);
    const filter = shapeOf(graph, node.inputs[1]);
    const output = shapeOf(graph, node.outputs[0]);
    const [kh, kw] = [filter[1] ?? 1, filter[2] ?? 1];
    const c = input[3] ?? 1;
    const o = node.options;
    const mult = depthMultiplier(graph, node);
    const padH = leadingPadding(o.strideH, o.dilationH, input[1] ?? 1, kh, output[1] ?? 1);
    const padW = leadingPadding(o.strideW, o.dilationW, input[2] ?? 1, kw, output[2] ?? 1);
    const undilated = o.dilationH === 1 && o.dilationW === 1;
    if (
      mult === 1 && undilated && kh === 3 && kw === 3 && padH <= 1 && padW <= 1 && c % 4 === 0
    ) {
      return 0;
    }
    return mult === 1 && undilated ? kh * kw * c * 2 : 0;
  },
  AVERAGE_POOL_2D: (graph, node) => (shapeOf(graph, node.inputs[0])[3] ?? 1) * 4,
  MEAN(graph, node) {
    const out = shapeOf(graph, node.outputs[0]);
    let n = 1;
    for (const d of out) n *= d;
    return n * 4;
  },
  UNIDIRECTIONAL_SEQUENCE_LSTM(graph, node) {
    // The state's working copy (hidden int8, cell int16) and five int16 gate rows.
    const states = elementCountOf(shapeOf(graph, node.inputs[18]));
    const state = shapeOf(graph, node.inputs[5])[0] ?? 1;
    return align4(states) + align4(states * 2) + align4(5 * state * 2);
  },
  SVDF(graph, node) {
    // The state's working copy (int16) and one int32 time product per filter.
    const states = elementCountOf(shapeOf(graph, node.inputs[4]));
    return align4(states * 2) + (shapeOf(graph, node.inputs[1])[0] ?? 1) * 4;
  },
};

function elementCountOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Scratch bytes an op requests in its prepare, as CMSIS-NN sizes them (0 for none):
 * general convolution `2 * align4(kh*kw*Cin) * 2`; 1x1 unpadded convolution 0; 3x3 depthwise
 * (multiplier 1, padding <= 1, channels % 4 == 0) 0; other multiplier-1 undilated depthwise
 * `kh*kw*C*2`; generic depthwise 0; average pool `C*4`; MEAN one int32 per output element.
 */
export function scratchBytes(graph: Graph, node: Node): number {
  const size = SCRATCH[node.op] as ((graph: Graph, node: Node) => number) | undefined;
  return size ? size(graph, node) : 0;
}

const requantData = () => REQUANT_DATA_BYTES;
const noData = () => 0;

/** Per-operator persistent bytes of {@link opDataBytes} (a missing operator is a type error). */
const OP_DATA: { readonly [K in OpName]: (graph: Graph, node: NodeOf<K>) => number } = {
  CONV_2D: (graph, node) =>
    CONV_DATA_BYTES + 2 * align4((shapeOf(graph, node.outputs[0])[3] ?? 1) * 4),
  DEPTHWISE_CONV_2D: (graph, node) =>
    CONV_DATA_BYTES + 2 * align4((shapeOf(graph, node.outputs[0])[3] ?? 1) * 4),
  FULLY_CONNECTED(graph, node) {
    const w = graph.tensors[node.inputs[1] ?? -1];
    const rows = w?.shape[0] ?? 1;
    const n = (w?.quant?.scale.length ?? 1) > 1 ? rows : 1;
    return FC_DATA_BYTES + 2 * align4(n * 4);
  },
  ADD: () => ADD_DATA_BYTES,
  SUB: () => ADD_DATA_BYTES,
  MUL: () => MUL_DATA_BYTES,
  AVERAGE_POOL_2D: () => POOL_DATA_BYTES,
  MAX_POOL_2D: () => POOL_DATA_BYTES,
  SOFTMAX: requantData,
  LOGISTIC: requantData,
  HARD_SWISH: requantData,
  QUANTIZE: requantData,
  MEAN: requantData,
  RELU: requantData,
  RELU6: requantData,
  RELU_N1_TO_1: requantData,
  LEAKY_RELU: requantData,
  TANH: requantData,
  CONCATENATION: (_graph, node) => align4(node.inputs.length * CONCAT_ENTRY_BYTES),
  DEQUANTIZE: noData,
  RESHAPE: noData,
  PAD: noData,
  TRANSPOSE: noData,
  MAXIMUM: noData,
  MINIMUM: noData,
  STRIDED_SLICE: noData,
  RESIZE_NEAREST_NEIGHBOR: noData,
  LOG_SOFTMAX: requantData,
  UNIDIRECTIONAL_SEQUENCE_LSTM: () => LSTM_DATA_BYTES,
  SVDF: () => SVDF_DATA_BYTES,
  SPLIT: noData,
  SPLIT_V: noData,
  PACK: noData,
  UNPACK: noData,
  RSQRT: requantData,
  SQUARED_DIFFERENCE: () => SQDIFF_DATA_BYTES,
  PRELU: requantData,
  ARG_MAX: noData,
  // Prepare keeps a transposed copy of the lhs when adj_x and of the rhs unless adj_y.
  BATCH_MATMUL: (graph, node) =>
    BATCH_MATMUL_DATA_BYTES +
    (node.options.adjX ? align4(tensorBytes(graph.tensors[node.inputs[0]!]!)) : 0) +
    (node.options.adjY ? 0 : align4(tensorBytes(graph.tensors[node.inputs[1]!]!))),
  GELU: () => GELU_DATA_BYTES,
};

/** Persistent bytes one node's init and prepare allocate in the tail. */
export function opDataBytes(graph: Graph, node: Node, index: number): number {
  const size = OP_DATA[node.op] as ((graph: Graph, node: Node) => number) | undefined;
  if (!size) {
    throw new UnsupportedOpError(node.op, index, "the tflm runtime has no kernel for it");
  }
  return size(graph, node);
}

/** Tail bytes the runtime's init allocates: tensor records, node records, op data. */
export function tailBytes(graph: Graph): number {
  let total = align4(graph.tensors.length * TENSOR_RECORD_BYTES) +
    align4(graph.nodes.length * NODE_RECORD_BYTES);
  graph.nodes.forEach((n, i) => total += opDataBytes(graph, n, i));
  return total;
}

/** A tensor is planned in the head when it is an activation some node or the graph uses. */
function isConstant(graph: Graph, index: number): boolean {
  return graph.tensors[index]?.data !== undefined;
}

/**
 * TFLM's buffer requests: every activation tensor in tensor order (graph inputs live from 0,
 * graph outputs to the last op, an op's inputs and outputs overlap, nothing in place), then one
 * scratch buffer per op that asks for one, live only during its op.
 */
export function bufferRequests(graph: Graph): { requests: BufferRequest[]; scratchOf: number[] } {
  const n = graph.nodes.length;
  const first = new Array<number>(graph.tensors.length).fill(-1);
  const last = new Array<number>(graph.tensors.length).fill(-1);
  for (const t of graph.inputs) {
    first[t] = 0;
    last[t] = Math.max(last[t] ?? -1, 0);
  }
  graph.nodes.forEach((node, i) => {
    for (const t of node.inputs) {
      if (t >= 0 && first[t] !== undefined) last[t] = Math.max(last[t]!, i);
    }
    for (const t of node.outputs) {
      if (first[t] === -1) first[t] = i;
      last[t] = Math.max(last[t]!, i);
    }
  });
  for (const t of graph.outputs) last[t] = Math.max(n - 1, 0);
  const requests: BufferRequest[] = [];
  graph.tensors.forEach((t, i) => {
    if (isConstant(graph, i) || first[i] === -1) return;
    requests.push({
      id: i,
      name: t.name,
      size: tensorBytes(t),
      firstUse: first[i]!,
      lastUse: Math.max(last[i]!, first[i]!),
    });
  });
  const scratchOf = new Array<number>(n).fill(-1);
  graph.nodes.forEach((node, i) => {
    const bytes = scratchBytes(graph, node);
    if (bytes <= 0) return;
    scratchOf[i] = requests.length;
    requests.push({
      id: -1,
      name: `scratch:${i}:${node.op}`,
      size: bytes,
      firstUse: i,
      lastUse: i,
    });
  });
  return { requests, scratchOf };
}

/** The head plan: offsets for every request, in TFLM's greedy layout. */
export interface HeadPlan {
  readonly headBytes: number;
  readonly buffers: readonly PlacedBuffer[];
  /** Head offset of each tensor (-1 when not planned). */
  readonly tensorOffset: readonly number[];
  /** Per node: [offset, bytes] of its scratch buffer ([0, 0] without one). */
  readonly scratch: readonly (readonly [number, number])[];
}

/** Plan the head with TFLM's greedy planner. */
export function planHead(graph: Graph): HeadPlan {
  const { requests, scratchOf } = bufferRequests(graph);
  const placement = greedyPlanner(requests);
  const tensorOffset = new Array<number>(graph.tensors.length).fill(-1);
  const buffers: PlacedBuffer[] = requests.map((r, i) => {
    const offset = placement.offsets[i]!;
    if (r.id >= 0) tensorOffset[r.id] = offset;
    return {
      tensor: r.id,
      name: r.name,
      offset,
      size: alignGreedy(r.size),
      firstUse: r.firstUse,
      lastUse: r.lastUse,
    };
  });
  const scratch = scratchOf.map((ri): readonly [number, number] =>
    ri < 0 ? [0, 0] : [placement.offsets[ri]!, requests[ri]!.size]
  );
  return { headBytes: placement.totalBytes, buffers, tensorOffset, scratch };
}
