/**
 * SVDF with TF-Lite Micro's integer arithmetic (`EvalIntegerSvdfReference` with int16 state and
 * time weights): the state shifts left by one element; each filter's newest state entry is the
 * int8 feature product requantized to int16; each filter's time product (int32) is summed over
 * `rank` filters per unit with the bias, then requantized to int8. TFLM's integer kernel applies
 * no fused activation (only the int8 clamp), and neither does this one.
 *
 * Every inference starts from the state tensor's initial value (TFLM after a variable reset).
 *
 * @module
 */

import type { SvdfNode } from "../../ir/mod.ts";
import { multiplyByQuantizedMultiplier, svdfParams } from "../../quant/mod.ts";
import {
  fail,
  inputTensor,
  int16Input,
  int8Input,
  int8Output,
  type KernelArgs,
  optionalBias,
  outputTensor,
} from "./_kernel.ts";

/** Run one SVDF node. */
export function svdf(args: KernelArgs<SvdfNode>): void {
  const { graph, node } = args;
  const types = [
    inputTensor(args, 0).dtype,
    inputTensor(args, 1).dtype,
    inputTensor(args, 2).dtype,
    inputTensor(args, 4).dtype,
    outputTensor(args).dtype,
  ].join(",");
  if (types !== "int8,int8,int16,int16,int8") {
    fail(args, `types (input, feature, time, state, output) ${types} are not int8/int16`);
  }
  const bias = optionalBias(args, 3);
  const p = svdfParams(graph, node);
  const { batch, inputSize: I, filters: F, memory: M, rank, units: U } = p;
  const x = int8Input(args, 0);
  const wf = int8Input(args, 1);
  const wt = int16Input(args, 2);
  const state = int16Input(args, 4).slice();
  const out = int8Output(args);
  // Shift the whole state left by one (across filters and batches, as TFLM does).
  state.copyWithin(0, 1);
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < F; r++) {
      let dot = 0;
      for (let c = 0; c < I; c++) dot += wf[r * I + c]! * (x[b * I + c]! - p.inputZeroPoint);
      dot = multiplyByQuantizedMultiplier(dot | 0, p.multiplier1, p.shift1) + p.stateZeroPoint;
      state[(b * F + r) * M + M - 1] = dot < -32768 ? -32768 : dot > 32767 ? 32767 : dot;
    }
  }
  const scratch = new Int32Array(F);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < F; i++) {
      let acc = 0;
      const base = (b * F + i) * M;
      for (let j = 0; j < M; j++) {
        acc = (acc + Math.imul(wt[i * M + j]!, state[base + j]! - p.stateZeroPoint)) | 0;
      }
      scratch[i] = acc;
    }
    for (let u = 0; u < U; u++) {
      let acc = bias ? bias[u]! : 0;
      for (let j = 0; j < rank; j++) acc = (acc + scratch[u * rank + j]!) | 0;
      const v = multiplyByQuantizedMultiplier(acc, p.multiplier2, p.shift2) + p.outputZeroPoint;
      out[b * U + u] = v < -128 ? -128 : v > 127 ? 127 : v;
    }
  }
}
