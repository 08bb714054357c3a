/**
 * The TinyNAS search space as data (MCUNet / OFA MobileNetV2-style), its points (`Arch`), seeded
 * sampling, mutation and crossover, and the lowering of a point to the builders' `MbconvArch`.
 *
 * A point is a fixed-length genome: width multiplier, input resolution and, per stage, a depth
 * plus one kernel and one expand ratio per block slot (slots beyond the depth are carried but
 * inactive, as in Once-for-All). The published MCUNet networks are points of this space.
 *
 * @module
 */
import type { MbconvArch, MbconvBlock } from "../engine/builders/mod.ts";
import type { Rng } from "../engine/util/mod.ts";
import { makeDivisible } from "../engine/builders/mod.ts";

export type { MbconvArch, MbconvBlock };

/** One searchable stage of the space. */
export interface StageSpec {
  /** Output channels at width multiplier 1.0 (before make-divisible). */
  readonly baseWidth: number;
  /** Stride of the stage's first block. */
  readonly stride: number;
  /** Allowed depths (number of blocks). */
  readonly depths: readonly number[];
}

/** The search space: everything a point's genes may take. */
export interface SearchSpace {
  readonly name: string;
  /** Width multipliers of the stage-1 grid. */
  readonly widths: readonly number[];
  /** Input resolutions of the stage-1 grid. */
  readonly resolutions: readonly number[];
  readonly kernels: readonly number[];
  readonly expands: readonly number[];
  /** Channel rounding divisor (make-divisible). */
  readonly divisor: number;
  /** The 3x3 stride-2 first convolution. */
  readonly firstConv: {
    readonly baseWidth: number;
    readonly kernel: number;
    readonly stride: number;
  };
  /** The fixed kernel-3, expand-1, stride-1 first block. */
  readonly firstBlock: {
    readonly baseWidth: number;
    readonly kernel: number;
    readonly expand: number;
    readonly stride: number;
  };
  /** Searchable stages, the last being the single-block final stage. */
  readonly stages: readonly StageSpec[];
  /**
   * Stage 1 chooses among (width, resolution) pairs where at least this fraction of random
   * networks fits (`rankPairs`' `minFraction`). @default 0.1
   */
  readonly stage1MinFraction?: number;
}

/** Genes of one stage. `kernels` and `expands` have one entry per slot (the largest depth). */
export interface StageGene {
  readonly depth: number;
  readonly kernels: readonly number[];
  readonly expands: readonly number[];
}

/** A point of the search space. */
export interface Arch {
  readonly width: number;
  readonly resolution: number;
  readonly stages: readonly StageGene[];
}

/** The task head an architecture is built for. */
export interface TaskHead {
  readonly classes: number;
  readonly inputChannels: number;
}

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to + 1e-9; v += step) out.push(Math.round(v * 100) / 100);
  return out;
}

/**
 * The MCUNet space: ProxylessNAS base widths [32,16,24,40,80,96,192,320], stage strides
 * [2,2,2,1,2,1] after a stride-2 first conv, kernels {3,5,7}, expands {3,4,5,6}, depths {2,3,4}
 * for five stages and a final single-block stage; widths 0.2-1.0, resolutions 48-224 step 16.
 */
export const MCUNET_SPACE: SearchSpace = {
  name: "mcunet",
  widths: range(0.2, 1.0, 0.1),
  resolutions: range(48, 224, 16),
  kernels: [3, 5, 7],
  expands: [3, 4, 5, 6],
  divisor: 8,
  firstConv: { baseWidth: 32, kernel: 3, stride: 2 },
  firstBlock: { baseWidth: 16, kernel: 3, expand: 1, stride: 1 },
  stages: [
    { baseWidth: 24, stride: 2, depths: [2, 3, 4] },
    { baseWidth: 40, stride: 2, depths: [2, 3, 4] },
    { baseWidth: 80, stride: 2, depths: [2, 3, 4] },
    { baseWidth: 96, stride: 1, depths: [2, 3, 4] },
    { baseWidth: 192, stride: 2, depths: [2, 3, 4] },
    { baseWidth: 320, stride: 1, depths: [1] },
  ],
};

/**
 * The MCUNet space for tiny grayscale targets (Fashion-MNIST-like, 28x28 inputs, budgets of tens of
 * KiB): the same first conv, first block and choices (kernel {3,5,7}, expand {3,4,5,6}), depth
 * {1,2,3,4}, widths 0.05-0.5, resolutions 28-48 step 4, and four searchable stages (strides
 * 2,2,2,1) before a single-block 192-wide stage instead of five: a 28x28 input is at 2x2 after
 * four halvings, and with the MCUNet layout's 17+ blocks not one of 1,000 random networks at any
 * width fitted 64 KiB of Flash (each block costs ~2-4 KB of constants at the 8-channel floor).
 * Depths are {1, 2, 3, 4}: each tinyengine block also costs ~2-3 KB of generated code, so with
 * MCUNet's depth floor of 2 (at least 10 blocks) only width 0.05 fitted 64 KiB; with depth 1
 * allowed the search can trade depth for width (w0.2-r48 with one block per stage: 14,772 B SRAM,
 * 53,896 B Flash).
 */
export const TINY_SPACE: SearchSpace = {
  ...MCUNET_SPACE,
  name: "tiny",
  widths: range(0.05, 0.5, 0.05),
  resolutions: range(28, 48, 4),
  // With depth 1 allowed, 13-25% of random width-0.05 networks fit 16 KiB / 64 KiB but only 2-6%
  // at widths 0.1-0.15 (their Flash): a 10% floor would rule out every width but the 8-channel
  // floor. 2% of the 1,000 samples is 20 fitting networks, enough for the MACs statistics.
  stage1MinFraction: 0.02,
  stages: [
    { baseWidth: 24, stride: 2, depths: [1, 2, 3, 4] },
    { baseWidth: 40, stride: 2, depths: [1, 2, 3, 4] },
    { baseWidth: 80, stride: 2, depths: [1, 2, 3, 4] },
    { baseWidth: 96, stride: 1, depths: [1, 2, 3, 4] },
    { baseWidth: 192, stride: 1, depths: [1] },
  ],
};

/** Spaces by name (`--space`). */
export const SPACES: Readonly<Record<string, SearchSpace>> = {
  mcunet: MCUNET_SPACE,
  tiny: TINY_SPACE,
};

/** Slots per stage: the largest allowed depth. */
export function slotCount(stage: StageSpec): number {
  return Math.max(...stage.depths);
}

/**
 * Channel widths of a width multiplier: `[firstConv, firstBlock, ...stages]`.
 *
 * @example
 * ```ts
 * import { MCUNET_SPACE, stageWidths } from "./space.ts";
 * stageWidths(MCUNET_SPACE, 0.5); // [16, 8, 16, 24, 40, 48, 96, 160]
 * ```
 */
export function stageWidths(space: SearchSpace, width: number): number[] {
  const scale = (c: number) => makeDivisible(c * width, space.divisor);
  return [
    scale(space.firstConv.baseWidth),
    scale(space.firstBlock.baseWidth),
    ...space.stages.map((s) => scale(s.baseWidth)),
  ];
}

function pick<T>(rng: Rng, values: readonly T[]): T {
  const v = values[rng.int(values.length)];
  if (v === undefined) throw new RangeError("Cannot pick from an empty choice list");
  return v;
}

/**
 * Draw a uniformly random point with the given width and resolution (every gene independent).
 *
 * @example
 * ```ts
 * import { createRng } from "../engine/util/mod.ts";
 * import { MCUNET_SPACE, sampleArch } from "./space.ts";
 * const arch = sampleArch(MCUNET_SPACE, createRng(1), { width: 0.5, resolution: 160 });
 * ```
 */
export function sampleArch(
  space: SearchSpace,
  rng: Rng,
  options: { readonly width: number; readonly resolution: number },
): Arch {
  const stages = space.stages.map((s): StageGene => {
    const n = slotCount(s);
    const depth = pick(rng, s.depths);
    const kernels: number[] = [];
    const expands: number[] = [];
    for (let i = 0; i < n; i++) {
      kernels.push(pick(rng, space.kernels));
      expands.push(pick(rng, space.expands));
    }
    return { depth, kernels, expands };
  });
  return { width: options.width, resolution: options.resolution, stages };
}

/**
 * Mutate each gene independently with probability `prob` (resampling it uniformly). Width and
 * resolution stay fixed: stage 2 searches inside the space stage 1 chose.
 *
 * @example
 * ```ts
 * import { createRng } from "../engine/util/mod.ts";
 * import { MCUNET_SPACE, mutateArch, sampleArch } from "./space.ts";
 * const rng = createRng(3);
 * const child = mutateArch(MCUNET_SPACE, sampleArch(MCUNET_SPACE, rng, { width: 0.5, resolution: 96 }), rng, { prob: 0.1 });
 * ```
 */
export function mutateArch(
  space: SearchSpace,
  arch: Arch,
  rng: Rng,
  options: { readonly prob: number },
): Arch {
  const p = options.prob;
  const stages = arch.stages.map((g, si): StageGene => {
    const spec = space.stages[si];
    if (!spec) throw new RangeError(`Cannot mutate stage ${si}: the space has no such stage`);
    const depth = rng.next() < p ? pick(rng, spec.depths) : g.depth;
    const kernels = g.kernels.map((k) => rng.next() < p ? pick(rng, space.kernels) : k);
    const expands = g.expands.map((e) => rng.next() < p ? pick(rng, space.expands) : e);
    return { depth, kernels, expands };
  });
  return { width: arch.width, resolution: arch.resolution, stages };
}

/**
 * Uniform crossover: every gene comes from either parent with probability 1/2.
 *
 * @example
 * ```ts
 * import { createRng } from "../engine/util/mod.ts";
 * import { crossoverArch, MCUNET_SPACE, sampleArch } from "./space.ts";
 * const rng = createRng(5);
 * const pair = { width: 0.5, resolution: 96 };
 * const child = crossoverArch(sampleArch(MCUNET_SPACE, rng, pair), sampleArch(MCUNET_SPACE, rng, pair), rng);
 * ```
 */
export function crossoverArch(a: Arch, b: Arch, rng: Rng): Arch {
  if (a.width !== b.width || a.resolution !== b.resolution || a.stages.length !== b.stages.length) {
    throw new RangeError(
      "Cannot cross over architectures from different (width, resolution) spaces",
    );
  }
  const stages = a.stages.map((ga, si): StageGene => {
    const gb = b.stages[si] as StageGene;
    const from = <T>(x: T, y: T): T => rng.next() < 0.5 ? x : y;
    return {
      depth: from(ga.depth, gb.depth),
      kernels: ga.kernels.map((k, i) => from(k, gb.kernels[i] ?? k)),
      expands: ga.expands.map((e, i) => from(e, gb.expands[i] ?? e)),
    };
  });
  return { width: a.width, resolution: a.resolution, stages };
}

/**
 * Why a point is not in the space, or undefined when it is. `onGrid` also requires width and
 * resolution to lie on the stage-1 grid (a published network may use a width off the grid).
 */
export function archViolation(
  space: SearchSpace,
  arch: Arch,
  options: { readonly onGrid?: boolean } = {},
): string | undefined {
  if (!(arch.width > 0)) return `width ${arch.width} is not positive`;
  if (!Number.isInteger(arch.resolution) || arch.resolution < 8) {
    return `resolution ${arch.resolution} is not an integer of at least 8`;
  }
  if (options.onGrid ?? true) {
    if (!space.widths.includes(arch.width)) return `width ${arch.width} is not on the grid`;
    if (!space.resolutions.includes(arch.resolution)) {
      return `resolution ${arch.resolution} is not on the grid`;
    }
  }
  if (arch.stages.length !== space.stages.length) {
    return `${arch.stages.length} stages where the space has ${space.stages.length}`;
  }
  for (const [si, g] of arch.stages.entries()) {
    const spec = space.stages[si] as StageSpec;
    const n = slotCount(spec);
    if (!spec.depths.includes(g.depth)) return `stage ${si} depth ${g.depth} is not allowed`;
    if (g.kernels.length !== n || g.expands.length !== n) {
      return `stage ${si} has ${g.kernels.length}/${g.expands.length} slots, expected ${n}`;
    }
    for (const k of g.kernels) if (!space.kernels.includes(k)) return `kernel ${k} in stage ${si}`;
    for (const e of g.expands) if (!space.expands.includes(e)) return `expand ${e} in stage ${si}`;
  }
  return undefined;
}

/**
 * A canonical string of the active genes: equal keys mean equal networks.
 *
 * @example
 * ```ts
 * import { archKey, createDefaultArch, MCUNET_SPACE } from "./space.ts";
 * archKey(createDefaultArch(MCUNET_SPACE, { width: 0.5, resolution: 96 })); // "w0.5-r96|k3e3,k3e3|..."
 * ```
 */
export function archKey(arch: Arch): string {
  const stages = arch.stages.map((g) => {
    const blocks: string[] = [];
    for (let i = 0; i < g.depth; i++) blocks.push(`k${g.kernels[i]}e${g.expands[i]}`);
    return blocks.join(",");
  });
  return [`w${arch.width}-r${arch.resolution}`, ...stages].join("|");
}

/** The smallest point (first choice everywhere) at a width and resolution. */
export function createDefaultArch(
  space: SearchSpace,
  options: { readonly width: number; readonly resolution: number },
): Arch {
  return {
    width: options.width,
    resolution: options.resolution,
    stages: space.stages.map((s) => {
      const n = slotCount(s);
      return {
        depth: s.depths[0] as number,
        kernels: Array.from({ length: n }, () => space.kernels[0] as number),
        expands: Array.from({ length: n }, () => space.expands[0] as number),
      };
    }),
  };
}

/**
 * Lower a point to the builders' `MbconvArch`: first conv, the fixed first block, then each
 * stage's active blocks (stride on the first block of a stage).
 *
 * @example
 * ```ts
 * import { createDefaultArch, MCUNET_SPACE, toMbconvArch } from "./space.ts";
 * const arch = createDefaultArch(MCUNET_SPACE, { width: 0.5, resolution: 96 });
 * const spec = toMbconvArch(MCUNET_SPACE, arch, { classes: 1000, inputChannels: 3 });
 * spec.blocks.length; // 1 + 2*5 + 1
 * ```
 */
export function toMbconvArch(space: SearchSpace, arch: Arch, head: TaskHead): MbconvArch {
  const widths = stageWidths(space, arch.width);
  const blocks: MbconvBlock[] = [{
    kernel: space.firstBlock.kernel,
    expand: space.firstBlock.expand,
    stride: space.firstBlock.stride,
    outChannels: widths[1] as number,
  }];
  for (const [si, g] of arch.stages.entries()) {
    const spec = space.stages[si];
    if (!spec) throw new RangeError(`Cannot lower stage ${si}: the space has no such stage`);
    for (let i = 0; i < g.depth; i++) {
      blocks.push({
        kernel: g.kernels[i] as number,
        expand: g.expands[i] as number,
        stride: i === 0 ? spec.stride : 1,
        outChannels: widths[si + 2] as number,
      });
    }
  }
  return {
    resolution: arch.resolution,
    inputChannels: head.inputChannels,
    classes: head.classes,
    firstConv: { outChannels: widths[0] as number },
    blocks,
  };
}
