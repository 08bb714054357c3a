/**
 * The records of {@link runTinyNas}: its options, its result and the tuning constants behind the
 * options' defaults.
 *
 * @module
 */
import type { Board } from "../engine/target/mod.ts";
import type { RunReport } from "../pipeline/mod.ts";
import type { CostCalibration } from "./cost.ts";
import type { SearchEngine } from "./engine.ts";
import type { EvolutionOptions, EvolutionResult } from "./evolution.ts";
import type { CandidateMetrics, FinalAttempt, LatencyCheck, ProgressEvent } from "./records.ts";
import type { LatencyMetric, LatencyTable } from "./latency.ts";
import type { QualityObjective } from "./objective.ts";
import type { Arch, MbconvArch, SearchSpace, TaskHead } from "./space.ts";
import type { Limits, Stage1Result } from "./stage1.ts";

/**
 * Tuning constants of `runTinyNas`, each the default of the option of the same name
 * (`instructionsPerMac` of the calibration; `generations` of the evolution parameters).
 */
export const TINYNAS_DEFAULTS = {
  /** Instructions per MAC when the calibration has none (analytic latency screen). */
  instructionsPerMac: 2,
  /** Stage-1 samples per (width, resolution) pair. */
  stage1Samples: 1000,
  /** Held-out architectures the latency table is checked on. */
  verifyArchs: 2,
  /** Parents whose estimated SRAM is within this fraction of the limit get the exact plan. */
  exactBand: 1,
  /** Bytes over the SRAM limit within which a typical estimate still gets the exact plan. */
  exactSlack: 8192,
  /** Evolution generations. */
  generations: 30,
  /** Candidates of the final population measured, best first, until one fits. */
  finalTries: 5,
} as const;

/** Parameters of the evolution (published defaults): the tuning fields of the evolution's options. */
export type EvolutionParams = Partial<
  Pick<
    EvolutionOptions<unknown>,
    | "population"
    | "parents"
    | "mutationChildren"
    | "crossoverChildren"
    | "mutateProb"
    | "generations"
    | "maxTries"
  >
>;

/** Options of `runTinyNas`. */
export interface TinyNasOptions {
  readonly board: Board;
  readonly head: TaskHead;
  readonly seed: number;
  readonly engine: SearchEngine;
  /** SRAM budget in bytes, at most the board's (a tiny target on a larger board). @default the board's */
  readonly sramBytes?: number;
  /** Flash budget in bytes, at most the board's. @default the board's */
  readonly flashBytes?: number;
  /**
   * Flash bytes kept free while searching (a trained network's requantization code differs a
   * little from the search's seeded weights); the final measured check uses the whole budget.
   * @default 0
   */
  readonly flashMargin?: number;
  /** @default MCUNET_SPACE */
  readonly space?: SearchSpace;
  /** @default the committed calibration of the board's core */
  readonly calibration?: CostCalibration;
  /** @default MACS_OBJECTIVE */
  readonly objective?: QualityObjective;
  /** Stage-1 samples per (width, resolution) pair. @default 1000 */
  readonly stage1Samples?: number;
  /** @default 0.1 */
  readonly minFraction?: number;
  /** A stage 1 already run with these limits (its best pair is searched unless `pair`). */
  readonly stage1?: Stage1Result;
  /** Skip the stage-1 choice and search this pair. */
  readonly pair?: { readonly width: number; readonly resolution: number };
  /** Latency limit in inference instructions. @default the board's clock in Hz (~1 s at 1 IPC) */
  readonly maxInstructions?: number;
  /**
   * Latency limit in modelled inference cycles (docs/cycle-model.md; a ms or mJ limit at the
   * board's clock and run current). When set, the latency table is a cycle table, predictions
   * and the final measured check are in modelled cycles, and `maxInstructions` is ignored.
   */
  readonly maxCycles?: number;
  readonly evolution?: EvolutionParams;
  /**
   * Allow patch-based execution of the first stage (issue #15): SRAM in both stages is screened
   * with the best plan including patches whose recomputed MACs stay within this share, the exact
   * plan and the final run compile with tinyengine's `patches: "auto"` under the same bound.
   * @default layer by layer
   */
  readonly patchMacOverhead?: number;
  /** Measure in the emulator (latency table, held-out check, final run). @default true */
  readonly measure?: boolean;
  /**
   * Fill and use the latency table (when measuring); false screens latency with the calibrated
   * instructions per MAC and only the final run measures. @default true
   */
  readonly latencyTable?: boolean;
  /** Held-out random architectures on which the latency table is checked. @default 2 */
  readonly verifyArchs?: number;
  /**
   * Parents whose estimated SRAM is within this fraction of the limit get the exact plan
   * (1 = every parent). @default 1
   */
  readonly exactBand?: number;
  /**
   * Fraction by which stage 2 tightens the latency limit. @default max(0.5%, 2 x the held-out
   * table error) when measuring, else 0
   */
  readonly latencyMargin?: number;
  /** Candidates of the final population measured, best first, until one fits. @default 5 */
  readonly finalTries?: number;
  /**
   * Candidates whose typical SRAM estimate exceeds the limit by at most this many bytes (and all
   * whose conservative estimate exceeds it) get the exact plan. @default 8192
   */
  readonly exactSlack?: number;
  /** Latency table cache folder. @default ".cache/latency" */
  readonly cacheDir?: string;
  /** Repository root (for the engine code hash). @default the parent of this folder */
  readonly root?: string;
  readonly onProgress?: (event: ProgressEvent) => void;
}

/** Result of `runTinyNas`. */
export interface TinyNasResult {
  readonly board: string;
  readonly seed: number;
  /** `maxInstructions` is the latency limit in `metric` units (cycles with `maxCycles`). */
  readonly limits: Limits & { readonly maxInstructions: number };
  /** The latency table's and the limit's unit. */
  readonly metric: LatencyMetric;
  readonly calibration: CostCalibration;
  readonly stage1: Stage1Result;
  readonly pair: { readonly width: number; readonly resolution: number };
  readonly latency: {
    readonly table: LatencyTable;
    readonly coverRuns: number;
    readonly fromCache: boolean;
    readonly checks: readonly LatencyCheck[];
    readonly maxError: number;
  };
  readonly evolution: EvolutionResult<CandidateMetrics>;
  readonly final: {
    readonly arch: Arch;
    readonly net: MbconvArch;
    readonly key: string;
    readonly predicted: CandidateMetrics;
    readonly measured?: RunReport;
    /** Measured (or, without measurement, predicted) fit to SRAM, Flash and latency. */
    readonly fits: boolean;
    /** Candidates tried in order before one passed the measured check. */
    readonly tried: number;
    /** Each measured candidate: predicted against measured. */
    readonly attempts: readonly FinalAttempt[];
  };
  /** Fraction the latency limit was tightened by in stage 2. */
  readonly latencyMargin: number;
  readonly seconds: {
    readonly stage1: number;
    readonly latency: number;
    readonly evolve: number;
    readonly final: number;
  };
}
