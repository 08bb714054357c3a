/**
 * Structural validation of a {@link Graph}: tensor references, input counts, per-operator shape
 * consistency, quantization and constant weights. Self-contained (no shape inference imports).
 *
 * @module
 */

import { DTYPE_BYTES, elementCount, type Graph, type Node, type Tensor } from "./graph.ts";
import { ModelFormatError } from "./errors.ts";
import { sliceAxes, sliceOutputShape } from "./strided_slice.ts";

/** No tensor of a microcontroller model can be larger than this (2 GiB). */
const MAX_TENSOR_BYTES = 2 ** 31;

/** Allowed input counts per operator: [min, max]. */
const INPUT_COUNTS: Readonly<Record<Node["op"], readonly [number, number]>> = {
  CONV_2D: [2, 3],
  DEPTHWISE_CONV_2D: [2, 3],
  FULLY_CONNECTED: [2, 3],
  ADD: [2, 2],
  MUL: [2, 2],
  AVERAGE_POOL_2D: [1, 1],
  MAX_POOL_2D: [1, 1],
  MEAN: [2, 2],
  PAD: [2, 2],
  RESHAPE: [1, 2],
  SOFTMAX: [1, 1],
  LOGISTIC: [1, 1],
  QUANTIZE: [1, 1],
  DEQUANTIZE: [1, 1],
  TRANSPOSE: [2, 2],
  CONCATENATION: [1, Number.MAX_SAFE_INTEGER],
  HARD_SWISH: [1, 1],
  RELU: [1, 1],
  RELU6: [1, 1],
  RELU_N1_TO_1: [1, 1],
  LEAKY_RELU: [1, 1],
  TANH: [1, 1],
  SUB: [2, 2],
  MAXIMUM: [2, 2],
  MINIMUM: [2, 2],
  STRIDED_SLICE: [4, 4],
  RESIZE_NEAREST_NEIGHBOR: [2, 2],
};

/** Operators whose input 2 (bias) may be absent (-1). */
const OPTIONAL_BIAS: ReadonlySet<Node["op"]> = new Set([
  "CONV_2D",
  "DEPTHWISE_CONV_2D",
  "FULLY_CONNECTED",
]);

/**
 * Check that a Graph is well formed, throwing a ModelFormatError that names the offending tensor
 * or node (index and operator) otherwise. Checks: every tensor's shape (non-negative integers,
 * at most 2 GiB), quantization (lengths, per-channel axis) and constant data size; graph inputs/outputs and node tensor indices in range;
 * input and output counts per operator; int8 tensors quantized; constant weights, biases and
 * parameter tensors; execution order (each activation is produced once, before it is read); and
 * each operator's shapes (convolution and pooling output size from padding,
 * stride and dilation, channel counts, bias length, broadcasting, reshape element count, ...).
 *
 * @example
 * ```ts
 * import { validateGraph } from "./validate.ts";
 * validateGraph({
 *   name: "identity", nodes: [], inputs: [0], outputs: [0],
 *   tensors: [{ name: "x", shape: [1, 4], dtype: "float32" }],
 * });
 * ```
 *
 * @param g The graph to check.
 * @throws {ModelFormatError} describing the first problem found.
 */
export function validateGraph(g: Graph): void {
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
  g.nodes.forEach((node, i) => validateNode(g, node, i));
  validateOrder(g);
}

/**
 * Dataflow: every activation a node reads is a graph input or the output of an earlier node, and
 * no tensor is written twice, written as a constant, or written when it is a graph input.
 */
function validateOrder(g: Graph): void {
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
  if (t.data) {
    const expected = bytes;
    if (t.data.byteLength !== expected) {
      fail(
        `constant data has ${t.data.byteLength} bytes, but shape [${t.shape}] of ${t.dtype} needs ${expected}`,
      );
    }
  }
}

function validateNode(g: Graph, node: Node, index: number): void {
  function fail(what: string): never {
    throw new ModelFormatError(`Cannot validate node ${index} (${node.op}): ${what}`);
  }
  const counts = INPUT_COUNTS[node.op] as readonly [number, number] | undefined;
  if (!counts) fail(`operator '${node.op}' is unknown`);
  const [minIn, maxIn] = counts;
  if (node.inputs.length < minIn || node.inputs.length > maxIn) {
    fail(
      `it has ${node.inputs.length} inputs, expected ${
        minIn === maxIn ? minIn : `${minIn} to ${maxIn === Number.MAX_SAFE_INTEGER ? "any" : maxIn}`
      }`,
    );
  }
  if (node.outputs.length !== 1) fail(`it has ${node.outputs.length} outputs, expected 1`);
  const count = g.tensors.length;
  node.inputs.forEach((ti, k) => {
    if (ti === -1 && k === 2 && OPTIONAL_BIAS.has(node.op)) return;
    if (!Number.isInteger(ti) || ti < 0 || ti >= count) {
      fail(`input ${k} refers to tensor ${ti}, but the graph has ${count} tensors`);
    }
  });
  node.outputs.forEach((ti, k) => {
    if (!Number.isInteger(ti) || ti < 0 || ti >= count) {
      fail(`output ${k} refers to tensor ${ti}, but the graph has ${count} tensors`);
    }
  });
  for (const ti of [...node.inputs, ...node.outputs]) {
    const t = g.tensors[ti];
    if (t && t.dtype === "int8" && !t.quant) {
      fail(`int8 tensor ${ti} ('${t.name}') has no quantization`);
    }
  }

  const tensor = (k: number): Tensor => g.tensors[node.inputs[k] ?? -1]!;
  const input = tensor(0);
  const output = g.tensors[node.outputs[0]!]!;
  const inS = input.shape;
  const outS = output.shape;
  const shapeText = (s: readonly number[]): string => `[${s.join(", ")}]`;
  const constant = (k: number, role: string): Tensor => {
    const t = tensor(k);
    if (!t.data) fail(`${role} tensor ${node.inputs[k]} ('${t.name}') is not constant`);
    return t;
  };
  const rank = (t: Tensor, r: number, role: string): void => {
    if (t.shape.length !== r) fail(`${role} has rank ${t.shape.length}, expected ${r}`);
  };
  const sameShape = (): void => {
    if (!sameDims(inS, outS)) {
      fail(`output shape ${shapeText(outS)} differs from input shape ${shapeText(inS)}`);
    }
  };
  const positive = (value: number, what: string): void => {
    if (!Number.isInteger(value) || value < 1) fail(`${what} is ${value}, expected at least 1`);
  };
  const bias = (channels: number): void => {
    if (node.inputs.length < 3 || node.inputs[2] === -1) return;
    const b = constant(2, "bias");
    if (elementCount(b.shape) !== channels || b.shape.length !== 1) {
      fail(`bias shape ${shapeText(b.shape)} does not match ${channels} output channels`);
    }
  };
  const perChannel = (w: Tensor, axis: number, role: string): void => {
    if (w.quant && w.quant.scale.length > 1 && w.quant.axis !== axis) {
      fail(`${role} is quantized per channel along dimension ${w.quant.axis}, expected ${axis}`);
    }
  };
  const spatial = (
    o: { padding: "SAME" | "VALID"; strideH: number; strideW: number },
    kh: number,
    kw: number,
    dh: number,
    dw: number,
  ): void => {
    positive(o.strideH, "stride height");
    positive(o.strideW, "stride width");
    positive(dh, "dilation height");
    positive(dw, "dilation width");
    const expH = outSize(inS[1]!, kh, o.strideH, dh, o.padding);
    const expW = outSize(inS[2]!, kw, o.strideW, dw, o.padding);
    if (outS[1] !== expH || outS[2] !== expW) {
      fail(
        `output size ${outS[1]}x${outS[2]} does not match ${expH}x${expW} expected from input ${
          inS[1]
        }x${
          inS[2]
        }, kernel ${kh}x${kw}, stride ${o.strideH}x${o.strideW}, dilation ${dh}x${dw} and ${o.padding} padding`,
      );
    }
    if (outS[0] !== inS[0]) fail(`output batch ${outS[0]} differs from input batch ${inS[0]}`);
  };

  switch (node.op) {
    case "CONV_2D": {
      const w = constant(1, "filter");
      rank(input, 4, "input");
      rank(w, 4, "filter");
      rank(output, 4, "output");
      const [oc, kh, kw, ic] = w.shape as [number, number, number, number];
      if (ic < 1 || inS[3]! % ic !== 0) {
        fail(`input has ${inS[3]} channels, which the filter's ${ic} input channels do not divide`);
      }
      if (outS[3] !== oc) fail(`output has ${outS[3]} channels, but the filter has ${oc}`);
      perChannel(w, 0, "filter");
      spatial(node.options, kh, kw, node.options.dilationH, node.options.dilationW);
      bias(oc);
      return;
    }
    case "DEPTHWISE_CONV_2D": {
      const w = constant(1, "filter");
      rank(input, 4, "input");
      rank(w, 4, "filter");
      rank(output, 4, "output");
      const [one, kh, kw, oc] = w.shape as [number, number, number, number];
      if (one !== 1) fail(`filter shape ${shapeText(w.shape)} must start with 1`);
      if (outS[3] !== oc) fail(`output has ${outS[3]} channels, but the filter has ${oc}`);
      if (inS[3]! < 1 || oc % inS[3]! !== 0) {
        fail(`filter has ${oc} channels, not a multiple of the input's ${inS[3]}`);
      }
      perChannel(w, 3, "filter");
      spatial(node.options, kh, kw, node.options.dilationH, node.options.dilationW);
      bias(oc);
      return;
    }
    case "FULLY_CONNECTED": {
      const w = constant(1, "weights");
      rank(w, 2, "weights");
      const [oc, ic] = w.shape as [number, number];
      const inCount = elementCount(inS);
      if (ic < 1 || inCount % ic !== 0) {
        fail(`input shape ${shapeText(inS)} is not a whole number of rows of ${ic}`);
      }
      if (outS[outS.length - 1] !== oc || elementCount(outS) !== (inCount / ic) * oc) {
        fail(
          `output shape ${shapeText(outS)} does not match ${inCount / ic} rows of ${oc} outputs`,
        );
      }
      perChannel(w, 0, "weights");
      bias(oc);
      return;
    }
    case "ADD":
    case "MUL":
    case "SUB":
    case "MAXIMUM":
    case "MINIMUM": {
      const b = broadcast(inS, tensor(1).shape);
      if (!b) {
        fail(`input shapes ${shapeText(inS)} and ${shapeText(tensor(1).shape)} do not broadcast`);
      }
      if (!sameDims(b, outS)) {
        fail(`output shape ${shapeText(outS)} differs from the broadcast shape ${shapeText(b)}`);
      }
      return;
    }
    case "AVERAGE_POOL_2D":
    case "MAX_POOL_2D": {
      rank(input, 4, "input");
      rank(output, 4, "output");
      positive(node.options.filterH, "filter height");
      positive(node.options.filterW, "filter width");
      if (outS[3] !== inS[3]) fail(`output has ${outS[3]} channels, input has ${inS[3]}`);
      spatial(node.options, node.options.filterH, node.options.filterW, 1, 1);
      return;
    }
    case "MEAN": {
      const axesT = constant(1, "axes");
      const axes = intValues(axesT) ?? fail(`axes tensor has type ${axesT.dtype}, expected int32`);
      const reduced = new Set<number>();
      for (const a of axes) {
        const n = a < 0 ? a + inS.length : a;
        if (n < 0 || n >= inS.length) fail(`axis ${a} is out of range for rank ${inS.length}`);
        reduced.add(n);
      }
      const expected = node.options.keepDims
        ? inS.map((d, k) => (reduced.has(k) ? 1 : d))
        : inS.filter((_, k) => !reduced.has(k));
      if (!sameDims(expected, outS)) {
        fail(`output shape ${shapeText(outS)} differs from the expected ${shapeText(expected)}`);
      }
      return;
    }
    case "PAD": {
      const padT = constant(1, "paddings");
      const pads = intValues(padT) ??
        fail(`paddings tensor has type ${padT.dtype}, expected int32`);
      if (padT.shape.length !== 2 || padT.shape[0] !== inS.length || padT.shape[1] !== 2) {
        fail(`paddings shape ${shapeText(padT.shape)} is not [${inS.length}, 2]`);
      }
      const expected = inS.map((d, k) => d + pads[2 * k]! + pads[2 * k + 1]!);
      if (pads.some((p) => p < 0) || !sameDims(expected, outS)) {
        fail(`output shape ${shapeText(outS)} differs from the padded ${shapeText(expected)}`);
      }
      return;
    }
    case "RESHAPE":
      if (elementCount(inS) !== elementCount(outS)) {
        fail(`input shape ${shapeText(inS)} and output shape ${shapeText(outS)} differ in size`);
      }
      return;
    case "SOFTMAX":
    case "LOGISTIC":
    case "QUANTIZE":
    case "DEQUANTIZE":
    case "HARD_SWISH":
    case "RELU":
    case "RELU6":
    case "RELU_N1_TO_1":
    case "TANH":
      sameShape();
      return;
    case "LEAKY_RELU":
      if (!Number.isFinite(node.options.alpha)) fail(`alpha ${node.options.alpha} is not finite`);
      sameShape();
      return;
    case "TRANSPOSE": {
      const permT = constant(1, "perm");
      const perm = intValues(permT) ?? fail(`perm tensor has type ${permT.dtype}, expected int32`);
      const sorted = [...perm].sort((a, b) => a - b);
      if (perm.length !== inS.length || sorted.some((p, k) => p !== k)) {
        fail(`perm [${perm}] is not a permutation of rank ${inS.length}`);
      }
      const expected = perm.map((p) => inS[p]!);
      if (!sameDims(expected, outS)) {
        fail(`output shape ${shapeText(outS)} differs from the transposed ${shapeText(expected)}`);
      }
      return;
    }
    case "STRIDED_SLICE": {
      const vectors = (["begin", "end", "strides"] as const).map((role, k) => {
        const t = constant(k + 1, role);
        const v = intValues(t) ?? fail(`${role} tensor has type ${t.dtype}, expected int32`);
        if (t.shape.length !== 1 || v.length !== inS.length) {
          fail(`${role} shape ${shapeText(t.shape)} is not [${inS.length}]`);
        }
        return v;
      });
      const [begin, end, strides] = vectors as [number[], number[], number[]];
      strides.forEach((s, k) => {
        if (s === 0) fail(`stride ${k} is 0`);
      });
      const axes = sliceAxes(inS, begin, end, strides, node.options);
      axes.forEach((a, k) => {
        if (a.shrink && (a.start < 0 || a.start >= inS[k]!)) {
          fail(`shrunk axis ${k} begins at ${begin[k]}, outside its ${inS[k]} elements`);
        }
      });
      const expected = sliceOutputShape(axes);
      if (!sameDims(expected, outS)) {
        fail(`output shape ${shapeText(outS)} differs from the sliced ${shapeText(expected)}`);
      }
      return;
    }
    case "RESIZE_NEAREST_NEIGHBOR": {
      rank(input, 4, "input");
      rank(output, 4, "output");
      const sizeT = constant(1, "size");
      const size = intValues(sizeT) ?? fail(`size tensor has type ${sizeT.dtype}, expected int32`);
      if (size.length !== 2 || size.some((d) => d < 1)) {
        fail(`size [${size}] is not 2 positive sizes`);
      }
      const expected = [inS[0]!, size[0]!, size[1]!, inS[3]!];
      if (!sameDims(expected, outS)) {
        fail(`output shape ${shapeText(outS)} differs from the resized ${shapeText(expected)}`);
      }
      return;
    }
    case "CONCATENATION": {
      const r = outS.length;
      const axis = node.options.axis < 0 ? node.options.axis + r : node.options.axis;
      if (!Number.isInteger(axis) || axis < 0 || axis >= r) {
        fail(`axis ${node.options.axis} is out of range for rank ${r}`);
      }
      let sum = 0;
      node.inputs.forEach((_, k) => {
        const s = tensor(k).shape;
        if (s.length !== r || s.some((d, j) => j !== axis && d !== outS[j])) {
          fail(`input ${k} shape ${shapeText(s)} does not fit output ${shapeText(outS)}`);
        }
        sum += s[axis]!;
      });
      if (sum !== outS[axis]) {
        fail(`inputs add up to ${sum} along axis ${axis}, output has ${outS[axis]}`);
      }
      return;
    }
  }
}

/** Output size of a convolution or pooling window along one dimension. */
function outSize(
  inSize: number,
  kernel: number,
  stride: number,
  dilation: number,
  padding: "SAME" | "VALID",
): number {
  const effective = (kernel - 1) * dilation + 1;
  return padding === "SAME"
    ? Math.ceil(inSize / stride)
    : Math.max(0, Math.ceil((inSize - effective + 1) / stride));
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, k) => d === b[k]);
}

/** NumPy broadcasting of two shapes, or undefined when they are incompatible. */
function broadcast(a: readonly number[], b: readonly number[]): number[] | undefined {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let k = 0; k < r; k++) {
    const x = a[a.length - r + k] ?? 1;
    const y = b[b.length - r + k] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return undefined;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** Values of an int32 or int64 constant, or undefined for other types. */
function intValues(t: Tensor): number[] | undefined {
  const d = t.data!;
  const view = new DataView(d.buffer, d.byteOffset, d.byteLength);
  if (t.dtype === "int32") {
    return Array.from({ length: d.byteLength >> 2 }, (_, i) => view.getInt32(4 * i, true));
  }
  if (t.dtype === "int64") {
    return Array.from(
      { length: d.byteLength >> 3 },
      (_, i) => Number(view.getBigInt64(8 * i, true)),
    );
  }
  return undefined;
}
