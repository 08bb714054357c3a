/**
 * Records of a TinyNAS run shared by its steps: progress events, per-candidate metrics, held-out
 * latency checks and measured final attempts.
 *
 * @module
 */
import type { PlanFigures } from "./engine.ts";

/** A progress event (the CLI renders them; the library never prints). */
export interface ProgressEvent {
  readonly phase: "stage1" | "latency" | "verify" | "evolve" | "final";
  readonly done: number;
  readonly total: number;
  readonly message: string;
}

/** What stage 2 records per candidate. */
export interface CandidateMetrics {
  readonly macs: number;
  readonly params: number;
  /** Predicted peak SRAM (exact plan arena when `planSource` says so). */
  readonly sramBytes: number;
  readonly arenaBytes: number;
  readonly flashBytes: number;
  /** Predicted inference cost from the latency table, in its metric (instructions or cycles). */
  readonly instructions: number;
  readonly planSource: "estimate" | PlanFigures["source"];
  /**
   * Where `flashBytes` comes from: the shape-only estimate, the compile (exact model constants +
   * calibrated code) or a real gcc build.
   */
  readonly flashSource?: "estimate" | "compile" | "build";
  /** The compile's Flash range straddles the limit: a real build decides (for parents). */
  readonly flashUncertain?: boolean;
  /** Kernel family the compiler chooses (known once the exact plan ran). */
  readonly family?: string;
  /** Whether the compiler streams the expansions (known once the exact plan ran). */
  readonly streamed?: boolean;
}

/** One measured final candidate. */
export interface FinalAttempt {
  readonly key: string;
  readonly predicted: CandidateMetrics;
  readonly measured: {
    readonly peakSramBytes: number;
    readonly flashBytes: number;
    readonly instructions: number;
    /** Modelled inference cycles. */
    readonly cycles?: number;
  };
  readonly fits: boolean;
}

/** One held-out check of the latency table. */
export interface LatencyCheck {
  readonly key: string;
  readonly predicted: number;
  readonly measured: number;
  /** |predicted - measured| / measured. */
  readonly error: number;
  /** Kernel family the compiler chose for it. */
  readonly family: string;
  /** Whether the compiler streamed its expansions. */
  readonly streamed: boolean;
  /** Kernels predicted from another family's entries. */
  readonly substituted: number;
}
