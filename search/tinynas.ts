/**
 * The whole TinyNAS pipeline: stage 1 (choose the (width, resolution) space), the latency table
 * for that space (measured in the emulator, cached), a held-out check of the table, stage 2
 * (evolution under SRAM, Flash and latency limits with the exact tinyengine plan), and the final
 * measurement of the chosen network by compile + build + emulation.
 *
 * @module
 */
import { committedCalibration } from "./calibration.ts";
import { type ArchCost, compiledFlashRange, type CostCalibration, costOfLayers } from "./cost.ts";
import { costWithPatches } from "./patch_cost.ts";
import type { PlanFigures } from "./engine.ts";
import { type Evaluated, evolve } from "./evolution.ts";
import { measureFinal } from "./final.ts";
import type { CandidateMetrics, FinalAttempt, LatencyCheck, ProgressEvent } from "./records.ts";
export type { CandidateMetrics, FinalAttempt, LatencyCheck, ProgressEvent };
import {
  type EvolutionParams,
  TINYNAS_DEFAULTS,
  type TinyNasOptions,
  type TinyNasResult,
} from "./tinynas_options.ts";
export { type EvolutionParams, TINYNAS_DEFAULTS, type TinyNasOptions, type TinyNasResult };
import {
  addRun,
  emptyLatencyTable,
  type LatencyMetric,
  type LatencyRun,
  type LatencyTable,
  predictLatency,
  predictLatencyRange,
  saveLatencyTable,
} from "./latency.ts";
import { checkLatencyTable, ensureLatencyTable } from "./latency_runs.ts";
import { archLayers } from "./layers.ts";
import { MACS_OBJECTIVE } from "./objective.ts";
import { type Arch, archKey, MCUNET_SPACE, toMbconvArch } from "./space.ts";
import { runStage1 } from "./stage1.ts";

/** Instruction estimate without a table: MACs-proportional, for runs without the emulator. */
function analyticInstructions(cost: ArchCost, calibration: CostCalibration): number {
  return Math.round(
    (calibration.instructionsPerMac ?? TINYNAS_DEFAULTS.instructionsPerMac) * cost.macs,
  );
}

function defaultRoot(): string {
  return decodeURIComponent(new URL("..", import.meta.url).pathname).replace(/\/$/, "");
}

/**
 * Run TinyNAS end to end.
 *
 * @example
 * ```ts ignore
 * const result = await runTinyNas({
 *   board: getBoard("stm32f746"), head: { classes: 1000, inputChannels: 3 }, seed: 1,
 *   engine: createSearchEngine(),
 * });
 * result.final.measured?.peakSramBytes;
 * ```
 */
export async function runTinyNas(options: TinyNasOptions): Promise<TinyNasResult> {
  const space = options.space ?? MCUNET_SPACE;
  const board = options.board;
  const head = options.head;
  const calibration = options.calibration ?? committedCalibration(board.core, space.name);
  const objective = options.objective ?? MACS_OBJECTIVE;
  const measure = options.measure ?? true;
  // Without a latency limit worth a table (tiny networks far below it), the analytic
  // instructions-per-MAC screen is enough and no cover networks need measuring.
  const useTable = measure && (options.latencyTable ?? true);
  const metric: LatencyMetric = options.maxCycles !== undefined ? "cycles" : "instructions";
  const maxInstructions = options.maxCycles ?? options.maxInstructions ?? board.clockHz;
  for (
    const [what, value, max] of [
      ["SRAM", options.sramBytes, board.sram.size],
      ["Flash", options.flashBytes, board.flash.size],
    ] as const
  ) {
    if (value !== undefined && !(Number.isInteger(value) && value > 0 && value <= max)) {
      throw new RangeError(
        `Cannot search with a ${what} budget of ${value} bytes: it must be a positive integer of at most the ${board.name}'s ${max}`,
      );
    }
  }
  const limits = {
    sramBytes: options.sramBytes ?? board.sram.size,
    flashBytes: options.flashBytes ?? board.flash.size,
    maxInstructions,
    // Stage 1 has no latency table yet: MACs times the calibrated instructions per MAC.
    maxMacs: Math.floor(
      maxInstructions / (calibration.instructionsPerMac ?? TINYNAS_DEFAULTS.instructionsPerMac),
    ),
  };
  const progress = options.onProgress ?? (() => {});
  const engine = options.engine;
  const clock = () => performance.now() / 1000;

  // Stage 1.
  let t0 = clock();
  const patches = options.patchMacOverhead === undefined
    ? {}
    : { patchMacOverhead: options.patchMacOverhead };
  // Patches only matter to a network that does not fit layer by layer.
  const costOf = (layers: ReturnType<typeof archLayers>): ArchCost => {
    const cost = costOfLayers(layers, calibration);
    if (options.patchMacOverhead === undefined || cost.sramBytes <= limits.sramBytes) return cost;
    return costWithPatches(layers, calibration, options.patchMacOverhead).cost;
  };
  const stage1 = options.stage1 ?? runStage1({
    space,
    head,
    limits,
    calibration,
    ...patches,
    seed: options.seed,
    samples: options.stage1Samples ?? TINYNAS_DEFAULTS.stage1Samples,
    ...(options.minFraction !== undefined ? { minFraction: options.minFraction } : {}),
    onPair: (done, total, s) =>
      progress({
        phase: "stage1",
        done,
        total,
        message: `w${s.width}-r${s.resolution}: ${s.satisfied}/${s.sampled} fit, mean ${
          (s.meanMacs / 1e6).toFixed(1)
        } MMACs`,
      }),
  });
  const chosen = options.pair ?? stage1.best;
  if (!chosen) {
    throw new Error(
      `Cannot choose a search space for ${board.name}: no (width, resolution) pair has enough models that fit ${
        limits.sramBytes / 1024
      } KiB SRAM and ${limits.flashBytes / 1024} KiB Flash`,
    );
  }
  const pair = { width: chosen.width, resolution: chosen.resolution };
  const tStage1 = clock() - t0;

  // Latency table for the chosen space.
  t0 = clock();
  const cacheDir = options.cacheDir ?? ".cache/latency";
  let table: LatencyTable;
  let coverRuns = 0;
  let fromCache = true;
  const checks: LatencyCheck[] = [];
  const netOf = (arch: Arch) => toMbconvArch(space, arch, head);
  if (useTable) {
    // What the table measures, shared by its build and its held-out check.
    const tableSpec = { space, pair, head, board, engine, seed: options.seed };
    const built = await ensureLatencyTable({
      ...tableSpec,
      metric,
      cacheDir,
      root: options.root ?? defaultRoot(),
      onProgress: progress,
    });
    table = built.table;
    if (calibration.engineHash !== undefined && calibration.engineHash !== built.engineHash) {
      progress({
        phase: "latency",
        done: 0,
        total: 0,
        message:
          "note: the cost calibration was fitted to another engine build; refit it with --calibrate (the final run still verifies by measurement)",
      });
    }
    coverRuns = built.coverRuns;
    fromCache = built.fromCache;
    const heldOut: LatencyRun[] = [];
    checks.push(
      ...await checkLatencyTable(table, {
        onRun: (r) => heldOut.push(r),
        cacheDir,
        hashInfo: { engineHash: built.engineHash, core: board.core },
        ...tableSpec,
        count: options.verifyArchs ?? TINYNAS_DEFAULTS.verifyArchs,
        onProgress: progress,
      }),
    );
    // After the check, the held-out runs are measurements like any other: keep them.
    for (const r of heldOut) table = addRun(table, r);
    if (heldOut.length > 0) await saveLatencyTable(cacheDir, table);
  } else {
    table = emptyLatencyTable({ engineHash: "none", core: board.core, metric });
  }
  const tLatency = clock() - t0;

  // Stage 2. The latency limit is tightened by the table's observed error (twice the held-out
  // maximum, at least 0.5%: ten times the largest error seen on 100 held-out networks) so that
  // the measured count of the winner stays under the real limit.
  t0 = clock();
  const heldOutMax = checks.reduce((m, c) => Math.max(m, c.error), 0);
  const latencyMargin = options.latencyMargin ?? (useTable ? Math.max(0.005, 2 * heldOutMax) : 0);
  const searchMaxInstructions = Math.floor(maxInstructions * (1 - latencyMargin));
  const band = options.exactBand ?? TINYNAS_DEFAULTS.exactBand;
  const exactSlack = options.exactSlack ?? TINYNAS_DEFAULTS.exactSlack;
  const plans = new Map<string, PlanFigures>();
  // With a code-from-statements fit, Flash near the limit is decided by the compile (exact
  // constants, calibrated code range) and, for parents, by a real build; the shape-only estimate
  // (within ~30% on small networks) only screens out what is far above.
  const searchFlash = limits.flashBytes - (options.flashMargin ?? 0);
  const compiledFlash = calibration.codePerStatement !== undefined;
  const builtFlash = new Map<string, number>();
  const evaluate = async (arch: Arch) => {
    const net = netOf(arch);
    const layers = archLayers(net);
    const cost = costOf(layers);
    // Far above: the typical estimate exceeds the limit by more than the typical-to-bound gap.
    const flashGap = cost.flashBytes - cost.flashTypicalBytes;
    const flashScreen = compiledFlash ? cost.flashTypicalBytes - flashGap : cost.flashBytes;
    if (flashScreen > searchFlash) return undefined;
    const flashNear = compiledFlash && cost.flashBytes + flashGap > searchFlash;
    // Below the limit with the conservative estimate: fits. Far above it with the typical
    // estimate: does not. In between, the exact compile-time plan decides.
    if (cost.sramTypicalBytes > limits.sramBytes + exactSlack) return undefined;
    // The compiler streams the expansions of a network or not depending on its exact plan:
    // screen with both predictions, and let the exact plan decide when they straddle the limit.
    let instructions: number;
    let ambiguous = false;
    if (useTable) {
      const range = predictLatencyRange(table, layers);
      if (range.missing.length > 0) {
        throw new Error(
          `Cannot predict latency: the table lacks ${range.missing.length} layer configurations, e.g. ${
            range.missing[0]
          }`,
        );
      }
      if (range.min > searchMaxInstructions) return undefined;
      instructions = range.max;
      ambiguous = instructions > searchMaxInstructions;
    } else {
      instructions = analyticInstructions(cost, calibration);
      if (instructions > searchMaxInstructions) return undefined;
    }
    const key = archKey(arch);
    let exact: ReturnType<typeof exactSram> | undefined;
    let flash: Pick<CandidateMetrics, "flashBytes" | "flashSource" | "flashUncertain"> = {
      flashBytes: cost.flashBytes,
      flashSource: "estimate",
    };
    if (cost.sramBytes > limits.sramBytes || ambiguous || flashNear) {
      exact = exactSram(key, arch, cost);
      if (exact.sramBytes > limits.sramBytes) return undefined;
      const range = flashNear ? compiledFlashRange(calibration, exact) : undefined;
      if (range) {
        if (range.low > searchFlash) return undefined;
        flash = {
          flashBytes: range.typical,
          flashSource: "compile",
          flashUncertain: range.high > searchFlash,
        };
      }
      if (useTable) {
        instructions = exactInstructions(layers, exact);
        if (instructions > searchMaxInstructions) return undefined;
      }
    }
    const metrics: CandidateMetrics = {
      macs: cost.macs,
      params: cost.params,
      sramBytes: exact ? exact.sramBytes : cost.sramBytes,
      arenaBytes: exact ? exact.arenaBytes : cost.arenaBytes,
      ...flash,
      instructions,
      planSource: exact ? exact.source : "estimate",
      ...(exact ? { family: exact.family, streamed: exact.streamed } : {}),
    };
    // A batch objective scores the candidates of a generation together (see evolve's scoreBatch).
    const score = objective.scoreBatch
      ? 0
      : await objective.score({ arch, net, cost, instructions });
    return { arch, key, score, metrics };
  };
  /** SRAM from the exact compile-time plan (cached by key). */
  const exactSram = (key: string, arch: Arch, cost: ArchCost) => {
    let plan = plans.get(key);
    if (!plan) {
      plan = engine.plan(engine.buildGraph(netOf(arch), { name: key, seed: 0 }), board, patches);
      plans.set(key, plan);
    }
    const arenaBytes = plan.source === "tinyengine"
      ? plan.arenaBytes
      : plan.arenaBytes + (cost.peakBytes - cost.liveBytes) + calibration.arenaOffset;
    return {
      arenaBytes,
      sramBytes: arenaBytes + calibration.staticBytes + calibration.stackBytes,
      source: plan.source,
      family: plan.family,
      streamed: plan.streamed,
      kernels: plan.kernels,
      ...(plan.flashModelBytes !== undefined ? { flashModelBytes: plan.flashModelBytes } : {}),
      ...(plan.codeStatements !== undefined ? { codeStatements: plan.codeStatements } : {}),
      patchMacOverhead: plan.patchMacOverhead ?? 0,
    };
  };
  /** The latency table's prediction for the kernels the exact plan says the compiler emits. */
  // A patch stage runs per-patch kernels the table does not hold: the layer-wise prediction
  // scaled by the recomputed MACs (the final run measures it).
  const exactInstructions = (
    layers: ReturnType<typeof archLayers>,
    exact: {
      readonly family: string;
      readonly kernels: readonly string[];
      readonly patchMacOverhead: number;
    },
  ) =>
    Math.ceil(
      predictLatency(table, layers, {
        family: exact.family,
        ...(exact.kernels.length > 0 ? { kernels: exact.kernels } : {}),
      }).instructions * (1 + exact.patchMacOverhead),
    );
  /** The exact compile-time plan for candidates that reach the parent set. */
  const confirm = async (c: Evaluated<CandidateMetrics>) => {
    const sramChecked = await confirmSram(c);
    if (!sramChecked?.metrics.flashUncertain) return sramChecked;
    let bytes = builtFlash.get(c.key);
    if (bytes === undefined) {
      bytes = await engine.flashBytes(
        engine.buildGraph(netOf(c.arch), { name: c.key, seed: 0 }),
        board,
      );
      builtFlash.set(c.key, bytes);
    }
    if (bytes > searchFlash) return undefined;
    return {
      ...sramChecked,
      metrics: {
        ...sramChecked.metrics,
        flashBytes: bytes,
        flashSource: "build" as const,
        flashUncertain: false,
      },
    };
  };
  const confirmSram = (c: Evaluated<CandidateMetrics>) => {
    if (c.metrics.planSource !== "estimate") return Promise.resolve(c);
    if (c.metrics.sramBytes <= (1 - band) * limits.sramBytes) return Promise.resolve(c);
    const cost = costOf(archLayers(netOf(c.arch)));
    const exact = exactSram(c.key, c.arch, cost);
    if (exact.sramBytes > limits.sramBytes) return Promise.resolve(undefined);
    // The compiler's kernel family and pipeline decide the per-layer counts: re-predict.
    let instructions = c.metrics.instructions;
    if (useTable) {
      instructions = exactInstructions(archLayers(netOf(c.arch)), exact);
      if (instructions > searchMaxInstructions) return Promise.resolve(undefined);
    }
    return Promise.resolve({
      ...c,
      metrics: {
        ...c.metrics,
        arenaBytes: exact.arenaBytes,
        sramBytes: exact.sramBytes,
        instructions,
        planSource: exact.source,
        family: exact.family,
        streamed: exact.streamed,
      },
    });
  };
  const ev = options.evolution ?? {};
  const generations = ev.generations ?? TINYNAS_DEFAULTS.generations;
  const evolution = await evolve<CandidateMetrics>({
    space,
    pair,
    seed: options.seed,
    evaluate,
    confirm,
    ...(objective.scoreBatch
      ? {
        scoreBatch: (cands: readonly Evaluated<CandidateMetrics>[]) =>
          objective.scoreBatch!(cands.map((c) => ({ arch: c.arch, net: netOf(c.arch) }))),
      }
      : {}),
    ...ev,
    onGeneration: (g, pop) => {
      const b = pop[0]!;
      progress({
        phase: "evolve",
        done: g,
        total: generations,
        message: `generation ${g}/${generations}: best ${
          (b.metrics.macs / 1e6).toFixed(1)
        } MMACs, ${(b.metrics.sramBytes / 1024).toFixed(0)} KiB SRAM, ${
          (b.metrics.instructions / 1e6).toFixed(1)
        }M ${metric}`,
      });
    },
  });
  const tEvolve = clock() - t0;

  // Final measurement: the best candidate that passes the measured check.
  t0 = clock();
  const final = await measureFinal({
    population: evolution.population,
    netOf,
    engine,
    board,
    limits,
    metric,
    seed: options.seed,
    tries: options.finalTries ?? TINYNAS_DEFAULTS.finalTries,
    measure,
    progress,
    patches,
  });
  const tFinal = clock() - t0;
  const maxError = checks.reduce((m, c) => Math.max(m, c.error), 0);
  return {
    board: board.name,
    seed: options.seed,
    limits,
    metric,
    calibration,
    stage1,
    pair,
    latency: { table, coverRuns, fromCache, checks, maxError },
    evolution,
    latencyMargin,
    final,
    seconds: { stage1: tStage1, latency: tLatency, evolve: tEvolve, final: tFinal },
  };
}
