/**
 * What TF-Lite Micro's Prepare computes for its integer recurrent kernels: the int8 x int8 ->
 * int16 LSTM (`PrepareGateParametersInteger`, `CreateInterGateMulParams`,
 * `CreateLstmCellStateInfo`) and the int8 SVDF with int16 state (`PrepareSvdf`).
 *
 * @module
 */

import type { Graph, SvdfNode, Tensor, UnidirectionalSequenceLstmNode } from "../ir/mod.ts";
import { f32, quantizeMultiplier } from "./arithmetic.ts";
import { QuantizationParamsError, tensorAt, tensorQuant } from "./params_common.ts";

/** One int8 -> int16 fully connected product of an LSTM gate (no output offset, int16 range). */
export interface GateFc {
  readonly inputOffset: number;
  readonly multiplier: number;
  readonly shift: number;
}

/** The four LSTM gates in TFLite's weight order (input, forget, cell, output). */
export const LSTM_GATES = ["input", "forget", "cell", "output"] as const;

/** One gate: its input and recurrent products. */
export interface LstmGateParams {
  readonly input: GateFc;
  readonly recurrent: GateFc;
}

/** An elementwise int16 x int16 product requantized to int16 or int8 (TFLite's MulElementwise). */
export interface LstmMul {
  readonly multiplier: number;
  readonly shift: number;
  readonly outputOffset: number;
  readonly min: number;
  readonly max: number;
}

/** Everything the integer LSTM kernel needs besides the tensors' bytes. */
export interface LstmParams {
  readonly batch: number;
  readonly time: number;
  readonly inputSize: number;
  readonly stateSize: number;
  readonly timeMajor: boolean;
  /** Gates in {@link LSTM_GATES} order. */
  readonly gates: readonly LstmGateParams[];
  readonly forgetCellMul: LstmMul;
  readonly inputCellMul: LstmMul;
  readonly outputMul: LstmMul;
  /** The int16 tanh's input rescaling for the cell state (`cell_state_scale_power`). */
  readonly cellTanh: { readonly multiplier: number; readonly leftShift: number };
  /** Quantized cell clip; 0 means none. */
  readonly cellClip: number;
}

/** Input positions of the LSTM node (TFLite's `kLstm*Tensor`). */
export const LSTM_INPUT = {
  input: 0,
  inputWeights: [1, 2, 3, 4],
  recurrentWeights: [5, 6, 7, 8],
  biases: [12, 13, 14, 15],
  hiddenState: 18,
  cellState: 19,
} as const;

/** Inputs TFLM's integer LSTM refuses (peephole, projection, layer norm). */
export const LSTM_ABSENT_INPUTS: readonly number[] = [9, 10, 11, 16, 17, 20, 21, 22, 23];

/** The scale of the gate pre-activations (Q3.12) and of the gate outputs (Q0.15). */
const GATE_INPUT_SCALE = 2 ** -12;
const GATE_OUTPUT_SCALE = 2 ** -15;

function fail(what: string): never {
  throw new QuantizationParamsError(
    `Cannot derive UNIDIRECTIONAL_SEQUENCE_LSTM parameters: ${what}`,
  );
}

/** A per-tensor scale (LSTM weights are per-tensor in TFLM's integer kernel). */
function perTensor(t: Tensor, what: string): number {
  if ((t.quant?.scale.length ?? 0) !== 1) fail(`${what} '${t.name}' needs one per-tensor scale`);
  return tensorQuant(t).scale;
}

/**
 * An int8 product's multiplier as TFLite's `GetQuantizedConvolutionMultipler`: the float32
 * product of the two scales, widened to double, over the output scale.
 */
function gateFc(inScale: number, inZeroPoint: number, weightScale: number): GateFc {
  const q = quantizeMultiplier(Math.fround(inScale * weightScale) / GATE_INPUT_SCALE);
  return { inputOffset: -inZeroPoint, multiplier: q.multiplier, shift: q.shift };
}

/** `CreateInterGateMulParams`: (double(s1) * double(s2)) / double(out). */
function interGateMul(s1: number, s2: number, out: number, int8: boolean, zp: number): LstmMul {
  const q = quantizeMultiplier((s1 * s2) / out);
  return {
    multiplier: q.multiplier,
    shift: q.shift,
    outputOffset: zp,
    min: int8 ? -128 : -32768,
    max: int8 ? 127 : 32767,
  };
}

/**
 * TFLM's Prepare for the integer LSTM (int8 input, hidden state and output; int8 weights; int32
 * biases; int16 cell state whose scale must be a power of two).
 *
 * @example
 * ```ts
 * import { lstmParams } from "./mod.ts";
 * // const p = lstmParams(graph, node); p.gates[1].input.multiplier
 * ```
 */
export function lstmParams(graph: Graph, node: UnidirectionalSequenceLstmNode): LstmParams {
  const input = tensorAt(graph, node.inputs[LSTM_INPUT.input], "input", node);
  const hidden = tensorAt(graph, node.inputs[LSTM_INPUT.hiddenState], "hidden state", node);
  const cell = tensorAt(graph, node.inputs[LSTM_INPUT.cellState], "cell state", node);
  if (input.shape.length !== 3) fail(`input '${input.name}' has rank ${input.shape.length}, not 3`);
  const timeMajor = node.options.timeMajor;
  const [d0, d1, inputSize] = input.shape as [number, number, number];
  const batch = timeMajor ? d1 : d0;
  const time = timeMajor ? d0 : d1;
  const stateSize = hidden.shape.at(-1) ?? 0;
  const iq = tensorQuant(input);
  const hq = tensorQuant(hidden);
  const cellScale = perTensor(cell, "cell state");
  const power = Math.round(Math.log2(cellScale));
  if (2 ** power !== cellScale) {
    fail(`cell state scale ${cellScale} is not a power of two (TFLM's integer tanh needs one)`);
  }
  const gates = LSTM_GATES.map((_, g) => {
    const w = tensorAt(graph, node.inputs[LSTM_INPUT.inputWeights[g]!], "input weights", node);
    const r = tensorAt(graph, node.inputs[LSTM_INPUT.recurrentWeights[g]!], "weights", node);
    return {
      input: gateFc(iq.scale, iq.zeroPoint, perTensor(w, "input weights")),
      recurrent: gateFc(hq.scale, hq.zeroPoint, perTensor(r, "recurrent weights")),
    };
  });
  const shift = 15 + power - 3;
  const cellTanh = shift < 0
    ? { multiplier: 3, leftShift: -shift }
    : { multiplier: 3 << shift, leftShift: 0 };
  const clip = f32(node.options.cellClip);
  return {
    batch,
    time,
    inputSize,
    stateSize,
    timeMajor,
    gates,
    forgetCellMul: interGateMul(GATE_OUTPUT_SCALE, cellScale, cellScale, false, 0),
    inputCellMul: interGateMul(GATE_OUTPUT_SCALE, GATE_OUTPUT_SCALE, cellScale, false, 0),
    outputMul: interGateMul(GATE_OUTPUT_SCALE, GATE_OUTPUT_SCALE, hq.scale, true, hq.zeroPoint),
    cellTanh,
    // static_cast<int16_t>(min(max(clip / scale, -32768), 32767)): truncation toward zero.
    cellClip: clip > 0 ? Math.trunc(Math.min(Math.max(clip / cellScale, -32768), 32767)) : 0,
  };
}

/** Everything TFLM's integer SVDF kernel needs besides the tensors' bytes. */
export interface SvdfParams {
  readonly batch: number;
  readonly inputSize: number;
  readonly filters: number;
  readonly memory: number;
  readonly rank: number;
  readonly units: number;
  readonly inputZeroPoint: number;
  readonly stateZeroPoint: number;
  readonly outputZeroPoint: number;
  /** input x feature weights -> state. */
  readonly multiplier1: number;
  readonly shift1: number;
  /** state x time weights -> output. */
  readonly multiplier2: number;
  readonly shift2: number;
}

/**
 * TFLM's `PrepareSvdf` for int8 input with int16 state: both effective scales are float32
 * expressions (`in * feature / state`, `state * time / out`) widened to double.
 *
 * @example
 * ```ts
 * import { svdfParams } from "./mod.ts";
 * // const p = svdfParams(graph, node); p.multiplier1, p.shift1
 * ```
 */
export function svdfParams(graph: Graph, node: SvdfNode): SvdfParams {
  const input = tensorAt(graph, node.inputs[0], "input", node);
  const feature = tensorAt(graph, node.inputs[1], "feature weights", node);
  const time = tensorAt(graph, node.inputs[2], "time weights", node);
  const state = tensorAt(graph, node.inputs[4], "state", node);
  const output = tensorAt(graph, node.outputs[0], "output", node);
  const iq = tensorQuant(input);
  const sq = tensorQuant(state);
  const oq = tensorQuant(output);
  const fs = tensorQuant(feature).scale;
  const ts = tensorQuant(time).scale;
  const rank = node.options.rank;
  const filters = feature.shape[0] ?? 0;
  const q1 = quantizeMultiplier(Math.fround(Math.fround(iq.scale * fs) / sq.scale));
  const q2 = quantizeMultiplier(Math.fround(Math.fround(sq.scale * ts) / oq.scale));
  return {
    batch: input.shape[0] ?? 1,
    inputSize: input.shape[1] ?? 1,
    filters,
    memory: time.shape[1] ?? 1,
    rank,
    units: rank > 0 ? filters / rank : 0,
    inputZeroPoint: iq.zeroPoint,
    stateZeroPoint: sq.zeroPoint,
    outputZeroPoint: oq.zeroPoint,
    multiplier1: q1.multiplier,
    shift1: q1.shift,
    multiplier2: q2.multiplier,
    shift2: q2.shift,
  };
}
