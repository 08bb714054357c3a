/**
 * The integer LSTM and SVDF against independent models of what they compute: the int16
 * sigmoid and tanh against the real functions; the TFLM MNIST LSTM against the same network in
 * float (dequantized weights, float gates), which must agree on the class and on the
 * probabilities (SVDF's float check is in engine/builders/recurrent_models_test.ts).
 */
import { realValues } from "../_test_util.ts";
import assert from "node:assert/strict";
import { dequantizeValue, sigmoidInt16, tanhInt16 } from "../../quant/mod.ts";
import { type Graph } from "../../ir/mod.ts";
import { readTflite } from "../../tflite/mod.ts";
import { sharedModelsDir } from "../../util/mod.ts";
import { testWithModels } from "../../util/_test_shared.ts";
import { interpret } from "../interpret.ts";

Deno.test("int16 sigmoid and tanh follow the real functions within 2^-9 over Q3.12", () => {
  let worstS = 0, worstT = 0;
  for (let x = -32768; x <= 32767; x += 7) {
    worstS = Math.max(worstS, Math.abs(sigmoidInt16(x) / 32768 - 1 / (1 + Math.exp(-x / 4096))));
    worstT = Math.max(worstT, Math.abs(tanhInt16(x, 3, 0) / 32768 - Math.tanh(x / 4096)));
  }
  assert.ok(worstS < 2 ** -9, `sigmoid error ${worstS}`);
  assert.ok(worstT < 2 ** -9, `tanh error ${worstT}`);
  assert.equal(sigmoidInt16(0), 16384);
  assert.equal(tanhInt16(0, 3, 0), 0);
  assert.equal(sigmoidInt16(32767), 32757); // sigmoid(8) = 0.99966
  assert.equal(tanhInt16(-32768, 3, 0), -32767);
});

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** The MNIST LSTM in float: LSTM (tanh cell, clip), flatten, FC, softmax. */
function floatMnistLstm(g: Graph, image: Int8Array): number[] {
  const node = g.nodes[0]!;
  const inQ = g.tensors[node.inputs[0]!]!.quant!;
  const t = (k: number) => g.tensors[node.inputs[k]!]!;
  const S = t(5).shape[0]!, I = t(1).shape[1]!;
  const wIn = [1, 2, 3, 4].map((k) => realValues(t(k)));
  const wRec = [5, 6, 7, 8].map((k) => realValues(t(k)));
  const bias = [12, 13, 14, 15].map((k) => realValues(t(k)));
  const clip = (node.options as { cellClip: number }).cellClip;
  let h = new Float64Array(S), c = new Float64Array(S);
  const seq: number[] = [];
  for (let step = 0; step < 28; step++) {
    const x = Array.from(
      { length: I },
      (_, i) => dequantizeValue(image[step * I + i]!, inQ.scale[0]!, inQ.zeroPoint[0]!),
    );
    const gate = [0, 1, 2, 3].map((gi) =>
      Array.from({ length: S }, (_, r) => {
        let v = bias[gi]![r]!;
        for (let i = 0; i < I; i++) v += wIn[gi]![r * I + i]! * x[i]!;
        for (let j = 0; j < S; j++) v += wRec[gi]![r * S + j]! * h[j]!;
        return gi === 2 ? Math.tanh(v) : sigmoid(v);
      })
    );
    const nc = new Float64Array(S), nh = new Float64Array(S);
    for (let k = 0; k < S; k++) {
      let v = gate[1]![k]! * c[k]! + gate[0]![k]! * gate[2]![k]!;
      if (clip > 0) v = Math.max(-clip, Math.min(clip, v));
      nc[k] = v;
      nh[k] = Math.tanh(v) * gate[3]![k]!;
    }
    c = nc;
    h = nh;
    seq.push(...h);
  }
  const fc = g.nodes[2]!;
  const w = realValues(g.tensors[fc.inputs[1]!]!);
  const b = realValues(g.tensors[fc.inputs[2]!]!);
  const logits = Array.from({ length: 10 }, (_, o) => {
    let v = b[o]!;
    for (let i = 0; i < seq.length; i++) v += w[o * seq.length + i]! * seq[i]!;
    return v;
  });
  const m = Math.max(...logits);
  const e = logits.map((v) => Math.exp(v - m));
  const sum = e.reduce((a, v) => a + v, 0);
  return e.map((v) => v / sum);
}

/** Crude pen strokes on a 28x28 canvas (-128 background, 127 ink). */
function strokes(kind: number): Int8Array {
  const img = new Int8Array(784).fill(-128);
  const ink = (r: number, c: number) => {
    for (let dr = -1; dr <= 1; dr++) {
      for (let dc = -1; dc <= 1; dc++) {
        const rr = Math.round(r) + dr, cc = Math.round(c) + dc;
        if (rr >= 0 && rr < 28 && cc >= 0 && cc < 28) img[rr * 28 + cc] = 127;
      }
    }
  };
  for (let s = 0; s <= 100; s++) {
    const u = s / 100;
    if (kind === 0) ink(14 + 9 * Math.sin(2 * Math.PI * u), 14 + 6 * Math.cos(2 * Math.PI * u));
    if (kind === 1) ink(4 + 20 * u, 14);
    if (kind === 2) {
      ink(6, 8 + 12 * u);
      ink(6 + 18 * u, 20 - 8 * u);
    }
  }
  return img;
}

testWithModels("the TFLM MNIST LSTM agrees with its float network and reads pen strokes", () => {
  const g = readTflite(
    Deno.readFileSync(`${sharedModelsDir()}/tflm_mnist_lstm_int8.tflite`),
  );
  const outQ = g.tensors[g.outputs[0]!]!.quant!;
  const classes: number[] = [];
  for (const kind of [0, 1, 2]) {
    const img = strokes(kind);
    const q = new Int8Array(interpret(g, [img]).outputs[0]!.buffer);
    const p = Array.from(q, (v) => dequantizeValue(v, outQ.scale[0]!, outQ.zeroPoint[0]!));
    const f = floatMnistLstm(g, img);
    const argmax = (a: number[]) => a.indexOf(Math.max(...a));
    assert.equal(argmax(p), argmax(f), `class of stroke ${kind}: int8 ${p}, float ${f}`);
    const diff = Math.max(...p.map((v, i) => Math.abs(v - f[i]!)));
    assert.ok(diff < 0.05, `stroke ${kind}: probabilities differ by ${diff}`);
    classes.push(argmax(p));
  }
  // A ring reads as 0, a bar as 1, a bar with a diagonal as 7.
  assert.deepEqual(classes, [0, 1, 7]);
});
