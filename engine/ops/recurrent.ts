/**
 * The recurrent operators of TF-Lite Micro's integer kernels: UNIDIRECTIONAL_SEQUENCE_LSTM (24
 * inputs, int8 x int8 -> int16 gates, int16 cell state; no peephole, projection or layer norm)
 * and SVDF (int8 input, int16 time weights and state). Their state inputs are variable tensors
 * (`Tensor.variable`) holding the reset value.
 *
 * @module
 */
import { elementCount } from "../ir/mod.ts";
import { LSTM_ABSENT_INPUTS, lstmParams, svdfParams } from "../quant/mod.ts";
import { sameDims, shapeText } from "./_check.ts";
import { dim, macShape, shapeOf } from "./_shape_util.ts";
import type { OpDef } from "./op_def.ts";
import {
  ACTIVATION_NAMES,
  activationField,
  bool,
  f32,
  i32,
  i8,
  OPTIONS,
} from "./tflite_options.ts";

/** Field slots of `UnidirectionalSequenceLSTMOptions`. */
const LSTM = {
  activation: 0,
  cellClip: 1,
  projClip: 2,
  timeMajor: 3,
  asymmetricQuantizeInputs: 4,
  diagonalRecurrentTensors: 5,
};

/** Field slots of `SVDFOptions`. */
const SVDF_SLOTS = { rank: 0, activation: 1, asymmetricQuantizeInputs: 2 };

/** UNIDIRECTIONAL_SEQUENCE_LSTM. */
export const UNIDIRECTIONAL_SEQUENCE_LSTM: OpDef<"UNIDIRECTIONAL_SEQUENCE_LSTM"> = {
  inputs: [24, 24],
  optionalInputs: LSTM_ABSENT_INPUTS,
  check(ctx, node) {
    const { inS, outS } = ctx;
    ctx.rank(ctx.input, 3, "input");
    ctx.rank(ctx.output, 3, "output");
    const stateSize = outS[2]!;
    const inputSize = inS[2]!;
    const batch = node.options.timeMajor ? inS[1]! : inS[0]!;
    if (outS[0] !== inS[0] || outS[1] !== inS[1]) {
      ctx.fail(`output shape ${shapeText(outS)} does not match input ${shapeText(inS)}`);
    }
    const weights = (k: number, cols: number): void => {
      const w = ctx.constant(k, "weights");
      if (!sameDims(w.shape, [stateSize, cols])) {
        ctx.fail(`weights input ${k} shape ${shapeText(w.shape)} is not [${stateSize}, ${cols}]`);
      }
    };
    for (const k of [1, 2, 3, 4]) weights(k, inputSize);
    for (const k of [5, 6, 7, 8]) weights(k, stateSize);
    for (const k of [12, 13, 14, 15]) {
      const b = ctx.constant(k, "bias");
      if (!sameDims(b.shape, [stateSize])) {
        ctx.fail(`bias input ${k} shape ${shapeText(b.shape)} is not [${stateSize}]`);
      }
    }
    for (const [k, role] of [[18, "hidden state"], [19, "cell state"]] as const) {
      const st = ctx.constant(k, role);
      if (!st.variable) ctx.fail(`${role} tensor ${node.inputs[k]} is not a variable tensor`);
      if (elementCount(st.shape) !== batch * stateSize) {
        ctx.fail(`${role} shape ${shapeText(st.shape)} does not hold ${batch} x ${stateSize}`);
      }
    }
    if (!(node.options.cellClip >= 0)) ctx.fail(`cell clip ${node.options.cellClip} is negative`);
  },
  outputShapes(graph, node) {
    // [d0, d1, input] -> [d0, d1, state]: the recurrent weights are [state, state].
    const input = shapeOf(graph, node.inputs[0], `${node.op} input 0`);
    const recurrent = shapeOf(graph, node.inputs[5], `${node.op} recurrent weights`);
    return [[dim(input, 0), dim(input, 1), dim(recurrent, 0)]];
  },
  macs(graph, node) {
    // Per step and batch row: four gates of [state x input] and [state x state] products.
    const input = macShape(graph, node.inputs[0]);
    const state = macShape(graph, node.inputs[5])[0] ?? 1;
    return (input[0] ?? 1) * (input[1] ?? 1) * 4 * state * ((input[2] ?? 1) + state);
  },
  describe: (node) =>
    `${node.options.timeMajor ? "time-major" : "batch-major"}${
      node.options.cellClip > 0 ? ` clip ${node.options.cellClip}` : ""
    }`,
  prepare: lstmParams,
  tflite: {
    code: 44,
    options: OPTIONS.UnidirectionalSequenceLSTMOptions,
    read(o, ctx) {
      const code = o?.i8(LSTM.activation, "fused_activation_function") ?? 0;
      if (ACTIVATION_NAMES[code] !== "TANH") {
        ctx.unsupported(
          `cell activation ${ACTIVATION_NAMES[code] ?? code} is not supported (only TANH)`,
        );
      }
      if (o?.bool(LSTM.asymmetricQuantizeInputs, "asymmetric_quantize_inputs")) {
        ctx.unsupported("hybrid (asymmetric_quantize_inputs) is not supported");
      }
      if (o?.bool(LSTM.diagonalRecurrentTensors, "diagonal_recurrent_tensors")) {
        ctx.unsupported("diagonal recurrent tensors are not supported");
      }
      return {
        cellClip: o?.f32(LSTM.cellClip, "cell_clip") ?? 0,
        projClip: o?.f32(LSTM.projClip, "proj_clip") ?? 0,
        timeMajor: o?.bool(LSTM.timeMajor, "time_major") ?? false,
      };
    },
    write: (o) => [
      i8(LSTM.activation, ACTIVATION_NAMES.indexOf("TANH")),
      f32(LSTM.cellClip, o.cellClip),
      f32(LSTM.projClip, o.projClip),
      bool(LSTM.timeMajor, o.timeMajor),
    ],
  },
};

/** SVDF. */
export const SVDF: OpDef<"SVDF"> = {
  inputs: [5, 5],
  optionalInputs: [3],
  check(ctx, node) {
    const { inS, outS } = ctx;
    ctx.rank(ctx.input, 2, "input");
    ctx.rank(ctx.output, 2, "output");
    const r = node.options.rank;
    ctx.positive(r, "rank");
    const feature = ctx.constant(1, "feature weights");
    const time = ctx.constant(2, "time weights");
    const filters = feature.shape[0] ?? 0;
    if (feature.shape.length !== 2 || feature.shape[1] !== inS[1] || filters % r !== 0) {
      ctx.fail(
        `feature weights shape ${shapeText(feature.shape)} does not fit input and rank ${r}`,
      );
    }
    const memory = time.shape[1] ?? 0;
    if (time.shape.length !== 2 || time.shape[0] !== filters || memory < 1) {
      ctx.fail(`time weights shape ${shapeText(time.shape)} is not [${filters}, memory]`);
    }
    if (!sameDims(outS, [inS[0]!, filters / r])) {
      ctx.fail(`output shape ${shapeText(outS)} is not [${inS[0]}, ${filters / r}]`);
    }
    if (node.inputs[3] !== -1 && !sameDims(ctx.constant(3, "bias").shape, [filters / r])) {
      ctx.fail(`bias shape ${shapeText(ctx.tensor(3).shape)} is not [${filters / r}]`);
    }
    const st = ctx.constant(4, "state");
    if (!st.variable) ctx.fail(`state tensor ${node.inputs[4]} is not a variable tensor`);
    if (!sameDims(st.shape, [inS[0]!, memory * filters])) {
      ctx.fail(`state shape ${shapeText(st.shape)} is not [${inS[0]}, ${memory * filters}]`);
    }
  },
  outputShapes(graph, node) {
    const input = shapeOf(graph, node.inputs[0], `${node.op} input 0`);
    const feature = shapeOf(graph, node.inputs[1], `${node.op} feature weights`);
    return [[dim(input, 0), dim(feature, 0) / node.options.rank]];
  },
  macs(graph, node) {
    // Feature product [filters x input] and time product [filters x memory] per batch row.
    const feature = macShape(graph, node.inputs[1]);
    const memory = macShape(graph, node.inputs[2])[1] ?? 1;
    const batch = macShape(graph, node.inputs[0])[0] ?? 1;
    return batch * (feature[0] ?? 1) * ((feature[1] ?? 1) + memory);
  },
  describe: (node) => `rank ${node.options.rank}`,
  prepare: svdfParams,
  tflite: {
    code: 27,
    options: OPTIONS.SVDFOptions,
    read(o, ctx) {
      if (o?.bool(SVDF_SLOTS.asymmetricQuantizeInputs, "asymmetric_quantize_inputs")) {
        ctx.unsupported("hybrid (asymmetric_quantize_inputs) is not supported");
      }
      return {
        rank: o?.i32(SVDF_SLOTS.rank, "rank") ?? 0,
        activation: ctx.activation(o, SVDF_SLOTS.activation),
      };
    },
    write: (
      o,
    ) => [i32(SVDF_SLOTS.rank, o.rank), activationField(SVDF_SLOTS.activation, o.activation)],
  },
};
