/**
 * TinyNAS for accuracy (`mcu search --dataset`): stage 1 picks the (width, resolution) space as
 * the training-free search does; the super-network of that space is trained once (sandwich rule);
 * the evolution maximizes the validation accuracy of subnets with inherited weights (batch norm
 * recalibrated) under the measured SRAM, Flash and latency limits; the winner is fine-tuned from
 * its inherited weights, quantized to int8, exported, compiled, emulated and scored on device,
 * every prediction checked against the reference interpreter.
 *
 * @module
 */
import type { Board } from "../engine/target/mod.ts";
import {
  archKey,
  committedCalibration,
  type ProgressEvent,
  type QualityObjective,
  runStage1,
  runTinyNas,
  type SearchEngine,
  type SearchSpace,
  type TinyNasResult,
} from "../search/mod.ts";
import { FASHION_MNIST, resolveDataset } from "./dataset.ts";
import { DEFAULT_RECIPE, type Preset } from "./recipe.ts";
import {
  startSubnetScorer,
  type Subnet,
  subnetOf,
  type SupernetData,
  type SupernetJob,
  type SupernetResult,
  supernetSpace,
  trainSupernet,
} from "./supernet.ts";
import { trainAndMeasure, type TrainOutcome } from "./train.ts";
import type { WorkerEvent } from "./worker.ts";

/** How big an accuracy search is. */
export interface AccuracySearchPreset {
  readonly name: string;
  readonly stage1Samples: number;
  readonly supernet: {
    readonly epochs: number;
    readonly data: SupernetData;
    /** Random subnets per step besides the largest and the smallest. */
    readonly sandwichRandom: number;
  };
  readonly evolution: {
    readonly population: number;
    readonly parents: number;
    readonly mutationChildren: number;
    readonly crossoverChildren: number;
    readonly generations: number;
    /** Draws per member before giving up (about 1% of random networks fit 16 KiB / 64 KiB). */
    readonly maxTries: number;
  };
  /** Fine-tuning of the winner (its epochs and data, including the test images scored). */
  readonly finetune: Preset;
}

/**
 * `full`: super-network 2 epochs over 30k training images (3 subnets per step: largest,
 * smallest, one random), subnets scored on 2,000 validation images after recalibrating on 1,000
 * training images, population 40, 8 generations, the winner fine-tuned 4 epochs over all 55k
 * training images and scored on all 10k test images.
 * `quick`: a small but real run for tests (8k images, 1 super-network epoch, 500 scoring images,
 * population 8, 2 generations, 2 fine-tuning epochs over 8k images, 500 test images).
 */
export const SEARCH_PRESETS: Readonly<Record<string, AccuracySearchPreset>> = {
  full: {
    name: "full",
    stage1Samples: 1000,
    supernet: {
      epochs: 2,
      data: {
        trainImages: 30000,
        validationImages: 5000,
        scoreImages: 2000,
        recalibrationImages: 1000,
      },
      sandwichRandom: 1,
    },
    evolution: {
      population: 40,
      parents: 10,
      mutationChildren: 15,
      crossoverChildren: 15,
      generations: 8,
      maxTries: 1000,
    },
    finetune: {
      name: "full",
      epochs: 4,
      data: { validationImages: 5000, calibrationImages: 2000 },
    },
  },
  quick: {
    name: "quick",
    stage1Samples: 1000,
    supernet: {
      epochs: 1,
      data: {
        trainImages: 8000,
        validationImages: 5000,
        scoreImages: 500,
        recalibrationImages: 250,
      },
      sandwichRandom: 1,
    },
    evolution: {
      population: 8,
      parents: 4,
      mutationChildren: 4,
      crossoverChildren: 4,
      generations: 2,
      maxTries: 1000,
    },
    finetune: {
      name: "quick",
      epochs: 2,
      data: {
        trainImages: 8000,
        validationImages: 5000,
        testImages: 500,
        calibrationImages: 500,
      },
    },
  },
};

/** A preset by name; an unknown name is a RangeError listing the known ones. */
export function getSearchPreset(name: string): AccuracySearchPreset {
  const p = Object.hasOwn(SEARCH_PRESETS, name) ? SEARCH_PRESETS[name] : undefined;
  if (!p) {
    throw new RangeError(
      `Cannot use preset '${name}': known presets are ${Object.keys(SEARCH_PRESETS).join(", ")}`,
    );
  }
  return p;
}

/** Options of {@link runAccuracySearch}. */
export interface AccuracySearchOptions {
  readonly board: Board;
  readonly space: SearchSpace;
  readonly engine: SearchEngine;
  readonly outDir: string;
  readonly preset: AccuracySearchPreset;
  /** @default 1 */
  readonly seed?: number;
  /** @default the board's */
  readonly sramBytes?: number;
  /** @default the board's */
  readonly flashBytes?: number;
  /** Latency limit in modelled cycles (a ms or mJ limit). */
  readonly maxCycles?: number;
  /** Latency limit in inference instructions. */
  readonly maxInstructions?: number;
  /** @default "fashion-mnist" */
  readonly dataset?: string;
  readonly dataDir?: string;
  /** Torch threads and reference workers. @default 2 */
  readonly threads?: number;
  /** Firmware build cache. */
  readonly cacheDir?: string;
  /**
   * Flash bytes kept free while searching: the trained network's constants and requantization
   * code differ from the seeded weights the search builds with (measured: +5,072 B, 8%, on a
   * 62 KB network after one epoch of fine-tuning). @default 10% of the budget
   */
  readonly flashMargin?: number;
  readonly onProgress?: (e: ProgressEvent) => void;
  readonly onWorkerEvent?: (phase: "supernet" | "finetune", e: WorkerEvent) => void;
}

/** The result of {@link runAccuracySearch}. */
export interface AccuracySearchResult {
  readonly pair: { readonly width: number; readonly resolution: number };
  readonly supernet: SupernetResult & { readonly epochs: number };
  readonly scoring: {
    readonly subnets: number;
    readonly batches: number;
    readonly seconds: number;
    readonly workerStartSeconds: number;
  };
  readonly search: TinyNasResult;
  /** Validation accuracy of the winner with inherited weights (before fine-tuning). */
  readonly inheritedValidationAccuracy: number;
  readonly outcome: TrainOutcome;
  readonly seconds: {
    readonly stage1: number;
    readonly supernet: number;
    readonly search: number;
    readonly finetune: number;
  };
}

/**
 * Run the accuracy-driven search end to end (see the module doc).
 *
 * @example
 * ```ts ignore
 * const r = await runAccuracySearch({ board, space: TINY_SPACE, engine, outDir, preset: SEARCH_PRESETS.quick });
 * r.outcome.report.onDevice;
 * ```
 */
export async function runAccuracySearch(
  options: AccuracySearchOptions,
): Promise<AccuracySearchResult> {
  const { board, space, engine, preset } = options;
  const seed = options.seed ?? 1;
  const threads = options.threads ?? 2;
  const dataset = options.dataset ?? "fashion-mnist";
  const dataDir = options.dataDir ?? resolveDataset(dataset);
  const head = { classes: FASHION_MNIST.classes, inputChannels: FASHION_MNIST.channels };
  const progress = options.onProgress ?? (() => {});
  const sramBytes = options.sramBytes ?? board.sram.size;
  const flashBytes = options.flashBytes ?? board.flash.size;
  const calibration = committedCalibration(board.core, space.name);
  const clock = () => performance.now() / 1000;

  // Stage 1 first: the super-network is trained for the space it picks.
  let t0 = clock();
  const latency = options.maxCycles ?? options.maxInstructions ?? board.clockHz;
  const stage1 = runStage1({
    space,
    head,
    limits: {
      sramBytes,
      flashBytes,
      maxMacs: Math.floor(latency / (calibration.instructionsPerMac ?? 2)),
    },
    calibration,
    seed,
    samples: preset.stage1Samples,
    onPair: (done, total, s) =>
      progress({
        phase: "stage1",
        done,
        total,
        message: `w${s.width}-r${s.resolution}: ${s.satisfied}/${s.sampled} fit`,
      }),
  });
  if (!stage1.best) {
    throw new Error(
      `Cannot choose a search space for ${board.name}: no (width, resolution) pair has enough models that fit ${sramBytes} B of SRAM and ${flashBytes} B of Flash`,
    );
  }
  const pair = { width: stage1.best.width, resolution: stage1.best.resolution };
  const tStage1 = clock() - t0;

  t0 = clock();
  const job: SupernetJob = {
    space: supernetSpace(space, pair, head),
    recipe: { ...DEFAULT_RECIPE, epochs: preset.supernet.epochs },
    seed,
    splitSeed: 0,
    threads,
    dataDir,
    outDir: `${options.outDir}/supernet`,
    sandwichRandom: preset.supernet.sandwichRandom,
    ...preset.supernet.data,
  };
  const trained = await trainSupernet(job, {
    onEvent: (e) => options.onWorkerEvent?.("supernet", e),
  });
  const tSupernet = clock() - t0;

  t0 = clock();
  const scorer = await startSubnetScorer({ ...job, checkpoint: trained.checkpoint });
  const scoring = { subnets: 0, batches: 0, seconds: 0, workerStartSeconds: scorer.startSeconds };
  const accuracies = new Map<string, number>();
  const scoreSubnets = async (subnets: readonly Subnet[], keys: readonly string[]) => {
    const start = clock();
    const out = await scorer.score(subnets);
    scoring.subnets += subnets.length;
    scoring.batches++;
    scoring.seconds += clock() - start;
    keys.forEach((k, i) => accuracies.set(k, out[i]!));
    progress({
      phase: "evolve",
      done: scoring.batches,
      total: preset.evolution.generations + 1,
      message: `scored ${subnets.length} subnets (best ${
        (100 * Math.max(...out)).toFixed(2)
      }% validation) in ${(clock() - start).toFixed(1)} s`,
    });
    return out;
  };
  const objective: QualityObjective = {
    name: "accuracy",
    score: async (c) =>
      (await scoreSubnets([subnetOf(space, c.arch, head)], [archKey(c.arch)]))[0]!,
    scoreBatch: (cs) =>
      scoreSubnets(cs.map((c) => subnetOf(space, c.arch, head)), cs.map((c) => archKey(c.arch))),
  };
  let search: TinyNasResult;
  try {
    search = await runTinyNas({
      board,
      head,
      seed,
      engine,
      space,
      pair,
      stage1,
      sramBytes,
      flashBytes,
      flashMargin: options.flashMargin ?? Math.round(0.1 * flashBytes),
      objective,
      ...(options.maxCycles !== undefined ? { maxCycles: options.maxCycles } : {}),
      ...(options.maxInstructions !== undefined
        ? { maxInstructions: options.maxInstructions }
        : {}),
      latencyTable: options.maxCycles !== undefined || options.maxInstructions !== undefined,
      evolution: preset.evolution,
      measure: true,
      onProgress: progress,
    });
  } finally {
    await scorer.close();
  }
  const tSearch = clock() - t0;

  t0 = clock();
  const winner = search.final;
  const outcome = await trainAndMeasure({ name: winner.key, arch: winner.net }, {
    board,
    outDir: `${options.outDir}/winner`,
    dataset,
    dataDir,
    preset: preset.finetune,
    seed,
    threads,
    inherit: { checkpoint: trained.checkpoint, depths: winner.arch.stages.map((g) => g.depth) },
    onEvent: (e) => options.onWorkerEvent?.("finetune", e),
    ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
  });
  const tFinetune = clock() - t0;
  return {
    pair,
    supernet: { ...trained, epochs: preset.supernet.epochs },
    scoring,
    search,
    inheritedValidationAccuracy: accuracies.get(winner.key) ?? Number.NaN,
    outcome,
    seconds: { stage1: tStage1, supernet: tSupernet, search: tSearch, finetune: tFinetune },
  };
}
