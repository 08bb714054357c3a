/**
 * Fitting the shape-only cost model's constants ({@link CostCalibration}) to real tinyengine
 * builds: every RunReport gives planned arena, static SRAM, stack high-water, and Flash split
 * into model constants and code. Fits are conservative: least squares, then shifted so that no
 * calibration sample is under-predicted.
 *
 * The committed `calibration.json` beside this file is the fit the search uses by default, so that
 * the same seed gives the same result on every machine; `deno run -A search/calibrate.ts`
 * regenerates it.
 *
 * @module
 */
import type { RunReport } from "../pipeline/mod.ts";
import type { Board } from "../engine/target/mod.ts";
import { createRng } from "../engine/util/mod.ts";
import { type ArchCost, type CostCalibration, DEFAULT_CALIBRATION, estimateCost } from "./cost.ts";
import type { SearchEngine } from "./engine.ts";
import { sampleArch, type SearchSpace, type TaskHead, toMbconvArch } from "./space.ts";
import calibrationJson from "./calibration.json" with { type: "json" };

/** One calibration sample: the shape-only cost (under any calibration) and the measured report. */
export interface CalibrationSample {
  readonly cost: ArchCost;
  readonly report: Pick<
    RunReport,
    | "arenaBytes"
    | "staticSramBytes"
    | "stackBytes"
    | "peakSramBytes"
    | "flashModelBytes"
    | "flashCodeBytes"
    | "flashBytes"
    | "instructions"
    | "macs"
  >;
}

/** Solve a small dense linear system (Gaussian elimination with partial pivoting). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    const piv = m[c]![c]!;
    if (Math.abs(piv) < 1e-12) return new Array(n).fill(0);
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / piv;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}

/**
 * Least squares `y ≈ X w` with non-negative fallbacks: columns whose fitted weight is negative
 * are dropped and the fit repeated. Returns the weights (0 for dropped columns).
 */
export function leastSquares(x: readonly (readonly number[])[], y: readonly number[]): number[] {
  const cols = x[0]?.length ?? 0;
  let active = Array.from({ length: cols }, (_, i) => i);
  for (let iter = 0; iter < cols; iter++) {
    const ata = active.map((i) => active.map((j) => x.reduce((s, r) => s + r[i]! * r[j]!, 0)));
    const aty = active.map((i) => x.reduce((s, r, k) => s + r[i]! * y[k]!, 0));
    const w = solve(ata, aty);
    const neg = w.findIndex((v) => v < 0);
    if (neg < 0) {
      const out = new Array(cols).fill(0);
      active.forEach((c, i) => (out[c] = w[i]));
      return out;
    }
    active = active.filter((_, i) => i !== neg);
  }
  return new Array(cols).fill(0);
}

/**
 * Fit a calibration from real builds. Needs at least one sample; with fewer than four, the
 * per-layer and per-kernel code terms keep their defaults and only offsets are fitted.
 *
 * @example
 * ```ts ignore
 * const cal = fitCalibration(samples, { source: "12 builds on stm32f746" });
 * ```
 */
export function fitCalibration(
  samples: readonly CalibrationSample[],
  options: { readonly source: string; readonly stackMargin?: number; readonly engineHash?: string },
): CostCalibration {
  if (samples.length === 0) throw new RangeError("Cannot fit a calibration from zero samples");
  const margin = options.stackMargin ?? 512;
  const max = (f: (s: CalibrationSample) => number) => Math.max(...samples.map(f));
  // Arena: the liveness estimate is exact for the schedule; the offset absorbs scratch sizing.
  const arenaOffset = max((s) => s.report.arenaBytes - s.cost.peakBytes);
  const offsets = samples.map((s) => s.report.arenaBytes - s.cost.peakBytes).sort((a, b) => a - b);
  const arenaOffsetTypical = offsets[Math.floor((offsets.length - 1) / 2)]!;
  const ipm = samples.map((s) => s.report.instructions / Math.max(1, s.report.macs))
    .sort((a, b) => a - b);
  const instructionsPerMac = ipm[Math.floor((ipm.length - 1) / 2)]!;
  // Static SRAM outside the arena (the emulator's static figure includes the arena).
  const staticBytes = max((s) => s.report.staticSramBytes - s.report.arenaBytes);
  const stackBytes = max((s) => s.report.stackBytes) + margin;
  // Flash model constants: per weight byte and per output channel.
  const base = DEFAULT_CALIBRATION;
  let modelPerWeight = base.modelPerWeight;
  let modelPerDwTap = base.modelPerDwTap ?? base.modelPerWeight;
  let modelPerChannel = base.modelPerChannel;
  let modelBase = base.modelBase;
  let codeBase = base.codeBase;
  let codePerLayer = base.codePerLayer;
  let codePerKernel = base.codePerKernel;
  const modelCols = (s: CalibrationSample) => [
    s.cost.flashWeights,
    s.cost.flashDwTaps,
    s.cost.flashChannels,
  ];
  const codeCols = (s: CalibrationSample) => [
    s.cost.layers,
    s.cost.kernelsOther,
    s.cost.kernelsPointwise,
    s.cost.kernelsFused,
  ];
  let codePerPointwise = base.codePerPointwise ?? base.codePerKernel;
  let codePerFused = base.codePerFused ?? base.codePerKernel;
  const split = samples.some((s) => s.report.flashModelBytes > 0);
  if (split && samples.length >= 6) {
    // The backend names its constants: fit model bytes and code bytes separately.
    const m = leastSquares(
      samples.map((s) => [1, ...modelCols(s)]),
      samples.map((s) => s.report.flashModelBytes),
    );
    [modelBase, modelPerWeight, modelPerDwTap, modelPerChannel] = m as [
      number,
      number,
      number,
      number,
    ];
    const c = leastSquares(
      samples.map((s) => [1, ...codeCols(s)]),
      samples.map((s) => s.report.flashCodeBytes),
    );
    [codeBase, codePerLayer, codePerKernel, codePerPointwise, codePerFused] = c as [
      number,
      number,
      number,
      number,
      number,
    ];
  } else if (samples.length >= 8) {
    // Only the total is known: fit it on every column.
    const t = leastSquares(
      samples.map((s) => [1, ...modelCols(s), ...codeCols(s)]),
      samples.map((s) => s.report.flashBytes),
    );
    [
      codeBase,
      modelPerWeight,
      modelPerDwTap,
      modelPerChannel,
      codePerLayer,
      codePerKernel,
      codePerPointwise,
      codePerFused,
    ] = t as [number, number, number, number, number, number, number, number];
    modelBase = 0;
  }
  // Shift the base so that no sample's total Flash is under-predicted.
  const predicted = (s: CalibrationSample) =>
    modelBase + modelPerWeight * s.cost.flashWeights + modelPerDwTap * s.cost.flashDwTaps +
    modelPerChannel * s.cost.flashChannels + codeBase + codePerLayer * s.cost.layers +
    codePerKernel * s.cost.kernelsOther + codePerPointwise * s.cost.kernelsPointwise +
    codePerFused * s.cost.kernelsFused;
  // (256 bytes absorb the rounding of the coefficients below.)
  codeBase += max((s) => s.report.flashBytes - predicted(s)) + 256;
  return {
    source: options.source,
    ...(options.engineHash !== undefined ? { engineHash: options.engineHash } : {}),
    stackBytes: Math.ceil(stackBytes),
    staticBytes: Math.ceil(Math.max(0, staticBytes)),
    inputInArena: true,
    arenaScale: 1,
    arenaOffset: Math.ceil(Math.max(0, arenaOffset)),
    arenaOffsetTypical: Math.ceil(Math.max(0, arenaOffsetTypical)),
    instructionsPerMac: Math.round(instructionsPerMac * 1000) / 1000,
    codeBase: Math.ceil(codeBase),
    codePerLayer: Math.round(codePerLayer * 100) / 100,
    codePerKernel: Math.round(codePerKernel * 100) / 100,
    codePerPointwise: Math.round(codePerPointwise * 100) / 100,
    codePerFused: Math.round(codePerFused * 100) / 100,
    modelPerWeight: Math.round(modelPerWeight * 10000) / 10000,
    modelPerDwTap: Math.round(modelPerDwTap * 10000) / 10000,
    modelPerChannel: Math.round(modelPerChannel * 100) / 100,
    modelBase: Math.ceil(modelBase),
  };
}

/**
 * The committed calibration for a core (`calibration.json`), or the conservative default when
 * none has been fitted for it yet.
 */
export function committedCalibration(core: string): CostCalibration {
  const table = calibrationJson as Readonly<Record<string, CostCalibration | undefined>>;
  return table[core] ?? DEFAULT_CALIBRATION;
}

/** Options of {@link measureCalibration}. */
export interface MeasureCalibrationOptions {
  readonly space: SearchSpace;
  readonly board: Board;
  readonly head: TaskHead;
  readonly engine: SearchEngine;
  readonly seed: number;
  /** Networks to build and measure. @default 8 */
  readonly count?: number;
  /** Resolutions to sample from (small keeps it fast; Flash does not depend on it). */
  readonly resolutions?: readonly number[];
  readonly onSample?: (done: number, total: number, sample: CalibrationSample) => void;
  /** Recorded in the calibration. */
  readonly engineHash?: string;
}

/**
 * Build and measure random networks of the space (all grid widths, small resolutions) with the
 * real engine and fit a calibration to them. Returns the fit and the samples (to show residuals).
 */
export async function measureCalibration(
  options: MeasureCalibrationOptions,
): Promise<{ calibration: CostCalibration; samples: CalibrationSample[] }> {
  const count = options.count ?? 8;
  const resolutions = options.resolutions ?? options.space.resolutions;
  const rng = createRng(options.seed);
  const samples: CalibrationSample[] = [];
  for (let i = 0; i < count; i++) {
    const width = options.space.widths[rng.int(options.space.widths.length)]!;
    const resolution = resolutions[rng.int(resolutions.length)]!;
    const arch = sampleArch(options.space, rng, { width, resolution });
    const net = toMbconvArch(options.space, arch, options.head);
    const cost = estimateCost(net, DEFAULT_CALIBRATION);
    const graph = options.engine.buildGraph(net, { name: `calib-${i}`, seed: options.seed });
    const report = await options.engine.runModel(graph, options.board);
    const sample = { cost, report };
    samples.push(sample);
    options.onSample?.(i + 1, count, sample);
  }
  const calibration = fitCalibration(samples, {
    source: `fit to ${count} tinyengine builds on ${options.board.name} (seed ${options.seed})`,
    ...(options.engineHash !== undefined ? { engineHash: options.engineHash } : {}),
  });
  return { calibration, samples };
}
