/**
 * Private helper: appends quantized operators with deterministic synthetic weights to a graph.
 *
 * Every activation carries per-channel estimates of the mean and mean square of its real values,
 * propagated layer by layer through the actual synthetic weights (Gaussian approximation, zero
 * padding accounted for). Weights are drawn uniformly, then rescaled per output channel so that
 * the channel's pre-activation RMS is 1 (as a folded batch norm makes it), and quantized per
 * channel (symmetric, scale = max|w| / 127). The output quantization follows
 * from the pre-activation RMS r: linear outputs cover +-5r, ReLU/ReLU6 outputs [0, min(5r, 6)],
 * so requantized values spread over the int8 range instead of saturating or collapsing.
 * Biases are int32 with scale in_scale * w_scale[c].
 *
 * Given {@link TrainedParameters}, the same layers take the trained real weights and biases
 * instead (quantized the same way) and each activation's quantization comes from its calibrated
 * range (TFLite's asymmetric int8 rule); the network structure is the same either way.
 *
 * @module
 */
import type { Activation, Graph, Node, Padding, Quantization, Tensor } from "../ir/mod.ts";
import { convOptions, depthwiseOptions } from "../ir/mod.ts";
import { createRng, type Rng } from "../util/mod.ts";
import { convOutputSize, convPadding } from "../ops/mod.ts";
import { type Moments, reluMoments, rmsOf, uniformMoments } from "./_moments.ts";
import { int8RangeQuantization, type TrainedParameters } from "./trained_parameters.ts";

/** A handle to an activation tensor while building. */
export interface Act {
  readonly index: number;
  /** NHWC (or [N, C] after a reshape). */
  readonly shape: readonly number[];
  readonly scale: number;
  readonly zeroPoint: number;
  /** Estimated root-mean-square of the real values. */
  readonly rms: number;
  /** Estimated per-channel moments of the real values (channels = last dimension). */
  readonly moments: Moments;
}

/** Options of {@link GraphBuilder.conv2d} and {@link GraphBuilder.depthwise}. */
export interface ConvSpec {
  readonly kernel: number;
  readonly stride: number;
  readonly activation: Activation;
  readonly padding?: Padding;
}

/** The padding (SAME unless given), square stride and activation of a convolution's options. */
function windowOptions(spec: ConvSpec) {
  const { stride, activation } = spec;
  return { padding: spec.padding ?? "SAME", strideH: stride, strideW: stride, activation } as const;
}

/** Average fraction of a window's taps that fall inside the input (zero padding shrinks sums). */
function validTapFraction(
  inSize: number,
  kernel: number,
  stride: number,
  padding: Padding,
): number {
  const p = convPadding(inSize, kernel, stride, padding);
  let valid = 0;
  for (let o = 0; o < p.out; o++) {
    const start = o * stride - p.before;
    valid += Math.min(start + kernel, inSize) - Math.max(start, 0);
  }
  return valid / (p.out * kernel);
}

/**
 * Quantized range in units of the estimated pre-activation RMS: ReLU outputs cover [0, RANGE r],
 * linear ones [-RANGE r, RANGE r] (wide enough for the spatial correlation the estimate ignores).
 */
const RANGE = 5;

function perTensor(scale: number, zeroPoint: number): Quantization {
  return { scale: [scale], zeroPoint: [zeroPoint], axis: 0 };
}

/** Builds one Graph; not exported from the module (builders are the public API). */
export class GraphBuilder {
  readonly #tensors: Tensor[] = [];
  readonly #nodes: Node[] = [];
  readonly #rng: Rng;
  readonly #trained: TrainedParameters | undefined;

  /** `trained` replaces the synthetic weights and the moment-based output quantization. */
  constructor(seed: number, trained?: TrainedParameters) {
    this.#rng = createRng(seed);
    this.#trained = trained;
  }

  #addTensor(t: Tensor): number {
    this.#tensors.push(t);
    return this.#tensors.length - 1;
  }

  /**
   * Adds an int8 activation tensor whose quantization fits pre-activation values with per-channel
   * mean `pre.mean` and variance `pre.variance`, and returns it with the moments after `activation`.
   */
  #activation(
    name: string,
    shape: readonly number[],
    pre: { readonly mean: Float64Array; readonly variance: Float64Array },
    activation: Activation,
  ): Act {
    const channels = pre.mean.length;
    let total = 0;
    for (let c = 0; c < channels; c++) total += pre.mean[c]! ** 2 + pre.variance[c]!;
    const r = Math.max(Math.sqrt(total / Math.max(channels, 1)), 1e-6);
    let scale: number;
    let zeroPoint: number;
    const relu = activation === "RELU6" || activation === "RELU";
    if (this.#trained) {
      const range = this.#trained.range(name);
      const clamped = activation === "RELU6"
        ? { min: Math.max(range.min, 0), max: Math.min(range.max, 6) }
        : relu
        ? { min: Math.max(range.min, 0), max: range.max }
        : range;
      ({ scale, zeroPoint } = int8RangeQuantization(clamped));
    } else if (relu) {
      scale = (activation === "RELU6" ? Math.min(RANGE * r, 6) : RANGE * r) / 255;
      zeroPoint = -128;
    } else if (activation === "RELU_N1_TO_1") {
      scale = 2 / 255;
      zeroPoint = 0;
    } else {
      scale = (2 * RANGE * r) / 255;
      zeroPoint = 0;
    }
    scale = Math.fround(scale);
    const index = this.#addTensor({
      name,
      shape: [...shape],
      dtype: "int8",
      quant: perTensor(scale, zeroPoint),
    });
    const mean = new Float64Array(channels);
    const sq = new Float64Array(channels);
    for (let c = 0; c < channels; c++) {
      if (relu) {
        const m = reluMoments(pre.mean[c]!, pre.variance[c]!);
        mean[c] = m.mean;
        sq[c] = m.sq;
      } else {
        mean[c] = pre.mean[c]!;
        sq[c] = pre.mean[c]! ** 2 + pre.variance[c]!;
      }
    }
    const moments = { mean, sq };
    return { index, shape: [...shape], scale, zeroPoint, rms: rmsOf(moments), moments };
  }

  /** Adds a graph input with values uniform in [-1, 1) (scale 1/128, zero point 0). */
  input(name: string, shape: readonly number[]): Act {
    const scale = 1 / 128;
    const index = this.#addTensor({
      name,
      shape: [...shape],
      dtype: "int8",
      quant: perTensor(scale, 0),
    });
    const moments = uniformMoments(shape[shape.length - 1] ?? 1, 0, 1 / 3);
    return { index, shape: [...shape], scale, zeroPoint: 0, rms: rmsOf(moments), moments };
  }

  /**
   * The constants of one conv / depthwise / fully connected layer: weights drawn uniformly, then
   * rescaled per output channel so that the channel's pre-activation RMS is 1 (what a folded batch
   * norm does), quantized per channel (symmetric int8, scale = max|w| / 127); a small random
   * int32 bias with scale in_scale * w_scale[c]. Returns the tensor indices and the moments of the
   * pre-activation values.
   */
  #layerConstants(x: Act, name: string, layer: {
    readonly channels: number;
    readonly perChannel: number;
    /** Input channel read by weight j of output channel o. */
    readonly inputChannel: (o: number, j: number) => number;
    /** Byte position of weight j of output channel o. */
    readonly layout: (o: number, j: number) => number;
    readonly shape: readonly number[];
    readonly axis: number;
    /** Average fraction of taps inside the input (zero padding). */
    readonly valid: number;
    /** One weight scale for the whole tensor (TFLite converter's FULLY_CONNECTED). */
    readonly perTensor?: boolean;
  }): { filter: number; bias: number; pre: { mean: Float64Array; variance: Float64Array } } {
    const { channels, perChannel } = layer;
    const trained = this.#trained
      ? GraphBuilder.#trainedLayer(this.#trained, name, layer)
      : undefined;
    const real = new Float64Array(channels * perChannel);
    if (trained) real.set(trained.weights);
    else for (let i = 0; i < real.length; i++) real[i] = this.#rng.next() * 2 - 1;
    // Per-channel normalization from the moments the drawn weights produce.
    const raw = GraphBuilder.#linearMoments(x.moments, real, layer, new Float64Array(channels));
    const q = new Int8Array(channels * perChannel);
    const wScales: number[] = [];
    const biasScales: number[] = [];
    const biasData = new Uint8Array(channels * 4);
    const biasView = new DataView(biasData.buffer);
    const biasReal = new Float64Array(channels);
    let tensorMax = 0;
    if (layer.perTensor) { for (const w of real) tensorMax = Math.max(tensorMax, Math.abs(w)); }
    for (let o = 0; o < channels; o++) {
      const r = Math.sqrt(raw.mean[o]! ** 2 + raw.variance[o]!);
      const alpha = trained ? 1 : 1 / Math.max(r, 1e-12);
      let max = 0;
      for (let j = 0; j < perChannel; j++) {
        const w = real[o * perChannel + j]! * alpha;
        real[o * perChannel + j] = w;
        max = Math.max(max, Math.abs(w));
      }
      if (layer.perTensor) max = tensorMax;
      const scale = Math.fround(max > 0 ? max / 127 : 1 / 127);
      wScales.push(scale);
      for (let j = 0; j < perChannel; j++) {
        const v = Math.round(real[o * perChannel + j]! / scale);
        q[layer.layout(o, j)] = Math.max(-127, Math.min(127, v));
      }
      const biasScale = Math.fround(x.scale * scale);
      biasScales.push(biasScale);
      const realBias = trained ? trained.bias[o]! : (this.#rng.next() * 2 - 1) * 0.2;
      const b = Math.max(-2147483647, Math.min(2147483647, Math.round(realBias / biasScale)));
      biasView.setInt32(o * 4, b, true);
      biasReal[o] = b * biasScale;
    }
    const one = layer.perTensor === true;
    const filter = this.#addTensor({
      name: `${name}/weights`,
      shape: [...layer.shape],
      dtype: "int8",
      quant: one ? perTensor(wScales[0]!, 0) : {
        scale: wScales,
        zeroPoint: wScales.map(() => 0),
        axis: layer.axis,
      },
      data: new Uint8Array(q.buffer),
    });
    const bias = this.#addTensor({
      name: `${name}/bias`,
      shape: [channels],
      dtype: "int32",
      quant: one
        ? perTensor(biasScales[0]!, 0)
        : { scale: biasScales, zeroPoint: biasScales.map(() => 0), axis: 0 },
      data: biasData,
    });
    return { filter, bias, pre: GraphBuilder.#linearMoments(x.moments, real, layer, biasReal) };
  }

  /** The trained weights of a layer in its layout order, checked against the layer's shape. */
  static #trainedLayer(
    trained: TrainedParameters,
    name: string,
    layer: {
      readonly channels: number;
      readonly perChannel: number;
      readonly layout: (o: number, j: number) => number;
    },
  ): { weights: Float64Array; bias: ArrayLike<number> } {
    const p = trained.layer(name);
    const { channels, perChannel } = layer;
    if (p.weights.length !== channels * perChannel || p.bias.length !== channels) {
      throw new RangeError(
        `Cannot use the trained parameters of layer '${name}': it needs ${
          channels * perChannel
        } weights and ${channels} biases, got ${p.weights.length} and ${p.bias.length}`,
      );
    }
    // Trained weights come in the tensor's layout; the builder walks them by (channel, tap).
    const weights = new Float64Array(channels * perChannel);
    for (let o = 0; o < channels; o++) {
      for (let j = 0; j < perChannel; j++) {
        weights[o * perChannel + j] = p.weights[layer.layout(o, j)]!;
      }
    }
    return { weights, bias: p.bias };
  }

  /**
   * Pre-activation moments of a layer computing, per output channel o, the sum over j of
   * `real[o * perChannel + j] * x[inputChannel(o, j)]` plus a bias, where a fraction `valid` of
   * the taps falls inside the input. Inputs are treated as independent across taps.
   */
  static #linearMoments(
    x: Moments,
    real: Float64Array,
    layer: {
      readonly channels: number;
      readonly perChannel: number;
      readonly inputChannel: (o: number, j: number) => number;
      readonly valid: number;
    },
    bias: Float64Array,
  ): { mean: Float64Array; variance: Float64Array } {
    const { channels, perChannel, valid } = layer;
    const mean = new Float64Array(channels);
    const variance = new Float64Array(channels);
    for (let o = 0; o < channels; o++) {
      let a = 0;
      let b = 0;
      for (let j = 0; j < perChannel; j++) {
        const w = real[o * perChannel + j]!;
        const c = layer.inputChannel(o, j);
        const m = x.mean[c]!;
        a += w * m;
        b += w * w * Math.max(x.sq[c]! - m * m, 0);
      }
      mean[o] = valid * a + bias[o]!;
      variance[o] = valid * b;
    }
    return { mean, variance };
  }

  /** Average fraction of a convolution's taps inside the input. */
  #validFraction(x: Act, spec: ConvSpec): number {
    const padding = spec.padding ?? "SAME";
    const fh = validTapFraction(x.shape[1]!, spec.kernel, spec.stride, padding);
    const fw = validTapFraction(x.shape[2]!, spec.kernel, spec.stride, padding);
    return fh * fw;
  }

  #spatial(x: Act, spec: ConvSpec): [number, number] {
    const padding = spec.padding ?? "SAME";
    return [
      convOutputSize(x.shape[1]!, spec.kernel, spec.stride, padding),
      convOutputSize(x.shape[2]!, spec.kernel, spec.stride, padding),
    ];
  }

  /** CONV_2D with an OHWI filter quantized per output channel and an int32 bias. */
  conv2d(x: Act, name: string, spec: ConvSpec & { readonly outChannels: number }): Act {
    const inC = x.shape[3]!;
    const k = spec.kernel;
    const fanIn = k * k * inC;
    const { filter, bias, pre } = this.#layerConstants(x, name, {
      channels: spec.outChannels,
      perChannel: fanIn,
      inputChannel: (_, j) => j % inC,
      layout: (o, j) => o * fanIn + j,
      shape: [spec.outChannels, k, k, inC],
      axis: 0,
      valid: this.#validFraction(x, spec),
    });
    const [h, wd] = this.#spatial(x, spec);
    const out = this.#activation(
      name,
      [x.shape[0]!, h, wd, spec.outChannels],
      pre,
      spec.activation,
    );
    this.#nodes.push({
      op: "CONV_2D",
      inputs: [x.index, filter, bias],
      outputs: [out.index],
      options: convOptions(windowOptions(spec)),
    });
    return out;
  }

  /** DEPTHWISE_CONV_2D (multiplier 1) with a 1HWC filter quantized per channel (axis 3). */
  depthwise(x: Act, name: string, spec: ConvSpec): Act {
    const c = x.shape[3]!;
    const k = spec.kernel;
    const { filter, bias, pre } = this.#layerConstants(x, name, {
      channels: c,
      perChannel: k * k,
      inputChannel: (o) => o,
      layout: (o, j) => j * c + o,
      shape: [1, k, k, c],
      axis: 3,
      valid: this.#validFraction(x, spec),
    });
    const [h, wd] = this.#spatial(x, spec);
    const out = this.#activation(name, [x.shape[0]!, h, wd, c], pre, spec.activation);
    this.#nodes.push({
      op: "DEPTHWISE_CONV_2D",
      inputs: [x.index, filter, bias],
      outputs: [out.index],
      options: depthwiseOptions(windowOptions(spec)),
    });
    return out;
  }

  /** FULLY_CONNECTED over the last dimension of a [N, C] input, per-channel weights. */
  fullyConnected(
    x: Act,
    name: string,
    spec: { readonly units: number; readonly activation: Activation },
  ): Act {
    const depth = x.shape[x.shape.length - 1]!;
    const { filter, bias, pre } = this.#layerConstants(x, name, {
      channels: spec.units,
      perChannel: depth,
      inputChannel: (_, j) => j,
      layout: (o, j) => o * depth + j,
      shape: [spec.units, depth],
      axis: 0,
      valid: 1,
      // Trained graphs follow the TFLite converter: one weight scale for FULLY_CONNECTED, which
      // every runtime accepts (Arm NN 20.08's TFLite parser refuses per-channel FC weights).
      perTensor: this.#trained !== undefined,
    });
    const rows = x.shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const out = this.#activation(name, [rows, spec.units], pre, spec.activation);
    this.#nodes.push({
      op: "FULLY_CONNECTED",
      inputs: [x.index, filter, bias],
      outputs: [out.index],
      options: { activation: spec.activation, keepNumDims: false },
    });
    return out;
  }

  /** Element-wise ADD of two same-shape activations (a residual connection). */
  add(a: Act, b: Act, name: string, activation: Activation): Act {
    const channels = a.moments.mean.length;
    const mean = new Float64Array(channels);
    const variance = new Float64Array(channels);
    for (let c = 0; c < channels; c++) {
      const ma = a.moments.mean[c]!;
      const mb = b.moments.mean[c] ?? 0;
      mean[c] = ma + mb;
      variance[c] = Math.max(a.moments.sq[c]! - ma * ma, 0) +
        Math.max((b.moments.sq[c] ?? 0) - mb * mb, 0);
    }
    const out = this.#activation(name, a.shape, { mean, variance }, activation);
    this.#nodes.push({
      op: "ADD",
      inputs: [a.index, b.index],
      outputs: [out.index],
      options: { activation },
    });
    return out;
  }

  /** AVERAGE_POOL_2D over the whole spatial extent (as TFLite exports global pooling). */
  globalAveragePool(x: Act, name: string): Act {
    const h = x.shape[1]!;
    const w = x.shape[2]!;
    const index = this.#addTensor({
      name,
      shape: [x.shape[0]!, 1, 1, x.shape[3]!],
      dtype: "int8",
      quant: perTensor(x.scale, x.zeroPoint),
    });
    this.#nodes.push({
      op: "AVERAGE_POOL_2D",
      inputs: [x.index],
      outputs: [index],
      options: {
        padding: "VALID",
        strideH: 1,
        strideW: 1,
        filterH: h,
        filterW: w,
        activation: "NONE",
      },
    });
    // Averaging keeps each channel's mean and shrinks its spread (neighbours are correlated, so
    // by less than the window size).
    const shrink = 1 / Math.sqrt(h * w);
    const mean = Float64Array.from(x.moments.mean);
    const sq = x.moments.sq.map((s, c) => {
      const m = mean[c]!;
      return m * m + Math.max(s - m * m, 0) * shrink;
    });
    const moments = { mean, sq };
    return {
      ...x,
      index,
      shape: [x.shape[0]!, 1, 1, x.shape[3]!],
      rms: rmsOf(moments),
      moments,
    };
  }

  /** RESHAPE keeping the input's quantization. */
  reshape(x: Act, name: string, shape: readonly number[]): Act {
    const index = this.#addTensor({
      name,
      shape: [...shape],
      dtype: "int8",
      quant: perTensor(x.scale, x.zeroPoint),
    });
    this.#nodes.push({
      op: "RESHAPE",
      inputs: [x.index],
      outputs: [index],
      options: { newShape: [...shape] },
    });
    const channels = shape[shape.length - 1] ?? 1;
    if (channels === x.moments.mean.length) return { ...x, index, shape: [...shape] };
    let mean = 0;
    for (const m of x.moments.mean) mean += m / x.moments.mean.length;
    const moments = uniformMoments(channels, mean, x.rms * x.rms);
    return { ...x, index, shape: [...shape], moments };
  }

  /** Global average pool, flatten to [N, C] and a linear classifier: the usual head. */
  classifierHead(x: Act, classes: number): Act {
    const pooled = this.globalAveragePool(x, "head/avgpool");
    const flat = this.reshape(pooled, "head/flatten", [x.shape[0]!, x.shape[3]!]);
    return this.fullyConnected(flat, "head/classifier", { units: classes, activation: "NONE" });
  }

  /** Finishes the graph. */
  build(name: string, inputs: readonly Act[], outputs: readonly Act[]): Graph {
    return {
      name,
      tensors: this.#tensors,
      nodes: this.#nodes,
      inputs: inputs.map((a) => a.index),
      outputs: outputs.map((a) => a.index),
    };
  }
}
