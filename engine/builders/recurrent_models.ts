/**
 * Test models with the recurrent operators real MCU models use, built as graphs the project's
 * `.tflite` writer writes: an integer LSTM (TFLM's int8 x int8 -> int16, as the TFLM MNIST LSTM
 * has it) and an integer SVDF (int16 state), each the model's only operator (so a comparison
 * sees every value it computes), with random
 * shapes and quantization drawn from a seed, odd values included (non-zero and extreme zero
 * points, tiny and large scales, cell state scales from 2^-15 to 2^-9, cell clip on or off,
 * time-major or batch-major, SVDF rank > 1 and no bias).
 *
 * @module
 */
import type { Graph, Node, Quantization, Tensor } from "../ir/mod.ts";
import { createRng, type Rng } from "../util/mod.ts";

/** Shape and quantization choices of {@link lstmModel}; unset fields are drawn from the seed. */
export interface LstmModelOptions {
  readonly batch?: number;
  readonly time?: number;
  readonly input?: number;
  readonly state?: number;
  readonly timeMajor?: boolean;
  readonly seed?: number;
}

function q(scale: number, zeroPoint = 0): Quantization {
  return { scale: [Math.fround(scale)], zeroPoint: [zeroPoint], axis: 0 };
}

function bytesOf(a: Int8Array | Int16Array | Int32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** A scale of about `base`, spread over a factor of 8 either way. */
function scaleNear(rng: Rng, base: number): number {
  return base * 2 ** (rng.next() * 6 - 3);
}

/** A zero point: usually small, sometimes at an end of the int8 range. */
function zeroPoint(rng: Rng): number {
  const r = rng.int(10);
  return r === 0 ? -128 : r === 1 ? 127 : rng.int(41) - 20;
}

function int8Weights(rng: Rng, n: number): Int8Array {
  const w = new Int8Array(n);
  for (let i = 0; i < n; i++) w[i] = rng.int(255) - 127;
  return w;
}

/**
 * An LSTM model: int8 input [batch, time, input] (or time-major) -> LSTM -> int8 output
 * [batch, time, state] (time-major: [time, batch, state]).
 *
 * @example
 * ```ts
 * import { lstmModel } from "./recurrent_models.ts";
 * const g = lstmModel({ seed: 1 });
 * if (g.nodes[0]?.op !== "UNIDIRECTIONAL_SEQUENCE_LSTM") throw new Error("unexpected");
 * ```
 */
export function lstmModel(options: LstmModelOptions = {}): Graph {
  const rng = createRng(options.seed ?? 1);
  const batch = options.batch ?? 1 + rng.int(2);
  const time = options.time ?? 1 + rng.int(8);
  const I = options.input ?? 1 + rng.int(24);
  const S = options.state ?? 1 + rng.int(20);
  const timeMajor = options.timeMajor ?? rng.int(2) === 1;
  const tensors: Tensor[] = [];
  const add = (t: Tensor): number => tensors.push(t) - 1;
  const inQ = q(scaleNear(rng, 1 / 128), zeroPoint(rng));
  const hiddenQ = q(scaleNear(rng, 1 / 128), zeroPoint(rng));
  const cellScale = 2 ** -(9 + rng.int(7));
  const inShape = timeMajor ? [time, batch, I] : [batch, time, I];
  const x = add({ name: "input", shape: inShape, dtype: "int8", quant: inQ });
  const weights = (name: string, cols: number): number => {
    // Gate products should land in Q3.12 without saturating everywhere: scale to about 4 / cols.
    const target = 4 / Math.sqrt(cols) / 127;
    return add({
      name,
      shape: [S, cols],
      dtype: "int8",
      quant: q(scaleNear(rng, target)),
      data: bytesOf(int8Weights(rng, S * cols)),
    });
  };
  const gates = ["input", "forget", "cell", "output"];
  const wIn = gates.map((g) => weights(`${g}_input_weights`, I));
  const wRec = gates.map((g) => weights(`${g}_recurrent_weights`, S));
  const biases = gates.map((g, k) => {
    const scale = Math.fround(inQ.scale[0]! * tensors[wIn[k]!]!.quant!.scale[0]!);
    const b = new Int32Array(S);
    for (let i = 0; i < S; i++) b[i] = Math.round((rng.next() * 2 - 1) / scale);
    return add({
      name: `${g}_bias`,
      shape: [S],
      dtype: "int32",
      quant: q(scale),
      data: bytesOf(b),
    });
  });
  const hidden = add({
    name: "hidden_state",
    shape: [batch, S],
    dtype: "int8",
    quant: hiddenQ,
    data: new Uint8Array(batch * S).fill(hiddenQ.zeroPoint[0]! & 0xff),
    variable: true,
  });
  const cell = add({
    name: "cell_state",
    shape: [batch, S],
    dtype: "int16",
    quant: q(cellScale),
    data: new Uint8Array(batch * S * 2),
    variable: true,
  });
  const y = add({
    name: "lstm",
    shape: [inShape[0]!, inShape[1]!, S],
    dtype: "int8",
    quant: hiddenQ,
  });
  const cellClip = rng.int(2) ? 0 : Math.fround(1 + rng.next() * 6);
  const lstmInputs = [
    x,
    ...wIn,
    ...wRec,
    -1,
    -1,
    -1,
    ...biases,
    -1,
    -1,
    hidden,
    cell,
    -1,
    -1,
    -1,
    -1,
  ];
  const nodes: Node[] = [
    {
      op: "UNIDIRECTIONAL_SEQUENCE_LSTM",
      inputs: lstmInputs,
      outputs: [y],
      options: { cellClip, projClip: 0, timeMajor },
    },
  ];
  return { name: `lstm-s${options.seed ?? 1}`, tensors, nodes, inputs: [x], outputs: [y] };
}

/** Shape choices of {@link svdfModel}; unset fields are drawn from the seed. */
export interface SvdfModelOptions {
  readonly batch?: number;
  readonly input?: number;
  readonly units?: number;
  readonly rank?: number;
  readonly memory?: number;
  readonly bias?: boolean;
  readonly seed?: number;
}

/**
 * An SVDF model: int8 input [batch, input] -> SVDF (int16 state) -> int8 output
 * [batch, units].
 *
 * @example
 * ```ts
 * import { svdfModel } from "./recurrent_models.ts";
 * const g = svdfModel({ seed: 1 });
 * if (g.nodes[0]?.op !== "SVDF") throw new Error("unexpected");
 * ```
 */
export function svdfModel(options: SvdfModelOptions = {}): Graph {
  const rng = createRng(options.seed ?? 1);
  const batch = options.batch ?? 1 + rng.int(2);
  const I = options.input ?? 1 + rng.int(40);
  const units = options.units ?? 1 + rng.int(16);
  const rank = options.rank ?? 1 + rng.int(2);
  const M = options.memory ?? 1 + rng.int(10);
  const F = units * rank;
  const hasBias = options.bias ?? rng.int(4) !== 0;
  const tensors: Tensor[] = [];
  const add = (t: Tensor): number => tensors.push(t) - 1;
  const inQ = q(scaleNear(rng, 1 / 64), zeroPoint(rng));
  const x = add({ name: "input", shape: [batch, I], dtype: "int8", quant: inQ });
  const featureQ = q(scaleNear(rng, 1 / 127));
  const feature = add({
    name: "feature_weights",
    shape: [F, I],
    dtype: "int8",
    quant: featureQ,
    data: bytesOf(int8Weights(rng, F * I)),
  });
  // A feature product is about sqrt(input) * 128 * 64 in units of in x feature scale: map it
  // to about a quarter of the int16 range (the spread of scaleNear makes some saturate).
  const featureReal = Math.sqrt(I) * 128 * 64 * inQ.scale[0]! * featureQ.scale[0]!;
  const stateScale = scaleNear(rng, featureReal / 8192);
  const timeScale = scaleNear(rng, 1 / 16384);
  const tw = new Int16Array(F * M);
  for (let i = 0; i < tw.length; i++) tw[i] = rng.int(65535) - 32767;
  const time = add({
    name: "time_weights",
    shape: [F, M],
    dtype: "int16",
    quant: q(timeScale),
    data: bytesOf(tw),
  });
  let bias = -1;
  if (hasBias) {
    const scale = Math.fround(Math.fround(stateScale) * Math.fround(timeScale));
    const b = new Int32Array(units);
    for (let i = 0; i < units; i++) b[i] = Math.round((rng.next() * 2 - 1) * 0.5 / scale);
    bias = add({ name: "bias", shape: [units], dtype: "int32", quant: q(scale), data: bytesOf(b) });
  }
  const state = add({
    name: "state",
    shape: [batch, M * F],
    dtype: "int16",
    quant: q(stateScale),
    data: new Uint8Array(batch * M * F * 2),
    variable: true,
  });
  // The output is about featureReal * sqrt(rank) (time weights about 1): spread it over ~50 steps.
  const yScale = featureReal * Math.sqrt(rank) / 50 * 2 ** (rng.next() * 2 - 1);
  const yQ = q(yScale, zeroPoint(rng));
  const y = add({ name: "svdf", shape: [batch, units], dtype: "int8", quant: yQ });
  const nodes: Node[] = [
    {
      op: "SVDF",
      inputs: [x, feature, time, bias, state],
      outputs: [y],
      options: { rank, activation: "NONE" },
    },
  ];
  return { name: `svdf-s${options.seed ?? 1}`, tensors, nodes, inputs: [x], outputs: [y] };
}
