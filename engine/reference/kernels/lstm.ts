/**
 * UNIDIRECTIONAL_SEQUENCE_LSTM with TF-Lite Micro's integer arithmetic (`EvalLstm` on int8
 * activations, int8 weights, int16 cell state, int32 biases): per step, each gate is an int8 ->
 * int16 fully connected product of the input plus one of the hidden state (Q3.12, saturating
 * add), then the int16 sigmoid (tanh for the cell gate); the cell state is forget * cell + input
 * * cell gate (int16 multiplies, saturating add, optional clip); the hidden state is tanh(cell) *
 * output gate requantized to int8, and is copied to the step's output row.
 *
 * Every inference starts from the state tensors' initial values (TFLM after a variable reset).
 *
 * @module
 */

import type { UnidirectionalSequenceLstmNode } from "../../ir/mod.ts";
import {
  type GateFc,
  LSTM_INPUT,
  type LstmMul,
  lstmParams,
  multiplyByQuantizedMultiplier,
  saturateInt16,
  sigmoidInt16,
  tanhInt16,
} from "../../quant/mod.ts";
import {
  fail,
  inputTensor,
  int16Input,
  int32Input,
  int8Input,
  int8Output,
  type KernelArgs,
  outputTensor,
} from "./_kernel.ts";

/** `out[r] = clamp16(mbqm(sum_c w[r][c] * (x[c] + offset) (+ bias[r])))`, one gate product. */
function gateProduct(
  fc: GateFc,
  x: Int8Array,
  xBase: number,
  cols: number,
  w: Int8Array,
  bias: Int32Array | undefined,
  out: Int16Array,
): void {
  for (let r = 0; r < out.length; r++) {
    let acc = 0;
    const wBase = r * cols;
    for (let c = 0; c < cols; c++) acc += w[wBase + c]! * (x[xBase + c]! + fc.inputOffset);
    acc |= 0;
    if (bias) acc = (acc + bias[r]!) | 0;
    out[r] = saturateInt16(multiplyByQuantizedMultiplier(acc, fc.multiplier, fc.shift));
  }
}

/** TFLite's `MulElementwise` on int16 inputs (symmetric) to an int16 or int8 result. */
function mulElementwise(p: LstmMul, a: Int16Array, b: Int16Array, k: number): number {
  const v = multiplyByQuantizedMultiplier(a[k]! * b[k]!, p.multiplier, p.shift) + p.outputOffset;
  return v < p.min ? p.min : v > p.max ? p.max : v;
}

/** Run one UNIDIRECTIONAL_SEQUENCE_LSTM node. */
export function lstm(args: KernelArgs<UnidirectionalSequenceLstmNode>): void {
  const { graph, node } = args;
  const input = inputTensor(args, LSTM_INPUT.input);
  const output = outputTensor(args);
  const hiddenT = inputTensor(args, LSTM_INPUT.hiddenState);
  const cellT = inputTensor(args, LSTM_INPUT.cellState);
  const types = [input.dtype, output.dtype, hiddenT.dtype, cellT.dtype].join(",");
  if (types !== "int8,int8,int8,int16") {
    fail(args, `types (input, output, hidden, cell) ${types} are not int8, int8, int8, int16`);
  }
  for (const k of [...LSTM_INPUT.inputWeights, ...LSTM_INPUT.recurrentWeights]) {
    if (inputTensor(args, k).dtype !== "int8") fail(args, `weights input ${k} is not int8`);
  }
  for (const k of LSTM_INPUT.biases) {
    if (inputTensor(args, k).dtype !== "int32") fail(args, `bias input ${k} is not int32`);
  }
  const p = lstmParams(graph, node);
  const { batch, time, inputSize: I, stateSize: S } = p;
  const x = int8Input(args, LSTM_INPUT.input);
  const out = int8Output(args);
  const wIn = LSTM_INPUT.inputWeights.map((k) => int8Input(args, k));
  const wRec = LSTM_INPUT.recurrentWeights.map((k) => int8Input(args, k));
  const bias = LSTM_INPUT.biases.map((k) => int32Input(args, k));
  // Private copies of the state: the variable tensors keep their initial values.
  const hiddenAll = int8Input(args, LSTM_INPUT.hiddenState).slice();
  const cellAll = int16Input(args, LSTM_INPUT.cellState).slice();
  const gate = [0, 1, 2, 3].map(() => new Int16Array(S));
  const recurrent = new Int16Array(S);
  const product = new Int16Array(S);
  const tanhCell = new Int16Array(S);
  // Batch rows are independent, so stepping each row through time gives the same result for
  // both layouts; only the row offsets differ.
  for (let b = 0; b < batch; b++) {
    const hidden = hiddenAll.subarray(b * S, (b + 1) * S);
    const cell = cellAll.subarray(b * S, (b + 1) * S);
    for (let t = 0; t < time; t++) {
      const row = p.timeMajor ? t * batch + b : b * time + t;
      for (let g = 0; g < 4; g++) {
        const params = p.gates[g]!;
        gateProduct(params.input, x, row * I, I, wIn[g]!, bias[g]!, gate[g]!);
        gateProduct(params.recurrent, hidden, 0, S, wRec[g]!, undefined, recurrent);
        const gv = gate[g]!;
        for (let k = 0; k < S; k++) {
          const sum = saturateInt16(gv[k]! + recurrent[k]!);
          // The cell gate's pre-activation is Q3.12 too: tanh with power -12 (multiplier 3).
          gv[k] = g === 2 ? tanhInt16(sum, 3, 0) : sigmoidInt16(sum);
        }
      }
      const [inputGate, forgetGate, cellGate, outputGate] = gate as [
        Int16Array,
        Int16Array,
        Int16Array,
        Int16Array,
      ];
      for (let k = 0; k < S; k++) {
        const kept = mulElementwise(p.forgetCellMul, forgetGate, cell, k);
        product[k] = mulElementwise(p.inputCellMul, inputGate, cellGate, k);
        let c = saturateInt16(kept + product[k]!);
        if (p.cellClip > 0) c = c > p.cellClip ? p.cellClip : c < -p.cellClip ? -p.cellClip : c;
        cell[k] = c;
      }
      for (let k = 0; k < S; k++) {
        tanhCell[k] = tanhInt16(cell[k]!, p.cellTanh.multiplier, p.cellTanh.leftShift);
      }
      for (let k = 0; k < S; k++) hidden[k] = mulElementwise(p.outputMul, tanhCell, outputGate, k);
      out.set(hidden, row * S);
    }
  }
}
