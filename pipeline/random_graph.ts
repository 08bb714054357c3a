/**
 * Seeded random int8 graphs for kernel tests and the fuzz task: chains of layers of every
 * supported operator with random shapes (channel counts not multiples of 4, odd sizes, every
 * kernel size, stride, dilation, padding and depth multiplier), quantized so that values spread.
 *
 * @module
 */
import type { Activation, Graph, Node, Padding, Quantization, Tensor } from "../engine/ir/mod.ts";
import { samePadding } from "../engine/schedule/mod.ts";
import { sliceAxes, sliceOutputShape } from "../engine/ir/mod.ts";
import { createRng, type Rng } from "../engine/util/mod.ts";
import { LAST_ONLY_OPS, MORE_RANDOM_OPS, type MoreRandomOp, moreStep } from "./random_more_ops.ts";

/** Operators {@link randomChainGraph} can draw. */
export const RANDOM_OPS = [
  "conv",
  "pointwise",
  "depthwise",
  "fc",
  "add",
  "mul",
  "avgpool",
  "maxpool",
  "mean",
  "softmax",
  "logistic",
  "hardswish",
  "pad",
  "padconv",
  "transpose",
  "concat",
  "requantize",
  "reshape",
  "relu",
  "leakyrelu",
  "tanh",
  "sub",
  "maxmin",
  "stridedslice",
  "resize",
  "logsoftmax",
  ...MORE_RANDOM_OPS,
] as const;

/** One of {@link RANDOM_OPS}. */
export type RandomOp = (typeof RANDOM_OPS)[number];

function isMoreOp(op: string): op is MoreRandomOp {
  return (MORE_RANDOM_OPS as readonly string[]).includes(op);
}

/** A chain under construction: its tensors and nodes, and the random choices. */
export class Chain {
  readonly tensors: Tensor[] = [];
  readonly nodes: Node[] = [];
  constructor(readonly rng: Rng) {}
  pick<T>(xs: readonly T[]): T {
    return xs[this.rng.int(xs.length)]!;
  }
  range(lo: number, hi: number): number {
    return lo + this.rng.int(hi - lo + 1);
  }
  act(name: string, shape: readonly number[], scale?: number, zp?: number): number {
    const q: Quantization = {
      scale: [scale ?? 0.02 + this.rng.next() * 0.08],
      zeroPoint: [zp ?? this.range(-20, 20)],
      axis: 0,
    };
    this.tensors.push({ name, shape: [...shape], dtype: "int8", quant: q });
    return this.tensors.length - 1;
  }
  scaleOf(t: number): number {
    return this.tensors[t]!.quant!.scale[0]!;
  }
  int8Const(name: string, shape: readonly number[], scales: number[], axis: number): number {
    let n = 1;
    for (const d of shape) n *= d;
    const data = new Uint8Array(n);
    for (let i = 0; i < n; i++) data[i] = (this.range(-127, 127)) & 0xff;
    this.tensors.push({
      name,
      shape: [...shape],
      dtype: "int8",
      quant: { scale: scales, zeroPoint: scales.map(() => 0), axis },
      data,
    });
    return this.tensors.length - 1;
  }
  int32Const(name: string, values: readonly number[], shape?: readonly number[]): number {
    const data = new Uint8Array(values.length * 4);
    const v = new DataView(data.buffer);
    values.forEach((x, i) => v.setInt32(i * 4, x, true));
    this.tensors.push({ name, shape: [...(shape ?? [values.length])], dtype: "int32", data });
    return this.tensors.length - 1;
  }
  /** Output scale so a K-term int8 dot product spreads over the int8 range. */
  outScale(inScale: number, wScale: number, k: number): number {
    return inScale * wScale * 60 * Math.sqrt(k) / 40;
  }
  activation(): Activation {
    return this.pick(["NONE", "RELU", "RELU6", "NONE"] as const);
  }
}

function convLike(
  c: Chain,
  x: number,
  kind: "conv" | "pointwise" | "depthwise",
): number {
  const [n, h, w, cin] = c.tensors[x]!.shape as [number, number, number, number];
  const k = kind === "pointwise" ? 1 : c.pick([1, 2, 3, 3, 5, 7]);
  const stride = kind === "pointwise" ? 1 : c.pick([1, 1, 2, 3]);
  const dil = kind === "pointwise" || stride > 1 ? 1 : c.pick([1, 1, 1, 2]);
  let padding: Padding = kind === "pointwise"
    ? "VALID"
    : c.pick(["SAME", "SAME", "VALID"] as const);
  const eff = (k - 1) * dil + 1;
  const ph = h;
  const pw = w;
  if (padding === "VALID" && (ph < eff || pw < eff)) padding = "SAME";
  const ho = padding === "SAME"
    ? samePadding(ph, k, stride, dil).out
    : Math.floor((ph - eff) / stride) + 1;
  const wo = padding === "SAME"
    ? samePadding(pw, k, stride, dil).out
    : Math.floor((pw - eff) / stride) + 1;
  const mult = kind === "depthwise" ? c.pick([1, 1, 1, 2]) : 1;
  const cout = kind === "depthwise" ? cin * mult : c.range(1, 24);
  const taps = kind === "depthwise" ? k * k : k * k * cin;
  const wScales = Array.from({ length: cout }, () => 0.002 + c.rng.next() * 0.01);
  const biasValues = Array.from({ length: cout }, () => c.range(-2000, 2000));
  // Sometimes a dead channel: a tiny weight scale beside a huge bias (its output is constant),
  // as in trained models with pruned channels.
  if (c.rng.int(4) === 0) {
    const d = c.rng.int(cout);
    wScales[d] = 1e-9 * (1 + c.rng.next());
    biasValues[d] = (c.rng.int(2) ? 1 : -1) * c.range(100_000_000, 2_000_000_000);
  }
  // Sometimes a hot channel: effective multiplier in [0.5, 1.9), a TFLite shift of 0 or +1.
  if (c.rng.int(3) === 0) {
    wScales[c.rng.int(cout)] = 0.0105 * Math.sqrt(taps) * (0.5 + 1.4 * c.rng.next());
  }
  const wShape = kind === "depthwise" ? [1, k, k, cout] : [cout, k, k, cin];
  const wT = c.int8Const(`w${c.nodes.length}`, wShape, wScales, kind === "depthwise" ? 3 : 0);
  const inScale = c.scaleOf(x);
  const bias = c.int32Const(`b${c.nodes.length}`, biasValues);
  const y = c.act(`y${c.nodes.length}`, [n, ho, wo, cout], c.outScale(inScale, 0.007, taps));
  const activation = c.activation();
  const common = {
    padding,
    strideH: stride,
    strideW: stride,
    dilationH: dil,
    dilationW: dil,
    activation,
  };
  c.nodes.push(
    kind === "depthwise"
      ? {
        op: "DEPTHWISE_CONV_2D",
        inputs: [x, wT, bias],
        outputs: [y],
        options: { ...common, depthMultiplier: mult },
      }
      : { op: "CONV_2D", inputs: [x, wT, bias], outputs: [y], options: common },
  );
  return y;
}

function step(c: Chain, x: number, op: RandomOp): number {
  if (isMoreOp(op)) return moreStep(c, x, op);
  const shape = c.tensors[x]!.shape;
  const [n, h, w, ch] = shape as [number, number, number, number];
  const id = c.nodes.length;
  switch (op) {
    case "conv":
    case "pointwise":
    case "depthwise":
      return convLike(c, x, op);
    case "padconv": {
      const p = {
        top: c.range(0, 2),
        bottom: c.range(0, 2),
        left: c.range(0, 2),
        right: c.range(0, 2),
      };
      const q = c.tensors[x]!.quant!;
      const padded = c.act(
        `p${id}`,
        [n, h + p.top + p.bottom, w + p.left + p.right, ch],
        q.scale[0],
        q.zeroPoint[0],
      );
      const pads = c.int32Const(`pads${id}`, [0, 0, p.top, p.bottom, p.left, p.right, 0, 0], [
        4,
        2,
      ]);
      c.nodes.push({ op: "PAD", inputs: [x, pads], outputs: [padded], options: {} });
      return convLike(c, padded, c.pick(["conv", "depthwise"] as const));
    }
    case "pad": {
      const p = [
        0,
        0,
        c.range(0, 2),
        c.range(0, 2),
        c.range(0, 2),
        c.range(0, 2),
        0,
        c.range(0, 2),
      ];
      const q = c.tensors[x]!.quant!;
      const y = c.act(
        `p${id}`,
        [n, h + p[2]! + p[3]!, w + p[4]! + p[5]!, ch + p[7]!],
        q.scale[0],
        q.zeroPoint[0],
      );
      const pads = c.int32Const(`pads${id}`, p, [4, 2]);
      c.nodes.push({ op: "PAD", inputs: [x, pads], outputs: [y], options: {} });
      return y;
    }
    case "fc": {
      const k = h * w * ch;
      const flat = c.act(`f${id}`, [n, k], c.scaleOf(x), c.tensors[x]!.quant!.zeroPoint[0]);
      c.nodes.push({ op: "RESHAPE", inputs: [x], outputs: [flat], options: { newShape: [n, k] } });
      const cout = c.range(1, 20);
      const wT = c.int8Const(`w${id}`, [cout, k], [0.004], 0);
      const bias = c.int32Const(`b${id}`, Array.from({ length: cout }, () => c.range(-500, 500)));
      const y = c.act(`y${id}`, [n, cout], c.outScale(c.scaleOf(x), 0.004, k));
      c.nodes.push({
        op: "FULLY_CONNECTED",
        inputs: [flat, wT, bias],
        outputs: [y],
        options: { activation: c.activation(), keepNumDims: false },
      });
      const back = c.act(
        `r${id}`,
        [n, 1, 1, cout],
        c.scaleOf(y),
        c.tensors[y]!.quant!.zeroPoint[0],
      );
      c.nodes.push({
        op: "RESHAPE",
        inputs: [y],
        outputs: [back],
        options: { newShape: [n, 1, 1, cout] },
      });
      return back;
    }
    case "add":
    case "sub":
    case "mul": {
      const other = convLike(c, x, "pointwise");
      const o = c.tensors[other]!;
      const [, oh, ow, oc] = o.shape as [number, number, number, number];
      // Broadcast sometimes: combine with a [1,1,1,C] or same-shape operand.
      const broadcast = c.rng.int(3) === 0;
      const bshape = broadcast ? [1, 1, 1, oc] : [n, oh, ow, oc];
      let b = other;
      if (broadcast && oh * ow > 1) {
        const pooled = c.act(
          `m${id}`,
          bshape,
          c.scaleOf(other),
          c.tensors[other]!.quant!.zeroPoint[0],
        );
        const axes = c.int32Const(`ax${id}`, [1, 2]);
        c.nodes.push({
          op: "MEAN",
          inputs: [other, axes],
          outputs: [pooled],
          options: { keepDims: true },
        });
        b = pooled;
      }
      const y = c.act(
        `y${id}`,
        [n, oh, ow, oc],
        op === "mul" ? c.scaleOf(other) * c.scaleOf(b) * 20 : c.scaleOf(other) * 1.5,
      );
      c.nodes.push({
        op: op === "add" ? "ADD" : op === "sub" ? "SUB" : "MUL",
        inputs: [other, b],
        outputs: [y],
        options: { activation: c.activation() },
      });
      return y;
    }
    case "avgpool":
    case "maxpool": {
      const f = c.pick([1, 2, 3]);
      const s = c.pick([1, 2]);
      const padding = c.pick(["SAME", "VALID"] as const);
      const ok = padding === "SAME" || (h >= f && w >= f);
      const pd: Padding = ok ? padding : "SAME";
      const ho = pd === "SAME" ? Math.ceil(h / s) : Math.floor((h - f) / s) + 1;
      const wo = pd === "SAME" ? Math.ceil(w / s) : Math.floor((w - f) / s) + 1;
      const q = c.tensors[x]!.quant!;
      const y = c.act(`y${id}`, [n, ho, wo, ch], q.scale[0], q.zeroPoint[0]);
      c.nodes.push({
        op: op === "avgpool" ? "AVERAGE_POOL_2D" : "MAX_POOL_2D",
        inputs: [x],
        outputs: [y],
        options: {
          padding: pd,
          strideH: s,
          strideW: s,
          filterH: f,
          filterW: f,
          activation: c.activation(),
        },
      });
      return y;
    }
    case "mean": {
      const axes = c.int32Const(`ax${id}`, c.pick([[1, 2], [1, 2], [2], [3]]));
      const a = Array.from(new Int32Array(c.tensors[axes]!.data!.buffer));
      const out = shape.map((d, i) => (a.includes(i) ? 1 : d));
      const y = c.act(`y${id}`, out, c.scaleOf(x) * 0.8);
      c.nodes.push({ op: "MEAN", inputs: [x, axes], outputs: [y], options: { keepDims: true } });
      return y;
    }
    case "softmax": {
      const y = c.act(`y${id}`, shape, 1 / 256, -128);
      c.nodes.push({ op: "SOFTMAX", inputs: [x], outputs: [y], options: { beta: 1 } });
      return y;
    }
    case "logsoftmax": {
      const y = c.act(`y${id}`, shape, 16 / 256, 127);
      c.nodes.push({ op: "LOG_SOFTMAX", inputs: [x], outputs: [y], options: {} });
      return y;
    }
    case "logistic": {
      const y = c.act(`y${id}`, shape, 1 / 256, -128);
      c.nodes.push({ op: "LOGISTIC", inputs: [x], outputs: [y], options: {} });
      return y;
    }
    case "hardswish": {
      const y = c.act(`y${id}`, shape);
      c.nodes.push({ op: "HARD_SWISH", inputs: [x], outputs: [y], options: {} });
      return y;
    }
    case "relu": {
      const kind = c.pick(["RELU", "RELU6", "RELU_N1_TO_1"] as const);
      const s = c.scaleOf(x);
      const y = kind === "RELU"
        ? c.act(`y${id}`, shape, s * (0.5 + 1.5 * c.rng.next()), c.range(-128, -100))
        : kind === "RELU6"
        ? c.act(`y${id}`, shape, 6 / c.range(100, 250), c.range(-128, -100))
        : c.act(`y${id}`, shape, 2 / c.range(60, 250));
      c.nodes.push({ op: kind, inputs: [x], outputs: [y], options: {} });
      return y;
    }
    case "leakyrelu": {
      const y = c.act(`y${id}`, shape, c.scaleOf(x) * (0.4 + c.rng.next()));
      const alpha = c.pick([0.01, 0.1, 0.2, 0.3, 0.5, 1.5, -0.3]);
      c.nodes.push({ op: "LEAKY_RELU", inputs: [x], outputs: [y], options: { alpha } });
      return y;
    }
    case "tanh": {
      const y = c.act(`y${id}`, shape, 1 / 128, 0);
      c.nodes.push({ op: "TANH", inputs: [x], outputs: [y], options: {} });
      return y;
    }
    case "maxmin": {
      // The other operand keeps x's quantization: a 3x3 average pool (same shape) or the
      // spatial mean (broadcast [N,1,1,C]).
      const q = c.tensors[x]!.quant!;
      const broadcast = c.rng.int(2) === 0;
      const b = c.act(`b${id}`, broadcast ? [n, 1, 1, ch] : shape, q.scale[0], q.zeroPoint[0]);
      if (broadcast) {
        c.nodes.push({
          op: "MEAN",
          inputs: [x, c.int32Const(`ax${id}`, [1, 2])],
          outputs: [b],
          options: { keepDims: true },
        });
      } else {
        c.nodes.push({
          op: "AVERAGE_POOL_2D",
          inputs: [x],
          outputs: [b],
          options: {
            padding: "SAME",
            strideH: 1,
            strideW: 1,
            filterH: 3,
            filterW: 3,
            activation: "NONE",
          },
        });
      }
      const y = c.act(`y${id}`, shape, q.scale[0], q.zeroPoint[0]);
      const inputs = c.rng.int(2) === 0 ? [x, b] : [b, x];
      c.nodes.push({
        op: c.pick(["MAXIMUM", "MINIMUM"] as const),
        inputs,
        outputs: [y],
        options: {},
      });
      return y;
    }
    case "stridedslice": {
      // Spatial and channel slices with random strides (negative too), begin/end masks and
      // offset; sometimes the batch axis is shrunk and a RESHAPE restores rank 4.
      const q = c.tensors[x]!.quant!;
      for (;;) {
        const begin: number[] = [], end: number[] = [], strides: number[] = [];
        let beginMask = 0, endMask = 0;
        const offset = c.rng.int(5) === 0;
        const shrink = n === 1 && c.rng.int(3) === 0;
        shape.forEach((d, a) => {
          const stride = a === 0 ? 1 : c.pick([1, 1, 2, 3, -1, -2]);
          begin.push(a === 0 ? 0 : c.range(-d, d));
          end.push(a === 0 ? (offset ? 1 : d) : offset ? c.range(0, d) * stride : c.range(-d, d));
          strides.push(stride);
          if (a > 0 && c.rng.int(4) === 0) beginMask |= 1 << a;
          if (a > 0 && c.rng.int(4) === 0) endMask |= 1 << a;
        });
        const options = { beginMask, endMask, shrinkAxisMask: shrink ? 1 : 0, offset };
        const axes = sliceAxes(shape, begin, end, strides, options);
        if (axes.some((a) => a.count === 0)) continue;
        const out = sliceOutputShape(axes);
        const y = c.act(`y${id}`, out, q.scale[0], q.zeroPoint[0]);
        c.nodes.push({
          op: "STRIDED_SLICE",
          inputs: [
            x,
            c.int32Const(`begin${id}`, begin),
            c.int32Const(`end${id}`, end),
            c.int32Const(`strides${id}`, strides),
          ],
          outputs: [y],
          options,
        });
        if (!shrink) return y;
        const back = [1, ...out];
        const r = c.act(`r${id}`, back, q.scale[0], q.zeroPoint[0]);
        c.nodes.push({ op: "RESHAPE", inputs: [y], outputs: [r], options: { newShape: back } });
        return r;
      }
    }
    case "resize": {
      const q = c.tensors[x]!.quant!;
      const size = [c.range(1, Math.min(2 * h + 1, 20)), c.range(1, Math.min(2 * w + 1, 20))];
      const y = c.act(`y${id}`, [n, size[0]!, size[1]!, ch], q.scale[0], q.zeroPoint[0]);
      c.nodes.push({
        op: "RESIZE_NEAREST_NEIGHBOR",
        inputs: [x, c.int32Const(`size${id}`, size)],
        outputs: [y],
        options: { alignCorners: c.rng.int(2) === 0, halfPixelCenters: c.rng.int(2) === 0 },
      });
      return y;
    }
    case "requantize": {
      const y = c.act(`y${id}`, shape);
      c.nodes.push({ op: "QUANTIZE", inputs: [x], outputs: [y], options: {} });
      return y;
    }
    case "transpose": {
      const perm = c.pick([[0, 2, 1, 3], [0, 1, 3, 2], [0, 3, 1, 2]]);
      const q = c.tensors[x]!.quant!;
      const y = c.act(`y${id}`, perm.map((p) => shape[p]!), q.scale[0], q.zeroPoint[0]);
      c.nodes.push({
        op: "TRANSPOSE",
        inputs: [x, c.int32Const(`perm${id}`, perm)],
        outputs: [y],
        options: {},
      });
      return y;
    }
    case "concat": {
      const other = convLike(c, x, "pointwise");
      const q = c.tensors[x]!.quant!;
      const same = c.rng.int(2) === 0;
      const y = c.act(
        `y${id}`,
        [n, h, w, ch + c.tensors[other]!.shape[3]!],
        same ? q.scale[0] : undefined,
        same ? q.zeroPoint[0] : undefined,
      );
      c.nodes.push({
        op: "CONCATENATION",
        inputs: [x, other],
        outputs: [y],
        options: { axis: 3, activation: "NONE" },
      });
      return y;
    }
    case "reshape": {
      const q = c.tensors[x]!.quant!;
      const y = c.act(`y${id}`, [n, h * w, 1, ch], q.scale[0], q.zeroPoint[0]);
      c.nodes.push({
        op: "RESHAPE",
        inputs: [x],
        outputs: [y],
        options: { newShape: [n, h * w, 1, ch] },
      });
      return y;
    }
  }
}

/** Options of {@link randomChainGraph}. */
export interface RandomChainOptions {
  /** Layers to draw. @default 8 */
  readonly layers?: number;
  /** Operators to draw from. @default RANDOM_OPS */
  readonly ops?: readonly RandomOp[];
}

/**
 * A seeded random chain of layers (NHWC, batch 1) starting from a small random input.
 *
 * @example
 * ```ts
 * const g = randomChainGraph(7, { layers: 6, ops: ["conv", "depthwise"] });
 * ```
 */
export function randomChainGraph(seed: number, options: RandomChainOptions = {}): Graph {
  const c = new Chain(createRng(seed));
  const ops = options.ops ?? RANDOM_OPS;
  const x0 = c.act(
    "input",
    [1, c.range(3, 14), c.range(3, 14), c.range(1, 11)],
    0.05,
    c.range(-10, 10),
  );
  let x = x0;
  for (let i = 0; i < (options.layers ?? 8); i++) {
    const shape = c.tensors[x]!.shape;
    let op = c.pick(ops);
    // Keep shapes 4-D and not too small for windows; int8 everywhere but the last layer.
    if (shape.length !== 4) op = "pointwise";
    if (isMoreOp(op) && LAST_ONLY_OPS.includes(op) && i !== (options.layers ?? 8) - 1) {
      op = "pointwise";
    }
    x = step(c, x, op);
    const s = c.tensors[x]!.shape;
    if (s.length === 4 && (s[1]! * s[2]! * s[3]! > 6000)) x = convLike(c, x, "pointwise");
  }
  return { name: `random-${seed}`, tensors: c.tensors, nodes: c.nodes, inputs: [x0], outputs: [x] };
}
