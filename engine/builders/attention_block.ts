/**
 * A small transformer encoder block as an int8 graph, the shape TFLite exports of attention
 * models on MCUs have: tokens x dim input; FULLY_CONNECTED q, k, v projections; BATCH_MATMUL
 * `q k^T` (adj_y); SOFTMAX with beta `1 / sqrt(dim)` (the attention's scaling); BATCH_MATMUL with
 * v; an output projection and a residual ADD; a layer norm spelled out as exporters write it
 * (MEAN, SQUARED_DIFFERENCE, MEAN, ADD epsilon, RSQRT, SUB, MUL, MUL gamma, ADD beta); an MLP
 * with GELU; a second residual ADD.
 *
 * Weights are seeded; every activation's quantization is calibrated from a float forward pass
 * of the same (dequantized) weights over seeded random inputs, uniform over the input range
 * (min/max, asymmetric), so values spread over the int8 range as in a calibrated export.
 *
 * @module
 */
import type { Graph, Node, Quantization, Tensor } from "../ir/mod.ts";
import { createRng, type Rng } from "../util/mod.ts";
import { erfc } from "../quant/mod.ts";

/** Sizes of {@link attentionBlock}. */
export interface AttentionBlockOptions {
  /** Sequence length. @default 16 */
  readonly tokens?: number;
  /** Model width. @default 32 */
  readonly dim?: number;
  /** MLP width. @default 64 */
  readonly hidden?: number;
  /** Weight and calibration seed. @default 1 */
  readonly seed?: number;
  /** Graph name. @default "attention-block" */
  readonly name?: string;
}

/** A float matrix, row-major. */
interface Mat {
  readonly rows: number;
  readonly cols: number;
  readonly v: Float64Array;
}

const mat = (rows: number, cols: number, f: (i: number, j: number) => number): Mat => {
  const v = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) v[i * cols + j] = f(i, j);
  return { rows, cols, v };
};
const at = (m: Mat, i: number, j: number) =>
  m.v[(m.rows === 1 ? 0 : i) * m.cols + (m.cols === 1 ? 0 : j)]!;
/** Elementwise with broadcasting of a 1-row or 1-column operand. */
const zip = (a: Mat, b: Mat, f: (x: number, y: number) => number): Mat =>
  mat(Math.max(a.rows, b.rows), Math.max(a.cols, b.cols), (i, j) => f(at(a, i, j), at(b, i, j)));
const map = (a: Mat, f: (x: number) => number): Mat =>
  mat(a.rows, a.cols, (i, j) => f(at(a, i, j)));
/** `a b` (or `a b^T` when `bTransposed`). */
function matmul(a: Mat, b: Mat, bTransposed: boolean): Mat {
  const cols = bTransposed ? b.rows : b.cols;
  return mat(a.rows, cols, (i, j) => {
    let s = 0;
    for (let k = 0; k < a.cols; k++) {
      s += a.v[i * a.cols + k]! * (bTransposed ? at(b, j, k) : at(b, k, j));
    }
    return s;
  });
}
const rowMean = (a: Mat): Mat =>
  mat(
    a.rows,
    1,
    (i) => a.v.subarray(i * a.cols, (i + 1) * a.cols).reduce((s, x) => s + x, 0) / a.cols,
  );
function softmax(a: Mat, beta: number): Mat {
  return mat(a.rows, a.cols, (i, j) => {
    const row = a.v.subarray(i * a.cols, (i + 1) * a.cols);
    const m = Math.max(...row);
    const sum = row.reduce((s, x) => s + Math.exp(beta * (x - m)), 0);
    return Math.exp(beta * (at(a, i, j) - m)) / sum;
  });
}
const gelu = (x: number) => 0.5 * x * erfc(-x / Math.SQRT2);

/** Symmetric int8 weights: the int8 values, their scale and the float values they stand for. */
function int8Weights(m: Mat): { q: Int8Array; scale: number; real: Mat } {
  const max = m.v.reduce((s, x) => Math.max(s, Math.abs(x)), 1e-9);
  const scale = Math.fround(max / 127);
  const q = Int8Array.from(m.v, (x) => Math.round(x / scale));
  return { q, scale, real: { ...m, v: Float64Array.from(q, (x) => x * scale) } };
}

/** Asymmetric int8 quantization covering [min, max] (and 0). */
function rangeQuant(min: number, max: number): Quantization {
  const lo = Math.min(0, min);
  const hi = Math.max(0, max, lo + 1e-6);
  const scale = Math.fround((hi - lo) / 255);
  const zeroPoint = Math.max(-128, Math.min(127, Math.round(-128 - lo / scale)));
  return { scale: [scale], zeroPoint: [zeroPoint], axis: 0 };
}

/**
 * The graph under construction: activations are recorded with their float values on every
 * calibration input and quantized at the end.
 */
class Block {
  readonly tensors: Tensor[] = [];
  readonly nodes: Node[] = [];
  /** Float values of each activation per calibration input, by tensor index. */
  readonly values = new Map<number, Mat[]>();
  /** Fixed quantization (SOFTMAX's output) instead of calibration. */
  readonly fixed = new Map<number, Quantization>();
  constructor(readonly rng: Rng) {}

  act(name: string, values: Mat[]): number {
    const m = values[0]!;
    this.tensors.push({ name, shape: [m.rows, m.cols], dtype: "int8" });
    this.values.set(this.tensors.length - 1, values);
    return this.tensors.length - 1;
  }
  int8Const(name: string, shape: number[], q: Int8Array, scale: number): number {
    this.tensors.push({
      name,
      shape,
      dtype: "int8",
      quant: { scale: [scale], zeroPoint: [0], axis: 0 },
      data: new Uint8Array(q.buffer.slice(0)),
    });
    return this.tensors.length - 1;
  }
  int32Const(name: string, shape: number[], values: Int32Array, scale?: number): number {
    this.tensors.push({
      name,
      shape,
      dtype: "int32",
      data: new Uint8Array(values.buffer.slice(0)),
      ...(scale === undefined ? {} : { quant: { scale: [scale], zeroPoint: [0], axis: 0 } }),
    });
    return this.tensors.length - 1;
  }
  node(op: Node["op"], inputs: number[], output: number, options: object): number {
    this.nodes.push({ op, inputs, outputs: [output], options } as Node);
    return output;
  }
  /** A vector of `n` random constants around `center` as an int8 [n] tensor and its floats. */
  vector(name: string, n: number, center: number, spread: number): { index: number; real: Mat } {
    const w = int8Weights(mat(1, n, () => center + spread * (this.rng.next() * 2 - 1)));
    return { index: this.int8Const(name, [n], w.q, w.scale), real: w.real };
  }

  /** FULLY_CONNECTED `x W^T + b` with seeded weights (variance 1 / fan-in) and bias. */
  dense(name: string, x: number, units: number): number {
    const xs = this.values.get(x)!;
    const depth = xs[0]!.cols;
    const bound = Math.sqrt(3 / depth);
    const w = int8Weights(mat(units, depth, () => bound * (this.rng.next() * 2 - 1)));
    const bias = mat(1, units, () => 0.1 * (this.rng.next() * 2 - 1));
    const wi = this.int8Const(`${name}_w`, [units, depth], w.q, w.scale);
    // The bias's scale is input scale x weight scale, known once the input is calibrated.
    const bi = this.int32Const(`${name}_b`, [units], new Int32Array(units));
    this.pendingBias.push({ tensor: bi, input: x, weightScale: w.scale, real: bias });
    const y = this.act(name, xs.map((v) => zip(matmul(v, w.real, true), bias, (a, b) => a + b)));
    return this.node("FULLY_CONNECTED", [x, wi, bi], y, {
      activation: "NONE",
      keepNumDims: false,
    });
  }
  readonly pendingBias: { tensor: number; input: number; weightScale: number; real: Mat }[] = [];

  /** Quantize every activation from its calibrated range and fill the biases. */
  finish(): void {
    for (const [t, vs] of this.values) {
      let min = Infinity;
      let max = -Infinity;
      for (const m of vs) for (const x of m.v) [min, max] = [Math.min(min, x), Math.max(max, x)];
      const quant = this.fixed.get(t) ?? rangeQuant(min, max);
      this.tensors[t] = { ...this.tensors[t]!, quant };
    }
    for (const b of this.pendingBias) {
      const scale = Math.fround(this.tensors[b.input]!.quant!.scale[0]! * b.weightScale);
      const q = Int32Array.from(b.real.v, (x) => Math.round(x / scale));
      this.tensors[b.tensor] = {
        ...this.tensors[b.tensor]!,
        data: new Uint8Array(q.buffer),
        quant: { scale: [scale], zeroPoint: [0], axis: 0 },
      };
    }
  }
}

/**
 * The attention block as an int8 graph: input and output [tokens, dim].
 *
 * @example
 * ```ts
 * import { attentionBlock } from "./attention_block.ts";
 * const g = attentionBlock({ tokens: 8, dim: 16, hidden: 32 });
 * // g.nodes: FULLY_CONNECTED x3, BATCH_MATMUL, SOFTMAX, BATCH_MATMUL, ..., GELU, ...
 * ```
 */
export function attentionBlock(options: AttentionBlockOptions = {}): Graph {
  const tokens = options.tokens ?? 16;
  const dim = options.dim ?? 32;
  const hidden = options.hidden ?? 64;
  const b = new Block(createRng(options.seed ?? 1));
  const calibration = Array.from(
    { length: 4 },
    // Uniform over the input's range, as random int8 inputs (the bench's) are once quantized.
    () => mat(tokens, dim, () => (b.rng.next() * 2 - 1) * 2.5),
  );
  const x = b.act("tokens", calibration);
  const values = (t: number) => b.values.get(t)!;
  const pair = (
    name: string,
    op: Node["op"],
    l: number,
    r: number,
    f: (x: Mat, y: Mat) => Mat,
    options: object = {},
  ) => b.node(op, [l, r], b.act(name, values(l).map((v, i) => f(v, values(r)[i]!))), options);

  // Attention: softmax(q k^T / sqrt(dim)) v, projected, plus the residual.
  const q = b.dense("q", x, dim);
  const k = b.dense("k", x, dim);
  const v = b.dense("v", x, dim);
  const scores = pair("scores", "BATCH_MATMUL", q, k, (a, c) => matmul(a, c, true), {
    adjX: false,
    adjY: true,
  });
  const beta = 1 / Math.sqrt(dim);
  const attn = b.act("attention", values(scores).map((s) => softmax(s, beta)));
  b.fixed.set(attn, { scale: [1 / 256], zeroPoint: [-128], axis: 0 });
  b.node("SOFTMAX", [scores], attn, { beta });
  const context = pair("context", "BATCH_MATMUL", attn, v, (a, c) => matmul(a, c, false), {
    adjX: false,
    adjY: false,
  });
  const projected = b.dense("proj", context, dim);
  const add = (x: Mat, y: Mat) => zip(x, y, (p, r) => p + r);
  const residual = pair("residual", "ADD", x, projected, add, { activation: "NONE" });

  // Layer norm as exporters spell it out.
  const axis = b.int32Const("last_axis", [1], Int32Array.of(-1));
  const mean = (name: string, t: number) =>
    b.node("MEAN", [t, axis], b.act(name, values(t).map(rowMean)), { keepDims: true });
  const mu = mean("ln_mean", residual);
  const sq = pair(
    "ln_sqdiff",
    "SQUARED_DIFFERENCE",
    residual,
    mu,
    (a, c) => zip(a, c, (p, r) => (p - r) ** 2),
  );
  const variance = mean("ln_var", sq);
  const eps = b.int8Const("ln_eps", [1], Int8Array.of(127), Math.fround(1e-3 / 127));
  b.values.set(eps, values(variance).map(() => mat(1, 1, () => 1e-3)));
  const varEps = pair("ln_var_eps", "ADD", variance, eps, add, { activation: "NONE" });
  b.values.delete(eps);
  const inv = b.node(
    "RSQRT",
    [varEps],
    b.act("ln_rsqrt", values(varEps).map((m) => map(m, (x) => 1 / Math.sqrt(x)))),
    {},
  );
  const centered = pair("ln_centered", "SUB", residual, mu, (a, c) => zip(a, c, (p, r) => p - r), {
    activation: "NONE",
  });
  const mul = (x: Mat, y: Mat) => zip(x, y, (p, r) => p * r);
  const normalized = pair("ln_normalized", "MUL", centered, inv, mul, { activation: "NONE" });
  const gamma = b.vector("ln_gamma", dim, 1, 0.3);
  b.values.set(gamma.index, values(normalized).map(() => gamma.real));
  const scaled = pair("ln_scaled", "MUL", normalized, gamma.index, mul, { activation: "NONE" });
  b.values.delete(gamma.index);
  const betaVec = b.vector("ln_beta", dim, 0, 0.2);
  b.values.set(betaVec.index, values(scaled).map(() => betaVec.real));
  const ln = pair("ln_out", "ADD", scaled, betaVec.index, add, { activation: "NONE" });
  b.values.delete(betaVec.index);

  // MLP with GELU, plus the second residual.
  const up = b.dense("mlp_up", ln, hidden);
  const g = b.node(
    "GELU",
    [up],
    b.act("mlp_gelu", values(up).map((m) => map(m, gelu))),
    { approximate: false },
  );
  const down = b.dense("mlp_down", g, dim);
  const out = pair("output", "ADD", ln, down, add, { activation: "NONE" });
  b.finish();
  return {
    name: options.name ?? "attention-block",
    tensors: b.tensors,
    nodes: b.nodes,
    inputs: [x],
    outputs: [out],
  };
}
