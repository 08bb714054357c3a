/**
 * MBConv (inverted-residual) networks from an architecture record: MobileNetV2, ProxylessNAS,
 * MCUNet and the TinyNAS search space all share this shape.
 *
 * @module
 */
import type { Graph } from "../ir/mod.ts";
import { type Act, GraphBuilder } from "./_graph_builder.ts";
import type { TrainedParameters } from "./trained_parameters.ts";

/** One MBConv block: [expand 1x1 + ReLU6] -> depthwise k x k + ReLU6 -> project 1x1 (linear). */
export interface MbconvBlock {
  /** Depthwise kernel size (3, 5 or 7 in the TinyNAS space). */
  readonly kernel: number;
  /** Expand ratio; 1 means no expansion conv (the depthwise runs on the block input). */
  readonly expand: number;
  /** Depthwise stride (1 or 2). */
  readonly stride: number;
  readonly outChannels: number;
  /**
   * Width of the expanded (middle) tensor.
   * @default Math.round(inChannels * expand)
   */
  readonly midChannels?: number;
  /**
   * Whether the block adds its input to its output (an ADD operator).
   * @default stride === 1 && inChannels === outChannels
   */
  readonly residual?: boolean;
}

/**
 * MBConv blocks from a compact spec, one `k<kernel>e<expand>s<stride>c<outChannels>` word per
 * block (a trailing `r` forces the residual ADD), separated by spaces: the short form of a block
 * list in tests, benches and scripts.
 *
 * @example
 * ```ts
 * import { mbconvBlocks } from "./mbconv.ts";
 * mbconvBlocks("k3e1s1c8 k5e4s1c16r");
 * // [{ kernel: 3, expand: 1, stride: 1, outChannels: 8 },
 * //  { kernel: 5, expand: 4, stride: 1, outChannels: 16, residual: true }]
 * ```
 */
export function mbconvBlocks(spec: string): MbconvBlock[] {
  return spec.trim().split(/\s+/).map((word) => {
    const m = /^k(\d+)e(\d+(?:\.\d+)?)s(\d+)c(\d+)(r?)$/.exec(word);
    if (!m) {
      throw new RangeError(`MBConv block "${word}" is not k<kernel>e<expand>s<stride>c<out>[r]`);
    }
    const block = { kernel: +m[1]!, expand: +m[2]!, stride: +m[3]!, outChannels: +m[4]! };
    return m[5] ? { ...block, residual: true } : block;
  });
}

/**
 * A JSON-serializable MBConv network description: a 3x3 stride-2 first conv (+ ReLU6), a list of
 * MBConv blocks, an optional 1x1 feature-mix conv (+ ReLU6), global average pooling and a
 * fully connected classifier. Input channels of each block follow from the previous layer.
 *
 * The TinyNAS space (issue #7) maps onto it directly: first conv, a fixed k3 e1 first block,
 * five searchable stages of blocks (kernel {3,5,7}, expand {3,4,5,6}, depth {2,3,4}; the first
 * block of a stage carries the stage stride), a final single-block stage; width multiplier and
 * resolution scale `outChannels` and `resolution`.
 */
export interface MbconvArch {
  /** Input height and width (square images). */
  readonly resolution: number;
  /** @default 3 */
  readonly inputChannels: number;
  readonly classes: number;
  readonly firstConv: { readonly outChannels: number };
  readonly blocks: readonly MbconvBlock[];
  /** The 1x1 conv before pooling (MobileNetV2's 1280-channel layer); absent in MCUNet models. */
  readonly featureMix?: { readonly outChannels: number };
}

/** Options of {@link buildMbconv}. */
export interface BuildOptions {
  /** The graph's name. @default "mbconv" */
  readonly name?: string;
  /** Seed of the synthetic weights. @default 0 */
  readonly seed?: number;
  /**
   * Trained weights and calibrated activation ranges to use instead of synthetic weights
   * (layer names as this builder gives them). @default synthetic weights
   */
  readonly trained?: TrainedParameters;
}

function positiveInt(value: unknown, what: string): void {
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) {
    throw new RangeError(
      `Cannot build the network: ${what} must be a positive integer: got ${value}`,
    );
  }
}

/**
 * Checks an {@link MbconvArch} and throws a RangeError naming the first bad field.
 *
 * @example
 * ```ts
 * import { validateMbconvArch } from "./mbconv.ts";
 * validateMbconvArch({
 *   resolution: 32, inputChannels: 3, classes: 10, firstConv: { outChannels: 8 },
 *   blocks: [{ kernel: 3, expand: 1, stride: 1, outChannels: 8 }],
 * });
 * ```
 */
export function validateMbconvArch(arch: MbconvArch): void {
  positiveInt(arch.resolution, "resolution");
  positiveInt(arch.inputChannels, "inputChannels");
  positiveInt(arch.classes, "classes");
  positiveInt(arch.firstConv?.outChannels, "firstConv.outChannels");
  if (!Array.isArray(arch.blocks)) {
    throw new RangeError("Cannot build the network: blocks must be an array");
  }
  let channels = arch.firstConv.outChannels;
  arch.blocks.forEach((b, i) => {
    positiveInt(b.kernel, `blocks[${i}].kernel`);
    positiveInt(b.stride, `blocks[${i}].stride`);
    positiveInt(b.outChannels, `blocks[${i}].outChannels`);
    if (typeof b.expand !== "number" || !(b.expand >= 1)) {
      throw new RangeError(
        `Cannot build the network: blocks[${i}].expand must be a number >= 1: got ${b.expand}`,
      );
    }
    if (b.midChannels !== undefined) positiveInt(b.midChannels, `blocks[${i}].midChannels`);
    if (b.residual && (b.stride !== 1 || channels !== b.outChannels)) {
      throw new RangeError(
        `Cannot build the network: blocks[${i}] is residual but changes the shape (stride ${b.stride}, ${channels} -> ${b.outChannels} channels)`,
      );
    }
    channels = b.outChannels;
  });
  if (arch.featureMix) positiveInt(arch.featureMix.outChannels, "featureMix.outChannels");
}

/**
 * Builds a quantized int8 Graph (deterministic synthetic weights) from an {@link MbconvArch}.
 * All convolutions use SAME padding (TFLite pads the odd row of stride-2 layers at the bottom
 * and right); the head is AVERAGE_POOL_2D over the full extent, RESHAPE to [1, C] and
 * FULLY_CONNECTED.
 *
 * @example
 * ```ts
 * import { buildMbconv } from "./mbconv.ts";
 * const graph = buildMbconv({
 *   resolution: 32, inputChannels: 3, classes: 10, firstConv: { outChannels: 8 },
 *   blocks: [
 *     { kernel: 3, expand: 1, stride: 1, outChannels: 8 },
 *     { kernel: 5, expand: 4, stride: 2, outChannels: 16 },
 *   ],
 * }, { name: "tiny", seed: 1 });
 * ```
 */
export function buildMbconv(arch: MbconvArch, options: BuildOptions = {}): Graph {
  validateMbconvArch(arch);
  const g = new GraphBuilder(options.seed ?? 0, options.trained);
  const input = g.input("input", [1, arch.resolution, arch.resolution, arch.inputChannels]);
  let x = g.conv2d(input, "first_conv", {
    outChannels: arch.firstConv.outChannels,
    kernel: 3,
    stride: 2,
    activation: "RELU6",
  });
  arch.blocks.forEach((b, i) => {
    x = mbconvBlock(g, x, b, `block${i}`);
  });
  if (arch.featureMix) {
    x = g.conv2d(x, "feature_mix", {
      outChannels: arch.featureMix.outChannels,
      kernel: 1,
      stride: 1,
      activation: "RELU6",
    });
  }
  const logits = g.classifierHead(x, arch.classes);
  return g.build(options.name ?? "mbconv", [input], [logits]);
}

/**
 * Append one MBConv block to a graph being built: [1x1 expansion + ReLU6] -> depthwise + ReLU6 ->
 * linear 1x1 projection [+ residual ADD]. Shared by every builder of MBConv-shaped networks.
 */
export function mbconvBlock(g: GraphBuilder, x: Act, b: MbconvBlock, name: string): Act {
  const inC = x.shape[3]!;
  const residual = b.residual ?? (b.stride === 1 && inC === b.outChannels);
  let y = x;
  if (b.expand !== 1) {
    y = g.conv2d(y, `${name}/expand`, {
      outChannels: b.midChannels ?? Math.round(inC * b.expand),
      kernel: 1,
      stride: 1,
      activation: "RELU6",
    });
  }
  y = g.depthwise(y, `${name}/depthwise`, {
    kernel: b.kernel,
    stride: b.stride,
    activation: "RELU6",
  });
  y = g.conv2d(y, `${name}/project`, {
    outChannels: b.outChannels,
    kernel: 1,
    stride: 1,
    activation: "NONE",
  });
  return residual ? g.add(x, y, `${name}/add`, "NONE") : y;
}
