/**
 * A detection-style network with several outputs: an MBConv backbone on a non-square image and
 * one linear 1x1 head per feature stride (as YOLO-style MCU detectors export them: three output
 * tensors at strides 8, 16 and 32).
 *
 * @module
 */
import type { Graph } from "../ir/mod.ts";
import { GraphBuilder } from "./_graph_builder.ts";
import { type MbconvBlock, mbconvBlock, mbconvBlocks } from "./mbconv.ts";

/** A detection network: backbone blocks, and which block outputs feed a head. */
export interface DetectionArch {
  readonly height: number;
  readonly width: number;
  /** @default 3 */
  readonly inputChannels?: number;
  /** Output channels of the 3x3 stride-2 first convolution. */
  readonly firstChannels: number;
  readonly blocks: readonly MbconvBlock[];
  /** Indices of the blocks whose outputs feed a head, shallowest first. */
  readonly heads: readonly number[];
  /** Channels of every head's output (anchors x (5 + classes)). */
  readonly headChannels: number;
}

/**
 * The 128x160 three-output detector of the `real` bench suite: YOLO-style heads of 3 anchors x
 * (5 + 80 classes) = 255 channels at strides 8, 16 and 32 ([1,16,20,255], [1,8,10,255],
 * [1,4,5,255]). With float outputs the heads are 4x larger than their int8 results, which is
 * what made tinyengine's plan lose to tflm's on a real export.
 */
export const DETECTION_128X160: DetectionArch = {
  height: 128,
  width: 160,
  firstChannels: 16,
  blocks: mbconvBlocks("k3e1s1c8 k3e4s2c16 k3e4s1c16 k5e4s2c24 k3e4s1c24 k5e4s2c40 k3e4s2c64"),
  heads: [4, 5, 6],
  headChannels: 255,
};

/**
 * Build a detection network: int8 input, one output per head, in head order.
 *
 * @example
 * ```ts
 * import { buildDetection, DETECTION_128X160 } from "./detection.ts";
 * const g = buildDetection(DETECTION_128X160, { seed: 1 });
 * if (g.outputs.length !== 3) throw new Error("unexpected");
 * ```
 */
export function buildDetection(
  arch: DetectionArch,
  options: { readonly seed?: number; readonly name?: string } = {},
): Graph {
  const heads = new Set(arch.heads);
  if (heads.size === 0 || [...heads].some((h) => !(h >= 0 && h < arch.blocks.length))) {
    throw new RangeError(
      `Cannot build a detection network: heads ${arch.heads.join(",")} must name blocks 0..${
        arch.blocks.length - 1
      }`,
    );
  }
  const g = new GraphBuilder(options.seed ?? 0);
  const input = g.input("input", [1, arch.height, arch.width, arch.inputChannels ?? 3]);
  let x = g.conv2d(input, "first_conv", {
    outChannels: arch.firstChannels,
    kernel: 3,
    stride: 2,
    activation: "RELU6",
  });
  const outputs = [];
  for (let i = 0; i < arch.blocks.length; i++) {
    x = mbconvBlock(g, x, arch.blocks[i]!, `block${i}`);
    if (!heads.has(i)) continue;
    outputs.push(g.conv2d(x, `head${outputs.length}`, {
      outChannels: arch.headChannels,
      kernel: 1,
      stride: 1,
      activation: "NONE",
    }));
  }
  return g.build(options.name ?? "detection", [input], outputs);
}
