/**
 * MobileNetV2 as an MBConv architecture (width multiplier, resolution, classes).
 *
 * @module
 */
import type { Graph } from "../ir/mod.ts";
import { buildMbconv, type BuildOptions, type MbconvArch, type MbconvBlock } from "./mbconv.ts";
import { makeDivisible } from "./make_divisible.ts";
import { scaledFamilyArch, stageDepth } from "./proxyless.ts";

/** Parameters of MobileNetV2. */
export interface MobileNetV2Options {
  /** Width multiplier. @default 1 */
  readonly width?: number;
  /**
   * Depth multiplier: each stage keeps `ceil(n * depth)` of its n blocks (at least one); below 1
   * it is this project's named variant (`mbv2-w<W>-d<D>-r<R>`) for budgets the full depth
   * cannot fit. @default 1
   */
  readonly depth?: number;
  /** Input resolution. @default 224 */
  readonly resolution?: number;
  /** @default 1000 */
  readonly classes?: number;
}

/** MobileNetV2's inverted-residual settings: expand t, channels c, repeats n, first stride s. */
const SETTINGS: readonly (readonly [number, number, number, number])[] = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

/**
 * The MobileNetV2 architecture as MCUNet scales it: every width (first conv 32, the block
 * channels and the 1280-channel feature mix) is `makeDivisible(c * width, 8)`; expanded widths are
 * `in * 6` exactly. This reproduces the published mbv2-w0.35-r144 and mbv2-w0.3-r80 configs.
 *
 * @example
 * ```ts
 * import { mobileNetV2Arch } from "./mobilenet_v2.ts";
 * mobileNetV2Arch({ width: 0.35, resolution: 144 }).firstConv.outChannels; // 16
 * ```
 */
export function mobileNetV2Arch(options: MobileNetV2Options = {}): MbconvArch {
  return scaledFamilyArch("MobileNetV2", options, (width, depth) => {
    const blocks: MbconvBlock[] = [];
    for (const [t, c, n, s] of SETTINGS) {
      const out = makeDivisible(c * width);
      for (let i = 0; i < stageDepth(n, depth); i++) {
        blocks.push({ kernel: 3, expand: t, stride: i === 0 ? s : 1, outChannels: out });
      }
    }
    return blocks;
  });
}

/**
 * Builds a quantized MobileNetV2 graph with synthetic weights.
 *
 * @example
 * ```ts
 * import { buildMobileNetV2 } from "./mobilenet_v2.ts";
 * const graph = buildMobileNetV2({ width: 0.35, resolution: 144 });
 * ```
 */
export function buildMobileNetV2(
  options: MobileNetV2Options = {},
  build: BuildOptions = {},
): Graph {
  const arch = mobileNetV2Arch(options);
  return buildMbconv(arch, {
    name: build.name ?? `mbv2-w${options.width ?? 1}-r${arch.resolution}`,
    seed: build.seed ?? 0,
  });
}
