/**
 * Small valid graphs, one per IR operator, for tests of the IR and of anything that consumes
 * graphs (import/export, reference kernels, planners). Used only by tests.
 *
 * @module
 */

import type { Graph, Node, Quantization, Tensor } from "./graph.ts";
import { convOptions } from "./conv_options.ts";
import { createRng } from "../util/mod.ts";

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
    options: convOptions({ strideH: 2, strideW: 2, activation: "RELU6" }),
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
  graphs.push(
    single("log_softmax", [act("in", [2, 5]), act("out", [2, 5], quant(16 / 256, 127))], {
      op: "LOG_SOFTMAX",
      inputs: [0],
      outputs: [1],
      options: {},
    }),
  );
  graphs.push({
    name: "split",
    tensors: [
      int32Const("axis", [], [-1]),
      act("in", [1, 2, 6]),
      act("a", [1, 2, 3]),
      act("b", [1, 2, 3]),
    ],
    nodes: [{ op: "SPLIT", inputs: [0, 1], outputs: [2, 3], options: { numSplits: 2 } }],
    inputs: [1],
    outputs: [2, 3],
  });
  graphs.push({
    name: "split_v",
    tensors: [
      act("in", [1, 5, 2]),
      int32Const("sizes", [3], [1, -1, 2]),
      int32Const("axis", [], [1]),
      act("a", [1, 1, 2]),
      act("b", [1, 2, 2]),
      act("c", [1, 2, 2]),
    ],
    nodes: [{ op: "SPLIT_V", inputs: [0, 1, 2], outputs: [3, 4, 5], options: { numSplits: 3 } }],
    inputs: [0],
    outputs: [3, 4, 5],
  });
  graphs.push({
    name: "pack",
    tensors: [act("a", [2, 3]), act("b", [2, 3]), act("out", [2, 2, 3])],
    nodes: [{ op: "PACK", inputs: [0, 1], outputs: [2], options: { valuesCount: 2, axis: 1 } }],
    inputs: [0, 1],
    outputs: [2],
  });
  graphs.push({
    name: "unpack",
    tensors: [act("in", [2, 3, 4]), act("a", [2, 4]), act("b", [2, 4]), act("c", [2, 4])],
    nodes: [{ op: "UNPACK", inputs: [0], outputs: [1, 2, 3], options: { num: 3, axis: -2 } }],
    inputs: [0],
    outputs: [1, 2, 3],
  });
  graphs.push(single("rsqrt", [act("in", [1, 6], quant(0.05, -128)), act("out", [1, 6])], {
    op: "RSQRT",
    inputs: [0],
    outputs: [1],
    options: {},
  }));
  for (const op of ["SQUARED_DIFFERENCE", "PRELU"] as const) {
    graphs.push({
      name: op.toLowerCase(),
      tensors: [act("a", [1, 2, 3]), int8Const("b", [3], 5, quant(0.02, 1)), act("o", [1, 2, 3])],
      nodes: [{ op, inputs: [0, 1], outputs: [2], options: {} }],
      inputs: [0],
      outputs: [2],
    });
  }
  for (const [outputType, axis] of [["int32", 1], ["int64", -1]] as const) {
    graphs.push(single(`arg_max_${outputType}`, [
      act("in", [1, 3, 5]),
      int32Const("axis", [1], [axis]),
      { name: "out", shape: axis === 1 ? [1, 5] : [1, 3], dtype: outputType },
    ], { op: "ARG_MAX", inputs: [0, 1], outputs: [2], options: { outputType } }));
  }
  graphs.push({
    name: "batch_matmul",
    tensors: [
      act("q", [2, 3, 4]),
      act("k", [1, 5, 4], quant(0.04, 2)),
      act("out", [2, 3, 5], quant(0.2, 1)),
    ],
    nodes: [{
      op: "BATCH_MATMUL",
      inputs: [0, 1],
      outputs: [2],
      options: { adjX: false, adjY: true },
    }],
    inputs: [0, 1],
    outputs: [2],
  });
  graphs.push(single("gelu", [act("in", [1, 6]), act("out", [1, 6], quant(0.03, -20))], {
    op: "GELU",
    inputs: [0],
    outputs: [1],
    options: { approximate: true },
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
  for (const op of ["RELU", "RELU6", "RELU_N1_TO_1"] as const) {
    graphs.push(single(op.toLowerCase(), [
      act("in", [1, 3, 5, 4], quant(0.07, 4)),
      act("out", [1, 3, 5, 4], quant(0.05, -128)),
    ], { op, inputs: [0], outputs: [1], options: {} }));
  }
  graphs.push(single("leaky_relu", [act("in", [2, 6]), act("out", [2, 6], quant(0.04, 2))], {
    op: "LEAKY_RELU",
    inputs: [0],
    outputs: [1],
    options: { alpha: Math.fround(0.2) },
  }));
  graphs.push(single("tanh", [act("in", [1, 10]), act("out", [1, 10], quant(1 / 128, 0))], {
    op: "TANH",
    inputs: [0],
    outputs: [1],
    options: {},
  }));
  graphs.push({
    name: "sub",
    tensors: [
      act("a", [1, 4, 4, 3]),
      act("b", [1, 1, 1, 3], quant(0.03, 1)),
      act("o", [1, 4, 4, 3]),
    ],
    nodes: [{ op: "SUB", inputs: [0, 1], outputs: [2], options: { activation: "RELU6" } }],
    inputs: [0, 1],
    outputs: [2],
  });
  graphs.push(single("strided_slice", [
    act("in", [1, 6, 5, 4]),
    int32Const("begin", [4], [0, -1, 1, 0]),
    int32Const("end", [4], [1, 0, 2, 3]),
    int32Const("strides", [4], [1, -2, 1, 2]),
    act("out", [1, 3, 2]),
  ], {
    op: "STRIDED_SLICE",
    inputs: [0, 1, 2, 3],
    outputs: [4],
    options: { beginMask: 0, endMask: 8, shrinkAxisMask: 4, offset: false },
  }));
  graphs.push(single("strided_slice_offset", [
    act("in", [4, 5]),
    int32Const("begin", [2], [1, 0]),
    int32Const("end", [2], [2, 5]),
    int32Const("strides", [2], [1, 1]),
    act("out", [2, 5]),
  ], {
    op: "STRIDED_SLICE",
    inputs: [0, 1, 2, 3],
    outputs: [4],
    options: { beginMask: 0, endMask: 0, shrinkAxisMask: 0, offset: true },
  }));
  graphs.push(single("resize_nearest_neighbor", [
    act("in", [1, 3, 4, 2]),
    int32Const("size", [2], [5, 8]),
    act("out", [1, 5, 8, 2]),
  ], {
    op: "RESIZE_NEAREST_NEIGHBOR",
    inputs: [0, 1],
    outputs: [2],
    options: { alignCorners: true, halfPixelCenters: true },
  }));
  for (const op of ["MAXIMUM", "MINIMUM"] as const) {
    graphs.push({
      name: op.toLowerCase(),
      tensors: [act("a", [1, 2, 3]), act("b", [3]), act("o", [1, 2, 3])],
      nodes: [{ op, inputs: [0, 1], outputs: [2], options: {} }],
      inputs: [0, 1],
      outputs: [2],
    });
  }
  {
    // LSTM: input [1, 3, 4] -> state 2, weights per gate, int16 cell state at 2^-12.
    const state = (name: string, dtype: "int8" | "int16", q: Quantization): Tensor => ({
      name,
      shape: [1, 2],
      dtype,
      quant: q,
      data: new Uint8Array(dtype === "int8" ? 2 : 4),
      variable: true,
    });
    const tensors: Tensor[] = [act("in", [1, 3, 4], quant(0.02, 0))];
    for (let g = 0; g < 4; g++) tensors.push(int8Const(`wi${g}`, [2, 4], 40 + g));
    for (let g = 0; g < 4; g++) tensors.push(int8Const(`wr${g}`, [2, 2], 50 + g));
    for (let g = 0; g < 4; g++) tensors.push(int32Const(`b${g}`, [2], [100 * g, -50], quant(4e-4)));
    tensors.push(state("h", "int8", quant(1 / 128)), state("c", "int16", quant(2 ** -12)));
    tensors.push(act("out", [1, 3, 2], quant(1 / 128)));
    graphs.push(single("unidirectional_sequence_lstm", tensors, {
      op: "UNIDIRECTIONAL_SEQUENCE_LSTM",
      inputs: [
        0,
        1,
        2,
        3,
        4,
        5,
        6,
        7,
        8,
        -1,
        -1,
        -1,
        9,
        10,
        11,
        12,
        -1,
        -1,
        13,
        14,
        -1,
        -1,
        -1,
        -1,
      ],
      outputs: [15],
      options: { cellClip: 3, projClip: 0, timeMajor: false },
    }));
  }
  {
    // SVDF: input [1, 5], 4 filters of rank 2 -> 2 units, memory 3, int16 time weights and state.
    const time = new Uint8Array(24);
    new DataView(time.buffer).setInt16(0, 1234, true);
    graphs.push(single("svdf", [
      act("in", [1, 5], quant(0.02, 3)),
      int8Const("feature", [4, 5], 60),
      { name: "time", shape: [4, 3], dtype: "int16", quant: quant(1 / 16384), data: time },
      int32Const("bias", [2], [7, -9], quant(1e-6)),
      {
        name: "state",
        shape: [1, 12],
        dtype: "int16",
        quant: quant(1 / 1024),
        data: new Uint8Array(24),
        variable: true,
      },
      act("out", [1, 2], quant(0.05, -3)),
    ], {
      op: "SVDF",
      inputs: [0, 1, 2, 3, 4],
      outputs: [5],
      options: { rank: 2, activation: "NONE" },
    }));
  }
  return graphs;
}
