/**
 * Output-shape arithmetic for convolution and pooling (TFLite's formulas) and per-operator
 * output-shape inference over the Graph IR.
 *
 * @module
 */
import { elementCount, type Graph, int32Data, type Node, type Padding } from "../ir/mod.ts";
import { sliceAxes, sliceOutputShape } from "../ir/mod.ts";

/** Padding of one spatial dimension, as TFLite computes it. */
export interface PaddingAmount {
  /** Output size along this dimension. */
  readonly out: number;
  /** Zero rows (or columns) added before the input (top/left). */
  readonly before: number;
  /** Zero rows (or columns) added after the input (bottom/right); `before` or `before + 1`. */
  readonly after: number;
}

/**
 * Output size and padding of one spatial dimension of a convolution or pooling window, following
 * TFLite (`ComputeOutSize` and `ComputePaddingHeightWidth`): SAME gives `ceil(in / stride)` and
 * pads the odd extra row after the input; VALID gives `floor((in - effective kernel) / stride) + 1`.
 *
 * @example
 * ```ts
 * import { convPadding } from "./shape.ts";
 * convPadding(224, 3, 2, "SAME"); // { out: 112, before: 0, after: 1 }
 * ```
 */
export function convPadding(
  inSize: number,
  kernel: number,
  stride: number,
  padding: Padding,
  dilation = 1,
): PaddingAmount {
  if (!(inSize > 0 && kernel > 0 && stride > 0 && dilation > 0)) {
    throw new RangeError(
      `Cannot compute a convolution window: sizes must be positive: in ${inSize}, kernel ${kernel}, stride ${stride}, dilation ${dilation}`,
    );
  }
  const effective = (kernel - 1) * dilation + 1;
  if (padding === "VALID") {
    if (effective > inSize) {
      throw new RangeError(
        `Cannot apply a VALID window of ${effective} to an input of ${inSize}: the window is larger`,
      );
    }
    return { out: Math.floor((inSize - effective) / stride) + 1, before: 0, after: 0 };
  }
  const out = Math.ceil(inSize / stride);
  const total = Math.max((out - 1) * stride + effective - inSize, 0);
  const before = Math.floor(total / 2);
  return { out, before, after: total - before };
}

/**
 * Output size of one spatial dimension of a convolution or pooling window (TFLite formula).
 *
 * @example
 * ```ts
 * import { convOutputSize } from "./shape.ts";
 * convOutputSize(96, 3, 2, "SAME"); // 48
 * convOutputSize(5, 5, 1, "VALID"); // 1
 * ```
 */
export function convOutputSize(
  inSize: number,
  kernel: number,
  stride: number,
  padding: Padding,
  dilation = 1,
): number {
  return convPadding(inSize, kernel, stride, padding, dilation).out;
}

function shapeOf(graph: Graph, index: number | undefined, what: string): readonly number[] {
  const t = index === undefined || index < 0 ? undefined : graph.tensors[index];
  if (!t) throw new RangeError(`Cannot infer a shape: ${what} refers to missing tensor ${index}`);
  return t.shape;
}

function dim(shape: readonly number[], i: number): number {
  const d = shape[i];
  if (d === undefined) {
    throw new RangeError(`Cannot infer a shape: shape [${shape.join(", ")}] has no dimension ${i}`);
  }
  return d;
}

function constInt32(graph: Graph, index: number | undefined, what: string): Int32Array {
  const t = index === undefined || index < 0 ? undefined : graph.tensors[index];
  if (!t?.data) throw new RangeError(`Cannot infer a shape: ${what} must be a constant tensor`);
  return int32Data(t);
}

/**
 * Infers the shape of a node's first output from its inputs and options, as TFLite would.
 * Builders and validation use it to check that an output tensor's declared shape is right.
 *
 * RESHAPE returns the output tensor's declared shape when its element count matches the input
 * (the IR treats that as authoritative); CONCATENATION sums along its axis.
 *
 * @example
 * ```ts
 * import { inferOutputShape } from "./shape.ts";
 * import { buildModel } from "../builders/mod.ts";
 * const g = buildModel("mbv1-w0.25-r96-c2");
 * const shape = inferOutputShape(g, g.nodes[0]!); // [1, 48, 48, 8]
 * if (shape.join() !== "1,48,48,8") throw new Error("unexpected");
 * ```
 */
export function inferOutputShape(graph: Graph, node: Node): number[] {
  const input = shapeOf(graph, node.inputs[0], `${node.op} input 0`);
  switch (node.op) {
    case "CONV_2D":
    case "DEPTHWISE_CONV_2D": {
      const filter = shapeOf(graph, node.inputs[1], `${node.op} filter`);
      const o = node.options;
      const h = convOutputSize(dim(input, 1), dim(filter, 1), o.strideH, o.padding, o.dilationH);
      const w = convOutputSize(dim(input, 2), dim(filter, 2), o.strideW, o.padding, o.dilationW);
      const c = node.op === "CONV_2D" ? dim(filter, 0) : dim(filter, 3);
      return [dim(input, 0), h, w, c];
    }
    case "AVERAGE_POOL_2D":
    case "MAX_POOL_2D": {
      const o = node.options;
      const h = convOutputSize(dim(input, 1), o.filterH, o.strideH, o.padding);
      const w = convOutputSize(dim(input, 2), o.filterW, o.strideW, o.padding);
      return [dim(input, 0), h, w, dim(input, 3)];
    }
    case "FULLY_CONNECTED": {
      const weights = shapeOf(graph, node.inputs[1], "FULLY_CONNECTED weights");
      const units = dim(weights, 0);
      const depth = dim(weights, 1);
      if (node.options.keepNumDims) return [...input.slice(0, -1), units];
      return [elementCount(input) / depth, units];
    }
    case "MEAN": {
      const axes = Array.from(
        constInt32(graph, node.inputs[1], "MEAN axes"),
        (a) => a < 0 ? a + input.length : a,
      );
      const out: number[] = [];
      input.forEach((d, i) => {
        if (!axes.includes(i)) out.push(d);
        else if (node.options.keepDims) out.push(1);
      });
      return out;
    }
    case "PAD": {
      const pads = constInt32(graph, node.inputs[1], "PAD paddings");
      return input.map((d, i) => d + (pads[2 * i] ?? 0) + (pads[2 * i + 1] ?? 0));
    }
    case "RESHAPE": {
      const declared = shapeOf(graph, node.outputs[0], "RESHAPE output");
      const target = declared.length > 0 ? declared : node.options.newShape;
      if (elementCount(target) !== elementCount(input)) {
        throw new RangeError(
          `Cannot reshape [${input.join(", ")}] to [${target.join(", ")}]: element counts differ`,
        );
      }
      return [...target];
    }
    case "STRIDED_SLICE": {
      const [begin, end, strides] = [1, 2, 3].map((k) =>
        constInt32(graph, node.inputs[k], `STRIDED_SLICE input ${k}`)
      ) as [Int32Array, Int32Array, Int32Array];
      return sliceOutputShape(sliceAxes(input, begin, end, strides, node.options));
    }
    case "RESIZE_NEAREST_NEIGHBOR": {
      const size = constInt32(graph, node.inputs[1], "RESIZE_NEAREST_NEIGHBOR size");
      return [dim(input, 0), size[0] ?? 1, size[1] ?? 1, dim(input, 3)];
    }
    case "TRANSPOSE": {
      const perm = constInt32(graph, node.inputs[1], "TRANSPOSE perm");
      return Array.from(perm, (p) => dim(input, p));
    }
    case "CONCATENATION": {
      const axis = node.options.axis < 0 ? node.options.axis + input.length : node.options.axis;
      const out = [...input];
      out[axis] = node.inputs.reduce(
        (sum, t, i) => sum + dim(shapeOf(graph, t, `CONCATENATION input ${i}`), axis),
        0,
      );
      return out;
    }
    case "ADD":
    case "MUL":
    case "SUB":
    case "MAXIMUM":
    case "MINIMUM": {
      const other = shapeOf(graph, node.inputs[1], `${node.op} input 1`);
      const rank = Math.max(input.length, other.length);
      const out: number[] = [];
      for (let i = 0; i < rank; i++) {
        const a = input[i - (rank - input.length)] ?? 1;
        const b = other[i - (rank - other.length)] ?? 1;
        if (a !== b && a !== 1 && b !== 1) {
          throw new RangeError(
            `Cannot broadcast [${input.join(", ")}] with [${other.join(", ")}] in ${node.op}`,
          );
        }
        out.push(Math.max(a, b));
      }
      return out;
    }
    case "SOFTMAX":
    case "LOGISTIC":
    case "QUANTIZE":
    case "DEQUANTIZE":
    case "HARD_SWISH":
    case "RELU":
    case "RELU6":
    case "RELU_N1_TO_1":
    case "LEAKY_RELU":
    case "TANH":
      return [...input];
  }
}
