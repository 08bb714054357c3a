/**
 * UNIDIRECTIONAL_SEQUENCE_LSTM and SVDF: one call of the shared loops of
 * `fixtures/firmware/recurrent.h` (TF-Lite Micro's integer arithmetic, the same code the tflm
 * runtime runs), with the parameters of `engine/quant` baked into a constant struct. The state
 * starts each inference from its reset value (zero point for int8, zero otherwise) in scratch.
 *
 * @module
 */
import {
  elementCount,
  type SvdfNode,
  type Tensor,
  type UnidirectionalSequenceLstmNode,
} from "../../../ir/mod.ts";
import { LSTM_INPUT, lstmParams, svdfParams } from "../../../quant/mod.ts";
import type { Layer, Lowered } from "../../../schedule/mod.ts";
import type { LayerKernel } from "./types.ts";
import { tensorOf } from "./util.ts";

function align4(n: number): number {
  return Math.ceil(n / 4) * 4;
}

/** The raw bytes of a constant as int8 values (int16 tables are passed as bytes, then cast). */
function rawBytes(t: Tensor): Int8Array {
  const d = t.data ?? new Uint8Array(0);
  return new Int8Array(d.buffer, d.byteOffset, d.byteLength);
}

/** The node with the layer's (possibly renumbered) tensors. */
function nodeOf<N extends Layer["node"]>(layer: Layer): N {
  return { ...layer.node, inputs: layer.inputs, outputs: layer.outputs } as N;
}

/** UNIDIRECTIONAL_SEQUENCE_LSTM (int8 activations, int16 cell state). */
export function lstmTemplate(lowered: Lowered, layer: Layer): LayerKernel {
  const graph = { ...lowered.graph, nodes: [] };
  const node = nodeOf<UnidirectionalSequenceLstmNode>(layer);
  const p = lstmParams(graph, node);
  const hiddenT = tensorOf(lowered, layer.inputs[LSTM_INPUT.hiddenState], "hidden state");
  const states = p.batch * p.stateSize;
  const hiddenFill = (hiddenT.quant?.zeroPoint[0] ?? 0) | 0;
  const scratchBytes = align4(states) + align4(states * 2) + align4(5 * p.stateSize * 2);
  const words = [
    p.batch,
    p.time,
    p.inputSize,
    p.stateSize,
    p.timeMajor ? 1 : 0,
    `{${p.gates.map((g) => `{${g.input.inputOffset}, ${g.recurrent.inputOffset}}`).join(", ")}}`,
    `{${p.gates.map((g) => `{${g.input.multiplier}, ${g.recurrent.multiplier}}`).join(", ")}}`,
    `{${p.gates.map((g) => `{${g.input.shift}, ${g.recurrent.shift}}`).join(", ")}}`,
    `{${
      [p.forgetCellMul, p.inputCellMul, p.outputMul].map((m) =>
        `{${m.multiplier}, ${m.shift}, ${m.outputOffset}, ${m.min}, ${m.max}}`
      ).join(", ")
    }}`,
    p.cellTanh.multiplier,
    p.cellTanh.leftShift,
    p.cellClip,
  ];
  return {
    scratchBytes,
    variant: `lstm ${p.time}x${p.inputSize}->${p.stateSize}`,
    emit(ctx) {
      const w = (k: number, role: string) =>
        ctx.consts.int8(rawBytes(tensorOf(lowered, layer.inputs[k], role)), role);
      const wIn = LSTM_INPUT.inputWeights.map((k, g) => w(k, `w_in${g}`));
      const wRec = LSTM_INPUT.recurrentWeights.map((k, g) => w(k, `w_rec${g}`));
      const bias = LSTM_INPUT.biases.map((k, g) =>
        ctx.consts.int8(rawBytes(tensorOf(lowered, layer.inputs[k], "bias")), `bias${g}`)
      );
      const fn = ctx.kernel(`lstm_${words.join("_").replace(/[^0-9-]+/g, "_")}`, (name) =>
        [
          `#include "recurrent.h"`,
          `/* Integer LSTM (TFLM's int8 x int8 -> int16 gates, int16 cell state). */`,
          `TE_KERNEL void ${name}(const int8_t *x, int8_t *out, const int8_t *const *w_in,`,
          `    const int8_t *const *w_rec, const int32_t *const *bias, int8_t *scratch) {`,
          `  static const mcu_lstm_params p = {${words.join(", ")}};`,
          `  int8_t *hidden = scratch;`,
          `  int16_t *cell = (int16_t *)(scratch + ${align4(states)});`,
          `  int16_t *gates = (int16_t *)(scratch + ${align4(states) + align4(states * 2)});`,
          `  for (int32_t i = 0; i < ${states}; i++) { hidden[i] = ${hiddenFill}; cell[i] = 0; }`,
          `  mcu_lstm_run(&p, x, w_in, w_rec, bias, hidden, cell, out, gates);`,
          `}`,
          ``,
        ].join("\n"));
      return [
        `{`,
        `  const int8_t *const w_in[4] = {${wIn.join(", ")}};`,
        `  const int8_t *const w_rec[4] = {${wRec.join(", ")}};`,
        `  const int32_t *const bias[4] = {${
          bias.map((b) => `(const int32_t *)${b}`).join(", ")
        }};`,
        `  ${fn}(${ctx.ptr(layer.inputs[0]!)}, ${
          ctx.ptr(layer.outputs[0]!)
        }, w_in, w_rec, bias, ${ctx.scratch});`,
        `}`,
      ].join("\n");
    },
  };
}

/** SVDF (int8 input and output, int16 time weights and state). */
export function svdfTemplate(lowered: Lowered, layer: Layer): LayerKernel {
  const graph = { ...lowered.graph, nodes: [] };
  const node = nodeOf<SvdfNode>(layer);
  const p = svdfParams(graph, node);
  const stateT = tensorOf(lowered, layer.inputs[4], "state");
  const states = elementCount(stateT.shape);
  const scratchBytes = align4(states * 2) + p.filters * 4;
  const words = [
    p.batch,
    p.inputSize,
    p.filters,
    p.memory,
    p.rank,
    p.units,
    p.inputZeroPoint,
    p.stateZeroPoint,
    p.outputZeroPoint,
    p.multiplier1,
    p.shift1,
    p.multiplier2,
    p.shift2,
  ];
  const hasBias = (layer.inputs[3] ?? -1) >= 0;
  return {
    scratchBytes,
    variant: `svdf ${p.filters}x${p.memory} rank ${p.rank}`,
    emit(ctx) {
      const c = (k: number, role: string) =>
        ctx.consts.int8(rawBytes(tensorOf(lowered, layer.inputs[k], role)), role);
      const feature = c(1, "feature");
      const time = c(2, "time");
      const bias = hasBias ? `(const int32_t *)${c(3, "bias")}` : "0";
      const fn = ctx.kernel(`svdf_${words.join("_").replace(/-/g, "m")}`, (name) =>
        [
          `#include "recurrent.h"`,
          `/* Integer SVDF (TFLM's int8 input, int16 state and time weights). */`,
          `TE_KERNEL void ${name}(const int8_t *x, int8_t *out, const int8_t *feature,`,
          `    const int16_t *time, const int32_t *bias, int8_t *scratch) {`,
          `  static const mcu_svdf_params p = {${words.join(", ")}};`,
          `  int16_t *state = (int16_t *)scratch;`,
          `  for (int32_t i = 0; i < ${states}; i++) state[i] = 0;`,
          `  mcu_svdf_run(&p, x, feature, time, bias, state, out,`,
          `               (int32_t *)(scratch + ${align4(states * 2)}));`,
          `}`,
          ``,
        ].join("\n"));
      return `${fn}(${ctx.ptr(layer.inputs[0]!)}, ${
        ctx.ptr(layer.outputs[0]!)
      }, ${feature}, (const int16_t *)${time}, ${bias}, ${ctx.scratch});`;
    },
  };
}
