/**
 * Private helper: appends quantized operators with deterministic synthetic weights to a graph.
 *
 * Weights are drawn uniformly with variance 1/fan_in, quantized per output channel
 * (symmetric, scale = max|w| / 127). Every activation carries an estimate of its real-valued
 * RMS, propagated layer by layer, from which the output quantization is chosen: linear outputs
 * cover +-4 sigma, ReLU/ReLU6 outputs cover [0, min(4 sigma, 6)], so requantized values spread over
 * the int8 range instead of saturating. Biases are int32 with scale in_scale * w_scale[c].
 *
 * @module
 */
import type { Activation, Graph, Node, Padding, Quantization, Tensor } from "../ir/graph.ts";
import { createRng, type Rng } from "../util/rng.ts";
import { convOutputSize, convPadding } from "../ops/shape.ts";

/** A handle to an activation tensor while building. */
export interface Act {
  readonly index: number;
  /** NHWC (or [N, C] after a reshape). */
  readonly shape: readonly number[];
  readonly scale: number;
  readonly zeroPoint: number;
  /** Estimated root-mean-square of the real values. */
  readonly rms: number;
}

/** Options of {@link GraphBuilder.conv2d} and {@link GraphBuilder.depthwise}. */
export interface ConvSpec {
  readonly kernel: number;
  readonly stride: number;
  readonly activation: Activation;
  readonly padding?: Padding;
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

function perTensor(scale: number, zeroPoint: number): Quantization {
  return { scale: [scale], zeroPoint: [zeroPoint], axis: 0 };
}

/** Builds one Graph; not exported from the module (builders are the public API). */
export class GraphBuilder {
  readonly #tensors: Tensor[] = [];
  readonly #nodes: Node[] = [];
  readonly #rng: Rng;

  constructor(seed: number) {
    this.#rng = createRng(seed);
  }

  #addTensor(t: Tensor): number {
    this.#tensors.push(t);
    return this.#tensors.length - 1;
  }

  #activation(name: string, shape: readonly number[], rms: number, activation: Activation): Act {
    const sigma = Math.max(rms, 1e-3);
    let scale: number;
    let zeroPoint: number;
    if (activation === "RELU6" || activation === "RELU") {
      const hi = activation === "RELU6" ? Math.min(4 * sigma, 6) : 4 * sigma;
      scale = hi / 255;
      zeroPoint = -128;
    } else if (activation === "RELU_N1_TO_1") {
      scale = 2 / 255;
      zeroPoint = 0;
    } else {
      scale = (8 * sigma) / 255;
      zeroPoint = 0;
    }
    scale = Math.fround(scale);
    const index = this.#addTensor({
      name,
      shape: [...shape],
      dtype: "int8",
      quant: perTensor(scale, zeroPoint),
    });
    const outRms = activation === "NONE" ? sigma : sigma / Math.SQRT2;
    return { index, shape: [...shape], scale, zeroPoint, rms: outRms };
  }

  /** Adds a graph input with values in [-1, 1) (scale 1/128, zero point 0). */
  input(name: string, shape: readonly number[]): Act {
    const scale = 1 / 128;
    const index = this.#addTensor({
      name,
      shape: [...shape],
      dtype: "int8",
      quant: perTensor(scale, 0),
    });
    return { index, shape: [...shape], scale, zeroPoint: 0, rms: 1 / Math.sqrt(3) };
  }

  /**
   * Draws `channels` groups of `perChannel` weights with variance 1/fanIn, quantizes them per
   * channel. `layout(c, j)` gives the byte position of weight j of channel c.
   */
  #weights(
    channels: number,
    perChannel: number,
    fanIn: number,
    layout: (c: number, j: number) => number,
  ): { data: Uint8Array; scales: number[] } {
    const bound = Math.sqrt(3 / fanIn);
    const real = new Float64Array(channels * perChannel);
    for (let i = 0; i < real.length; i++) real[i] = (this.#rng.next() * 2 - 1) * bound;
    const q = new Int8Array(channels * perChannel);
    const scales: number[] = [];
    for (let c = 0; c < channels; c++) {
      let max = 0;
      for (let j = 0; j < perChannel; j++) max = Math.max(max, Math.abs(real[c * perChannel + j]!));
      const scale = Math.fround(max > 0 ? max / 127 : bound / 127);
      scales.push(scale);
      for (let j = 0; j < perChannel; j++) {
        const v = Math.round(real[c * perChannel + j]! / scale);
        q[layout(c, j)] = Math.max(-127, Math.min(127, v));
      }
    }
    return { data: new Uint8Array(q.buffer), scales };
  }

  #bias(name: string, inScale: number, wScales: readonly number[], sigma: number): number {
    const data = new Uint8Array(wScales.length * 4);
    const view = new DataView(data.buffer);
    const scales = wScales.map((s) => Math.fround(inScale * s));
    scales.forEach((s, c) => {
      const real = (this.#rng.next() * 2 - 1) * 0.2 * sigma;
      view.setInt32(c * 4, Math.round(real / s), true);
    });
    return this.#addTensor({
      name,
      shape: [wScales.length],
      dtype: "int32",
      quant: { scale: scales, zeroPoint: scales.map(() => 0), axis: 0 },
      data,
    });
  }

  /** RMS of a convolution's pre-activation sums: input RMS, scaled down by zero padding. */
  #preActivationRms(x: Act, spec: ConvSpec): number {
    const padding = spec.padding ?? "SAME";
    const fh = validTapFraction(x.shape[1]!, spec.kernel, spec.stride, padding);
    const fw = validTapFraction(x.shape[2]!, spec.kernel, spec.stride, padding);
    return x.rms * Math.sqrt(fh * fw);
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
    const w = this.#weights(spec.outChannels, fanIn, fanIn, (c, j) => c * fanIn + j);
    const filter = this.#addTensor({
      name: `${name}/weights`,
      shape: [spec.outChannels, k, k, inC],
      dtype: "int8",
      quant: { scale: w.scales, zeroPoint: w.scales.map(() => 0), axis: 0 },
      data: w.data,
    });
    const bias = this.#bias(`${name}/bias`, x.scale, w.scales, x.rms);
    const [h, wd] = this.#spatial(x, spec);
    const out = this.#activation(
      name,
      [x.shape[0]!, h, wd, spec.outChannels],
      x.rms,
      spec.activation,
    );
    this.#nodes.push({
      op: "CONV_2D",
      inputs: [x.index, filter, bias],
      outputs: [out.index],
      options: {
        padding: spec.padding ?? "SAME",
        strideH: spec.stride,
        strideW: spec.stride,
        dilationH: 1,
        dilationW: 1,
        activation: spec.activation,
      },
    });
    return out;
  }

  /** DEPTHWISE_CONV_2D (multiplier 1) with a 1HWC filter quantized per channel (axis 3). */
  depthwise(x: Act, name: string, spec: ConvSpec): Act {
    const c = x.shape[3]!;
    const k = spec.kernel;
    const w = this.#weights(c, k * k, k * k, (ch, j) => j * c + ch);
    const filter = this.#addTensor({
      name: `${name}/weights`,
      shape: [1, k, k, c],
      dtype: "int8",
      quant: { scale: w.scales, zeroPoint: w.scales.map(() => 0), axis: 3 },
      data: w.data,
    });
    const bias = this.#bias(`${name}/bias`, x.scale, w.scales, x.rms);
    const [h, wd] = this.#spatial(x, spec);
    const out = this.#activation(
      name,
      [x.shape[0]!, h, wd, c],
      this.#preActivationRms(x, spec),
      spec.activation,
    );
    this.#nodes.push({
      op: "DEPTHWISE_CONV_2D",
      inputs: [x.index, filter, bias],
      outputs: [out.index],
      options: {
        padding: spec.padding ?? "SAME",
        strideH: spec.stride,
        strideW: spec.stride,
        dilationH: 1,
        dilationW: 1,
        activation: spec.activation,
        depthMultiplier: 1,
      },
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
    const w = this.#weights(spec.units, depth, depth, (c, j) => c * depth + j);
    const weights = this.#addTensor({
      name: `${name}/weights`,
      shape: [spec.units, depth],
      dtype: "int8",
      quant: { scale: w.scales, zeroPoint: w.scales.map(() => 0), axis: 0 },
      data: w.data,
    });
    const bias = this.#bias(`${name}/bias`, x.scale, w.scales, x.rms);
    const rows = x.shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const out = this.#activation(name, [rows, spec.units], x.rms, spec.activation);
    this.#nodes.push({
      op: "FULLY_CONNECTED",
      inputs: [x.index, weights, bias],
      outputs: [out.index],
      options: { activation: spec.activation, keepNumDims: false },
    });
    return out;
  }

  /** Element-wise ADD of two same-shape activations (a residual connection). */
  add(a: Act, b: Act, name: string, activation: Activation): Act {
    const rms = Math.sqrt(a.rms * a.rms + b.rms * b.rms);
    const out = this.#activation(name, a.shape, rms, activation);
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
    return { ...x, index, shape: [x.shape[0]!, 1, 1, x.shape[3]!], rms: x.rms * 0.8 };
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
    return { ...x, index, shape: [...shape] };
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
