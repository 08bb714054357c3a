/**
 * MobileNetV1 (width multiplier, resolution, classes), as in the MLPerf Tiny VWW model.
 *
 * @module
 */
import type { Graph } from "../ir/mod.ts";
import { GraphBuilder } from "./_graph_builder.ts";
import type { BuildOptions } from "./mbconv.ts";

/** Parameters of MobileNetV1. */
export interface MobileNetV1Options {
  /** Width multiplier (alpha); channels are `floor(c * width)` as in Keras. @default 1 */
  readonly width?: number;
  /** Input resolution. @default 224 */
  readonly resolution?: number;
  /** @default 1000 */
  readonly classes?: number;
  /** Input channels. @default 3 */
  readonly inputChannels?: number;
}

/** Pointwise output channels and depthwise stride of MobileNetV1's 13 separable blocks. */
const BLOCKS: readonly (readonly [number, number])[] = [
  [64, 1],
  [128, 2],
  [128, 1],
  [256, 2],
  [256, 1],
  [512, 2],
  [512, 1],
  [512, 1],
  [512, 1],
  [512, 1],
  [512, 1],
  [1024, 2],
  [1024, 1],
];

/**
 * Builds a quantized MobileNetV1: 3x3 stride-2 conv, 13 depthwise-separable blocks (all ReLU6),
 * global average pool, reshape and a fully connected classifier. At width 0.25, resolution 96
 * and 2 classes it has the MLPerf Tiny VWW model's layer shapes (7,489,664 MACs).
 *
 * @example
 * ```ts
 * import { buildMobileNetV1 } from "./mobilenet_v1.ts";
 * const vww = buildMobileNetV1({ width: 0.25, resolution: 96, classes: 2 });
 * ```
 */
export function buildMobileNetV1(
  options: MobileNetV1Options = {},
  build: BuildOptions = {},
): Graph {
  const width = options.width ?? 1;
  const resolution = options.resolution ?? 224;
  if (!(width > 0)) {
    throw new RangeError(`Cannot build MobileNetV1: width must be positive: got ${width}`);
  }
  const channels = (c: number) => Math.max(1, Math.floor(c * width));
  const g = new GraphBuilder(build.seed ?? 0);
  const input = g.input("input", [1, resolution, resolution, options.inputChannels ?? 3]);
  let x = g.conv2d(input, "conv0", {
    outChannels: channels(32),
    kernel: 3,
    stride: 2,
    activation: "RELU6",
  });
  BLOCKS.forEach(([c, s], i) => {
    x = g.depthwise(x, `block${i}/depthwise`, { kernel: 3, stride: s, activation: "RELU6" });
    x = g.conv2d(x, `block${i}/pointwise`, {
      outChannels: channels(c),
      kernel: 1,
      stride: 1,
      activation: "RELU6",
    });
  });
  const logits = g.classifierHead(x, options.classes ?? 1000);
  return g.build(build.name ?? `mbv1-w${width}-r${resolution}`, [input], [logits]);
}
