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
import { type Arch, sampleArch, type SearchSpace, type TaskHead, toMbconvArch } from "./space.ts";
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
  /** Statements of the compile's generated model code (see `PlanFigures.codeStatements`). */
  readonly codeStatements?: number;
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
  const under = samples.map((s) => s.report.flashBytes - predicted(s)).sort((a, b) => a - b);
  const codeBaseTypical = codeBase + under[Math.floor((under.length - 1) / 2)]!;
  codeBase += under[under.length - 1]! + 256;
  const statements = fitCodeStatements(samples);
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
    codeBaseTypical: Math.round(codeBaseTypical),
    codePerLayer: Math.round(codePerLayer * 100) / 100,
    codePerKernel: Math.round(codePerKernel * 100) / 100,
    codePerPointwise: Math.round(codePerPointwise * 100) / 100,
    codePerFused: Math.round(codePerFused * 100) / 100,
    modelPerWeight: Math.round(modelPerWeight * 10000) / 10000,
    modelPerDwTap: Math.round(modelPerDwTap * 10000) / 10000,
    modelPerChannel: Math.round(modelPerChannel * 100) / 100,
    modelBase: Math.ceil(modelBase),
    ...statements,
  };
}

/**
 * Code bytes against the generated statements (least squares) and the residual range, when at
 * least four samples carry their statement count.
 */
function fitCodeStatements(samples: readonly CalibrationSample[]): Partial<CostCalibration> {
  const withCount = samples.filter((s) => s.codeStatements !== undefined);
  if (withCount.length < 4) return {};
  const [base, per] = leastSquares(
    withCount.map((s) => [1, s.codeStatements!]),
    withCount.map((s) => s.report.flashCodeBytes),
  ) as [number, number];
  const codeStatementBase = Math.round(base);
  const codePerStatement = Math.round(per * 1000) / 1000;
  const residuals = withCount.map((s) =>
    s.report.flashCodeBytes - (codeStatementBase + codePerStatement * s.codeStatements!)
  );
  return {
    codeStatementBase,
    codePerStatement,
    codeStatementLow: Math.floor(Math.min(...residuals)),
    codeStatementHigh: Math.ceil(Math.max(...residuals)),
  };
}

/**
 * The committed calibration for a core and search space (`calibration.json`: key `core:space`
 * when that space has its own fit, as the tiny space does because code size of tiny networks is
 * not what large ones predict; else the core's), or the conservative default.
 */
export function committedCalibration(core: string, space?: string): CostCalibration {
  const table = calibrationJson as Readonly<Record<string, CostCalibration | undefined>>;
  return (space !== undefined ? table[`${core}:${space}`] : undefined) ?? table[core] ??
    DEFAULT_CALIBRATION;
}

/** The same depths, with the first block's kernel and expand in every block. */
function uniformArch(arch: Arch): Arch {
  const k = arch.stages[0]!.kernels[0]!;
  const e = arch.stages[0]!.expands[0]!;
  return {
    ...arch,
    stages: arch.stages.map((g) => ({
      depth: g.depth,
      kernels: g.kernels.map(() => k),
      expands: g.expands.map(() => e),
    })),
  };
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
  /**
   * More (space, head, resolutions) to sample from, taken in turn with the main one (e.g. the
   * tiny grayscale space, so that tiny budgets are fitted too). @default none
   */
  readonly variants?: readonly {
    readonly space: SearchSpace;
    readonly head: TaskHead;
    readonly resolutions?: readonly number[];
  }[];
}

/**
 * Build and measure random networks of the space (all grid widths, small resolutions) with the
 * real engine and fit a calibration to them. Returns the fit and the samples (to show residuals).
 */
export async function measureCalibration(
  options: MeasureCalibrationOptions,
): Promise<{ calibration: CostCalibration; samples: CalibrationSample[] }> {
  const count = options.count ?? 8;
  const variants = [
    { space: options.space, head: options.head, resolutions: options.resolutions },
    ...(options.variants ?? []),
  ];
  const rng = createRng(options.seed);
  const samples: CalibrationSample[] = [];
  for (let i = 0; i < count; i++) {
    const v = variants[i % variants.length]!;
    const resolutions = v.resolutions ?? v.space.resolutions;
    const width = v.space.widths[rng.int(v.space.widths.length)]!;
    const resolution = resolutions[rng.int(resolutions.length)]!;
    // Every third network repeats one (kernel, expand) in every block: few distinct kernels, so
    // that the fit separates the code base from the per-kernel code (random networks alone all
    // have about as many kernels as each other).
    const arch = i % 3 === 2
      ? uniformArch(sampleArch(v.space, rng, { width, resolution }))
      : sampleArch(v.space, rng, { width, resolution });
    const net = toMbconvArch(v.space, arch, v.head);
    const cost = estimateCost(net, DEFAULT_CALIBRATION);
    const graph = options.engine.buildGraph(net, { name: `calib-${i}`, seed: options.seed });
    const { codeStatements } = options.engine.plan(graph, options.board);
    const report = await options.engine.runModel(graph, options.board);
    const sample = { cost, report, ...(codeStatements !== undefined ? { codeStatements } : {}) };
    samples.push(sample);
    options.onSample?.(i + 1, count, sample);
  }
  const calibration = fitCalibration(samples, {
    source: `fit to ${count} tinyengine builds on ${options.board.name} (seed ${options.seed})`,
    ...(options.engineHash !== undefined ? { engineHash: options.engineHash } : {}),
  });
  return { calibration, samples };
}
