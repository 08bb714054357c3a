/**
 * Fast, shape-only cost of an architecture under the tinyengine memory schedule: MACs, parameters,
 * a liveness-based arena estimate (layer-by-layer execution, in-place depthwise, residual inputs
 * kept alive until their ADD, one shared scratch buffer sized by its largest user) and a Flash
 * estimate (weights + per-channel constants + code). The constants are a `CostCalibration`, fitted
 * from real tinyengine builds (see calibration.ts); the exact planner confirms borderline cases.
 *
 * @module
 */
import {
  archLayers,
  layerChannels,
  layerKey,
  type LayerKind,
  layerMacs,
  type LayerShape,
  layerWeights,
} from "./layers.ts";
import type { MbconvArch } from "./space.ts";

/** Constants that turn shapes into SRAM and Flash bytes; fitted from real builds. */
export interface CostCalibration {
  /** Where the numbers come from: "default" or a description of the fit. */
  readonly source: string;
  /** Engine code hash of the builds it was fitted to (see latency.ts `engineCodeHash`). */
  readonly engineHash?: string;
  /** Stack allowance added to static SRAM (the emulator's measured high-water plus margin). */
  readonly stackBytes: number;
  /** Static SRAM beyond the arena and the input buffer (.data, small .bss, output buffer). */
  readonly staticBytes: number;
  /** Whether the planner keeps the graph input inside the arena (else it is a separate buffer). */
  readonly inputInArena: boolean;
  /** Planned arena = arenaScale * liveness estimate + arenaOffset. */
  readonly arenaScale: number;
  /** Offset bounding every calibration build (conservative). */
  readonly arenaOffset: number;
  /** Median offset of the calibration builds (unbiased; stage 1 ranks with it). @default arenaOffset */
  readonly arenaOffsetTypical?: number;
  /** Flash for code: base + per layer + per distinct specialized kernel. */
  readonly codeBase: number;
  /**
   * The code base that makes the median calibration build exact (the unbiased Flash estimate
   * stage 1 ranks with; `codeBase` bounds every build). @default codeBase
   */
  readonly codeBaseTypical?: number;
  readonly codePerLayer: number;
  readonly codePerKernel: number;
  /** Flash per distinct pointwise variant. @default codePerKernel */
  readonly codePerPointwise?: number;
  /** Flash per distinct streamed expand + depthwise variant. @default codePerKernel */
  readonly codePerFused?: number;
  /**
   * Inference instructions per MAC (median of the calibration builds): the latency proxy of
   * stage 1, before a latency table exists. @default 2
   */
  readonly instructionsPerMac?: number;
  /** Flash for model constants: per weight byte, per output channel (bias + requantization). */
  readonly modelPerWeight: number;
  /** Flash per depthwise tap (weights may be packed as int16 pairs in int32 words). */
  readonly modelPerDwTap?: number;
  readonly modelPerChannel: number;
  readonly modelBase: number;
  /**
   * Code bytes from a compile's generated code: base + per statement of `model.c` (fitted on real
   * builds; the shape-only code terms above miss how much each specialized kernel unrolls).
   */
  readonly codeStatementBase?: number;
  readonly codePerStatement?: number;
  /** Smallest and largest residual (real - predicted code bytes) of the fit's builds. */
  readonly codeStatementLow?: number;
  readonly codeStatementHigh?: number;
}

/**
 * The Flash range of a compiled candidate: its exact model constants plus the calibrated code
 * prediction from its generated statements, widened by the fit's residuals (so the real image lies
 * in [low, high] for every calibration build). Undefined when the calibration has no such fit.
 *
 * @example
 * ```ts
 * import { compiledFlashRange } from "./cost.ts";
 * const cal = { codeStatementBase: 9000, codePerStatement: 9, codeStatementLow: -8000, codeStatementHigh: 5000 };
 * compiledFlashRange(cal, { flashModelBytes: 30000, codeStatements: 3000 }); // { low: 58000, typical: 66000, high: 71000 }
 * ```
 */
export function compiledFlashRange(
  calibration: Pick<
    CostCalibration,
    "codeStatementBase" | "codePerStatement" | "codeStatementLow" | "codeStatementHigh"
  >,
  compiled: { readonly flashModelBytes?: number; readonly codeStatements?: number },
): { low: number; typical: number; high: number } | undefined {
  const { codeStatementBase: base, codePerStatement: per } = calibration;
  if (base === undefined || per === undefined) return undefined;
  if (compiled.flashModelBytes === undefined || compiled.codeStatements === undefined) {
    return undefined;
  }
  const typical = Math.round(compiled.flashModelBytes + base + per * compiled.codeStatements);
  return {
    low: typical + Math.floor(calibration.codeStatementLow ?? 0),
    typical,
    high: typical + Math.ceil(calibration.codeStatementHigh ?? 0),
  };
}

/** Calibration used before any real build is available (conservative). */
export const DEFAULT_CALIBRATION: CostCalibration = {
  source: "default",
  stackBytes: 4096,
  staticBytes: 2048,
  inputInArena: true,
  arenaScale: 1,
  arenaOffset: 0,
  codeBase: 16384,
  codePerLayer: 96,
  codePerKernel: 2048,
  modelPerWeight: 1,
  modelPerChannel: 12,
  modelBase: 0,
};

/** Shape-only cost of one architecture. */
export interface ArchCost {
  readonly macs: number;
  /** Weights + biases. */
  readonly params: number;
  readonly layers: number;
  /** Distinct specialized kernel variants, and their split by kind. */
  readonly kernels: number;
  readonly kernelsPointwise: number;
  readonly kernelsFused: number;
  readonly kernelsOther: number;
  /** Largest sum of simultaneously live activations in the arena (bytes). */
  readonly liveBytes: number;
  /** Largest scratch buffer (bytes). */
  readonly scratchBytes: number;
  /** Largest live + scratch of one step. */
  readonly peakBytes: number;
  readonly inputBytes: number;
  /** Predicted planned arena (calibrated). */
  readonly arenaBytes: number;
  /** Predicted peak SRAM: arena + input buffer (when outside) + static + stack allowance. */
  readonly sramBytes: number;
  /** The same with the typical (median) arena offset. */
  readonly sramTypicalBytes: number;
  /** Matmul (conv, fully connected) weights with rows padded to 4 bytes. */
  readonly flashWeights: number;
  /** Depthwise taps (channels x kernel area). */
  readonly flashDwTaps: number;
  /** Output channels with bias and requantization constants. */
  readonly flashChannels: number;
  readonly flashModelBytes: number;
  readonly flashCodeBytes: number;
  readonly flashBytes: number;
  /** The same with the typical (median) code base. */
  readonly flashTypicalBytes: number;
}

function bytes(l: LayerShape, side: "in" | "out"): number {
  return side === "in" ? l.inH * l.inW * l.inC : l.outH * l.outW * l.outC;
}

/** Pixels per row block of the tinyengine matmul kernels. */
const ROW_BLOCK = 4;

/**
 * Scratch bytes the tinyengine kernels ask for (mirrors engine/codegen/tinyengine/kernels:
 * matmul im2col rows as int16 plus an int8 row for non-pointwise convs, the padded input plane of
 * a depthwise channel); a change there shows up as the calibration's arena offset.
 */
const SCRATCH: { readonly [K in LayerKind]?: (l: LayerShape) => number } = {
  CONV_2D(l) {
    const k4 = Math.ceil((l.kernel * l.kernel * l.inC) / 4) * 4;
    const block = Math.min(ROW_BLOCK, l.outH * l.outW);
    const pointwise = l.kernel === 1 && l.stride === 1;
    return block * k4 * 2 + (pointwise ? 0 : block * k4);
  },
  DEPTHWISE_CONV_2D(l) {
    const hn = (l.outH - 1) * l.stride + l.kernel;
    const wn = (l.outW - 1) * l.stride + l.kernel;
    return hn * wn;
  },
  FULLY_CONNECTED: (l) => Math.ceil(l.inC / 4) * 4 * 2,
};

function scratch(l: LayerShape): number {
  return SCRATCH[l.kind]?.(l) ?? 0;
}

/**
 * The specialized-kernel variant of a schedule step and its kind: tinyengine emits one C kernel
 * per distinct variant (shape key), so code size grows with distinct variants per kind.
 */
function stepVariant(layers: readonly LayerShape[], step: readonly number[]): [string, string] {
  const first = layers[step[0]!]!;
  const last = layers[step[step.length - 1]!]!;
  if (step.length === 2) {
    return ["fused", `f:${first.inC}:${last.inC}:k${last.kernel}s${last.stride}`];
  }
  if (first.kind === "CONV_2D" && first.kernel === 1) {
    return ["pointwise", `p:${first.inC}:${first.outC}`];
  }
  return ["other", `${first.kind}:k${first.kernel}s${first.stride}:${first.inC}`];
}

/** Scratch of a streamed expand + depthwise step (mirrors tinyengine's fused_expand kernel). */
function fusedScratch(pw: LayerShape, dw: LayerShape): number {
  const wn = (dw.outW - 1) * dw.stride + dw.kernel;
  const padTotal = Math.max(0, wn - dw.inW);
  const wp = Math.max(wn, Math.floor(padTotal / 2) + dw.inW);
  const ring = Math.ceil(((dw.kernel + 1) * wp * dw.inC) / 8) * 8;
  const k4 = Math.ceil(pw.inC / 4) * 4;
  return ring + Math.min(ROW_BLOCK, pw.inW) * k4 * 2;
}

/**
 * Steps of the tinyengine schedule: one per emitted layer. A 1x1 expansion feeding a depthwise
 * convolution is fused into it (the expanded tensor is streamed through a ring of rows and never
 * exists in full), so that pair is one step.
 *
 * @example
 * ```ts ignore
 * scheduleSteps(archLayers(net)); // [[0], [1], [2], [3, 4], [5], ...]
 * ```
 */
export function scheduleSteps(layers: readonly LayerShape[]): number[][] {
  const steps: number[][] = [];
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i]!;
    const next = layers[i + 1];
    if (
      l.role === "expand" && l.block >= 0 && next?.kind === "DEPTHWISE_CONV_2D" &&
      next.block === l.block
    ) {
      steps.push([i, i + 1]);
      i++;
    } else steps.push([i]);
  }
  return steps;
}

/**
 * Liveness of the layer-by-layer schedule: the largest arena bytes live during any step, the
 * largest scratch of a step, and the largest live + scratch of one step (the arena when scratch is
 * planned per layer).
 */
export function scheduleBytes(
  layers: readonly LayerShape[],
  options: { readonly inputInArena: boolean },
): { liveBytes: number; scratchBytes: number; peakBytes: number } {
  let live = 0;
  let scr = 0;
  let peak = 0;
  let block = -2;
  let skip = 0; // block input kept for the residual ADD
  let curIsSkip = false;
  let curInArena = options.inputInArena;
  const residualBlocks = new Set(layers.filter((l) => l.kind === "ADD").map((l) => l.block));
  for (const step of scheduleSteps(layers)) {
    const first = layers[step[0]!]!;
    const last = layers[step[step.length - 1]!]!;
    const inB = bytes(first, "in");
    const outB = bytes(last, "out");
    if (first.block !== block) {
      block = first.block;
      skip = residualBlocks.has(block) ? inB : 0;
      curIsSkip = skip > 0;
    }
    const cur = curInArena ? inB : 0;
    const extra = skip > 0 && !curIsSkip ? skip : 0;
    let now: number;
    let stepScratch: number;
    if (step.length === 2) {
      now = cur + outB + extra;
      stepScratch = fusedScratch(first, last);
    } else {
      // A depthwise runs in place; an ADD writes over its skip input.
      if (first.kind === "DEPTHWISE_CONV_2D") now = Math.max(cur, outB) + extra;
      else if (first.kind === "ADD") now = cur + skip;
      else now = cur + outB + extra;
      stepScratch = scratch(first);
    }
    stepScratch = Math.ceil(stepScratch / 8) * 8;
    live = Math.max(live, now);
    scr = Math.max(scr, stepScratch);
    peak = Math.max(peak, now + stepScratch);
    if (last.kind === "ADD") skip = 0;
    curIsSkip = false;
    curInArena = true;
  }
  return { liveBytes: live, scratchBytes: scr, peakBytes: peak };
}

/**
 * The shape-only cost of an architecture under a calibration.
 *
 * @example
 * ```ts
 * import { DEFAULT_CALIBRATION, estimateCost } from "./cost.ts";
 * import { createDefaultArch, MCUNET_SPACE, toMbconvArch } from "./space.ts";
 * const spec = toMbconvArch(MCUNET_SPACE, createDefaultArch(MCUNET_SPACE, { width: 0.5, resolution: 96 }), { classes: 10, inputChannels: 3 });
 * const cost = estimateCost(spec, DEFAULT_CALIBRATION);
 * cost.sramBytes > cost.arenaBytes; // true
 * ```
 */
export function estimateCost(arch: MbconvArch, calibration: CostCalibration): ArchCost {
  return costOfLayers(archLayers(arch), calibration);
}

/** {@link estimateCost} on an already computed layer list. */
export function costOfLayers(
  layers: readonly LayerShape[],
  calibration: CostCalibration,
): ArchCost {
  let macs = 0;
  let weights = 0;
  let dwTaps = 0;
  let params = 0;
  let channels = 0;
  const variants = new Map<string, string>();
  for (const step of scheduleSteps(layers)) {
    const [kind, key] = stepVariant(layers, step);
    variants.set(key, kind);
  }
  const kinds = { pointwise: 0, fused: 0, other: 0 } as Record<string, number>;
  for (const k of variants.values()) kinds[k] = (kinds[k] ?? 0) + 1;
  let counted = 0;
  for (const l of layers) {
    macs += layerMacs(l);
    if (l.kind === "DEPTHWISE_CONV_2D") dwTaps += layerWeights(l);
    else if (l.kind === "CONV_2D" || l.kind === "FULLY_CONNECTED") {
      weights += l.outC * Math.ceil((l.kernel * l.kernel * l.inC) / 4) * 4;
    }
    params += layerWeights(l);
    channels += layerChannels(l);
    counted++;
  }
  const first = layers[0];
  const inputBytes = first ? first.inH * first.inW * first.inC : 0;
  const { liveBytes, scratchBytes, peakBytes } = scheduleBytes(layers, {
    inputInArena: calibration.inputInArena,
  });
  const arenaBytes = Math.ceil(calibration.arenaScale * peakBytes + calibration.arenaOffset);
  const sramBytes = arenaBytes + (calibration.inputInArena ? 0 : inputBytes) +
    calibration.staticBytes + calibration.stackBytes;
  const sramTypicalBytes = sramBytes - calibration.arenaOffset +
    (calibration.arenaOffsetTypical ?? calibration.arenaOffset);
  const flashModelBytes = Math.ceil(
    calibration.modelBase + calibration.modelPerWeight * weights +
      (calibration.modelPerDwTap ?? calibration.modelPerWeight) * dwTaps +
      calibration.modelPerChannel * channels,
  );
  const flashCodeBytes = Math.ceil(
    calibration.codeBase + calibration.codePerLayer * counted +
      calibration.codePerKernel * (kinds.other ?? 0) +
      (calibration.codePerPointwise ?? calibration.codePerKernel) * (kinds.pointwise ?? 0) +
      (calibration.codePerFused ?? calibration.codePerKernel) * (kinds.fused ?? 0),
  );
  return {
    macs,
    params: params + channels,
    layers: counted,
    kernels: variants.size,
    kernelsPointwise: kinds.pointwise ?? 0,
    kernelsFused: kinds.fused ?? 0,
    kernelsOther: kinds.other ?? 0,
    liveBytes,
    scratchBytes,
    peakBytes,
    inputBytes,
    arenaBytes,
    sramBytes,
    sramTypicalBytes,
    flashWeights: weights,
    flashDwTaps: dwTaps,
    flashChannels: channels,
    flashModelBytes,
    flashCodeBytes,
    flashBytes: flashModelBytes + flashCodeBytes,
    flashTypicalBytes: flashModelBytes + flashCodeBytes - calibration.codeBase +
      (calibration.codeBaseTypical ?? calibration.codeBase),
  };
}

/** Layer configuration keys of an architecture, in execution order (for the latency table). */
export function archLayerKeys(arch: MbconvArch): string[] {
  return archLayers(arch).map(layerKey);
}
