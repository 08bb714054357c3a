/**
 * A small CIFAR-style ResNet (the MLPerf Tiny image-classification ResNet-8).
 *
 * @module
 */
import type { Graph } from "../ir/mod.ts";
import { GraphBuilder } from "./_graph_builder.ts";
import type { BuildOptions } from "./mbconv.ts";

/** Parameters of {@link buildResNet}. */
export interface ResNetOptions {
  /** Input resolution. @default 32 */
  readonly resolution?: number;
  /** @default 10 */
  readonly classes?: number;
  /** Channels of each stack; every stack after the first halves the resolution. @default [16, 32, 64] */
  readonly stacks?: readonly number[];
}

/**
 * Builds a quantized ResNet-8 like MLPerf Tiny's: 3x3 conv (16, ReLU); per stack a residual block
 * of two 3x3 convs (the first strided in later stacks) plus, when the shape changes, a 1x1
 * stride-2 shortcut conv; ADD with fused ReLU; global average pool, reshape, fully connected.
 * At 32x32x3 and 10 classes: 12,501,632 MACs.
 *
 * @example
 * ```ts
 * import { buildResNet } from "./resnet.ts";
 * const graph = buildResNet();
 * ```
 */
export function buildResNet(options: ResNetOptions = {}, build: BuildOptions = {}): Graph {
  const resolution = options.resolution ?? 32;
  const stacks = options.stacks ?? [16, 32, 64];
  const first = stacks[0];
  if (first === undefined) throw new RangeError("Cannot build a ResNet: stacks must not be empty");
  const g = new GraphBuilder(build.seed ?? 0);
  const input = g.input("input", [1, resolution, resolution, 3]);
  let x = g.conv2d(input, "conv0", {
    outChannels: first,
    kernel: 3,
    stride: 1,
    activation: "RELU",
  });
  stacks.forEach((c, i) => {
    const stride = i === 0 ? 1 : 2;
    const name = `stack${i}`;
    let y = g.conv2d(x, `${name}/conv1`, { outChannels: c, kernel: 3, stride, activation: "RELU" });
    y = g.conv2d(y, `${name}/conv2`, { outChannels: c, kernel: 3, stride: 1, activation: "NONE" });
    const shortcut = stride === 1 && x.shape[3] === c
      ? x
      : g.conv2d(x, `${name}/shortcut`, { outChannels: c, kernel: 1, stride, activation: "NONE" });
    x = g.add(shortcut, y, `${name}/add`, "RELU");
  });
  const logits = g.classifierHead(x, options.classes ?? 10);
  return g.build(build.name ?? "resnet8", [input], [logits]);
}
