/**
 * ProxylessNAS-Mobile (Cai, Zhu and Han, ICLR 2019: the architecture the search found for the
 * Pixel 1 latency target) as an MBConv architecture, from its published block list, scaled by
 * width, depth and resolution the way MCUNet scales its ProxylessNAS baselines.
 *
 * @module
 */
import type { MbconvArch, MbconvBlock } from "./mbconv.ts";
import { makeDivisible } from "./make_divisible.ts";

/** One block of the published list: depthwise kernel, expand ratio, output channels, stride. */
interface PublishedBlock {
  readonly kernel: number;
  readonly expand: number;
  readonly outChannels: number;
  readonly stride: number;
}

/**
 * ProxylessNAS-Mobile's blocks, stage by stage (first conv 32 channels, feature mix 1280). The
 * searched "zero" (skip) choices are left out: the 32-channel stage keeps 2 of its 4 slots.
 */
const STAGES: readonly (readonly PublishedBlock[])[] = [
  [{ kernel: 3, expand: 1, outChannels: 16, stride: 1 }],
  [
    { kernel: 5, expand: 3, outChannels: 32, stride: 2 },
    { kernel: 3, expand: 3, outChannels: 32, stride: 1 },
  ],
  [
    { kernel: 7, expand: 3, outChannels: 40, stride: 2 },
    { kernel: 3, expand: 3, outChannels: 40, stride: 1 },
    { kernel: 5, expand: 3, outChannels: 40, stride: 1 },
    { kernel: 5, expand: 3, outChannels: 40, stride: 1 },
  ],
  [
    { kernel: 7, expand: 6, outChannels: 80, stride: 2 },
    { kernel: 5, expand: 3, outChannels: 80, stride: 1 },
    { kernel: 5, expand: 3, outChannels: 80, stride: 1 },
    { kernel: 5, expand: 3, outChannels: 80, stride: 1 },
  ],
  [
    { kernel: 5, expand: 6, outChannels: 96, stride: 1 },
    { kernel: 5, expand: 3, outChannels: 96, stride: 1 },
    { kernel: 5, expand: 3, outChannels: 96, stride: 1 },
    { kernel: 5, expand: 3, outChannels: 96, stride: 1 },
  ],
  [
    { kernel: 7, expand: 6, outChannels: 192, stride: 2 },
    { kernel: 7, expand: 6, outChannels: 192, stride: 1 },
    { kernel: 7, expand: 3, outChannels: 192, stride: 1 },
    { kernel: 7, expand: 3, outChannels: 192, stride: 1 },
  ],
  [{ kernel: 7, expand: 6, outChannels: 320, stride: 1 }],
];

/** Parameters of {@link proxylessMobileArch}. */
export interface ProxylessOptions {
  /** Width multiplier of every layer (first conv, blocks, feature mix). @default 1 */
  readonly width?: number;
  /**
   * Depth multiplier: each stage keeps its first `ceil(blocks * depth)` blocks (at least one).
   * @default 1
   */
  readonly depth?: number;
  /** @default 224 */
  readonly resolution?: number;
  /** @default 1000 */
  readonly classes?: number;
}

/** Blocks kept of a stage of `n` blocks under a depth multiplier (at least one). */
export function stageDepth(n: number, depth: number): number {
  if (!(depth > 0 && depth <= 1)) {
    throw new RangeError(`Cannot scale the depth: the multiplier must be in (0, 1]: got ${depth}`);
  }
  return Math.max(1, Math.min(n, Math.ceil(n * depth - 1e-9)));
}

/**
 * The architecture of an ImageNet family scaled as MCUNet scales its baselines (MobileNetV2,
 * ProxylessNAS): a 32-channel stem and a 1280-channel feature mix, both `makeDivisible(c * width)`,
 * around the `blocks` the family lays out at that width and depth. A width that is not positive
 * is a RangeError naming the family.
 */
export function scaledFamilyArch(
  family: string,
  options: ProxylessOptions,
  blocks: (width: number, depth: number) => MbconvBlock[],
): MbconvArch {
  const width = options.width ?? 1;
  if (!(width > 0)) {
    throw new RangeError(`Cannot build ${family}: width must be positive: got ${width}`);
  }
  return {
    resolution: options.resolution ?? 224,
    inputChannels: 3,
    classes: options.classes ?? 1000,
    firstConv: { outChannels: makeDivisible(32 * width) },
    blocks: blocks(width, options.depth ?? 1),
    featureMix: { outChannels: makeDivisible(1280 * width) },
  };
}

/**
 * ProxylessNAS-Mobile scaled as MCUNet scales its baselines: every width (first conv, block
 * outputs, the 1280-channel feature mix) is `makeDivisible(c * width)`, expanded widths are
 * `in * expand`; a block keeps the shortcut it has in the full-width network, so a stage's first
 * block stays plain even where scaling makes its shape preserving. This reproduces MCUNet's
 * published proxyless-w0.25-r112 and proxyless-w0.3-r176 configs.
 *
 * @example
 * ```ts
 * import { proxylessMobileArch } from "./proxyless.ts";
 * const arch = proxylessMobileArch({ width: 0.3, resolution: 176 });
 * if (arch.featureMix?.outChannels !== 384) throw new Error("unexpected");
 * ```
 */
export function proxylessMobileArch(options: ProxylessOptions = {}): MbconvArch {
  return scaledFamilyArch("ProxylessNAS", options, (width, depth) => {
    const blocks: MbconvBlock[] = [];
    let fullIn = 32;
    let scaledIn = makeDivisible(32 * width);
    for (const stage of STAGES) {
      for (const b of stage.slice(0, stageDepth(stage.length, depth))) {
        const outChannels = makeDivisible(b.outChannels * width);
        const residual = b.stride === 1 && fullIn === b.outChannels;
        const scaledDefault = b.stride === 1 && scaledIn === outChannels;
        blocks.push({
          kernel: b.kernel,
          expand: b.expand,
          stride: b.stride,
          outChannels,
          ...(residual !== scaledDefault ? { residual } : {}),
        });
        fullIn = b.outChannels;
        scaledIn = outChannels;
      }
    }
    return blocks;
  });
}
