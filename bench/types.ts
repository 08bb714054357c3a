/**
 * Records of the bench: what to measure (cases and jobs) and what was measured (rows).
 * Every record is plain JSON so it can cross a Worker boundary, live in the cache and in
 * `results.json`.
 *
 * @module
 */
import type { EngineName } from "../engine/codegen/mod.ts";
import type { RunReport } from "../pipeline/mod.ts";

/** Where a model comes from. */
export type ModelSource =
  /** A published MCUNet/MbV2/Proxyless configuration (../shared/mcunet-configs), by name. */
  | {
    readonly kind: "config";
    readonly name: string;
    /** Absolute path of the configuration JSON. */
    readonly path: string;
  }
  /** A builder spec such as `mbv2-w0.35-r64`. */
  | { readonly kind: "builder"; readonly spec: string }
  /**
   * A `.tflite` file; `io: "int8"` drops its float boundary QUANTIZE/DEQUANTIZE (`--io int8`,
   * engine/ir/io_boundary.ts).
   */
  | { readonly kind: "tflite"; readonly path: string; readonly io?: "int8" }
  /** A generated model of the `real` suite (bench/real_models.ts), by id. */
  | { readonly kind: "generated"; readonly name: string };

/** One network of a suite and the boards it is measured on. */
export interface BenchCase {
  /** Stable model id used in tables, anchors and baselines (e.g. `mcunet-320kb-1mb`). */
  readonly id: string;
  /** Suite the case belongs to (`paper`, `mlperf`, `external`, `gate`). */
  readonly suite: string;
  /** Human-readable label for tables, e.g. `MCUNet 320kB/1MB`. */
  readonly label: string;
  /** Where it comes from. */
  readonly source: ModelSource;
  /** Boards, the published one(s) first. */
  readonly boards: readonly string[];
}

/** One unit of work: a case on one engine and one board. */
export interface BenchJob {
  /** `model|engine|board`: unique within a bench run. */
  readonly id: string;
  /** The case this job measures. */
  readonly case: BenchCase;
  /** Engine name. */
  readonly engine: EngineName;
  /** Board name. */
  readonly board: string;
}

/** Live arena bytes at one step of the schedule (for the memory-profile plot). */
export interface LiveStep {
  /** Op index in the compiled schedule. */
  readonly step: number;
  /** Bytes of the arena covered by buffers live at this step (aliases counted once) plus the persistent tail. */
  readonly liveBytes: number;
}

/** A measurement as stored in results and the cache: the RunReport without the output values. */
export type MeasuredReport = Omit<RunReport, "output"> & {
  /** Number of output values (the values themselves are not tabulated). */
  readonly outputLength: number;
};

/** What the bench knows about one job: a measurement, or the error that stopped it. */
export interface BenchRow {
  /** Stable id. */
  readonly id: string;
  /** Model id. */
  readonly model: string;
  /** Human-readable name. */
  readonly label: string;
  /** Suite the case belongs to. */
  readonly suite: string;
  /** Engine name. */
  readonly engine: EngineName;
  /** Board name. */
  readonly board: string;
  /** Content hash of the model (spec or file bytes), hex. */
  readonly modelHash: string;
  /** Measurement; absent when the job failed. */
  readonly report?: MeasuredReport;
  /** Layer-by-layer liveness lower bound of peak activation memory, when the analysis provides it. */
  readonly livenessLowerBoundBytes?: number;
  /** Per-step live arena bytes, when the plan's buffers were available. */
  readonly memoryProfile?: readonly LiveStep[];
  /** Live activation bytes at each op of the imported graph under the liveness bound's rules. */
  readonly livenessProfile?: readonly number[];
  /**
   * Elements of each float boundary operator of the graph (QUANTIZE of a float32 input,
   * DEQUANTIZE to a float32 output), in graph order: the per-element cost beside the layers'
   * instructions.
   */
  readonly floatBoundary?: readonly {
    readonly op: "QUANTIZE" | "DEQUANTIZE";
    readonly elements: number;
  }[];
  /** Error message (first line names the stage) when the job failed. */
  readonly error?: string;
}

/** Metadata of one results set (a full bench, a shard or a merge). */
export interface ResultsMeta {
  /** Hash of engine/, emulator/ and firmware sources (the measurement code). */
  readonly codeVersion: string;
  /** Suites included. */
  readonly suites: readonly string[];
  /** `i/n` when this is a shard, absent for a full run or a merge. */
  readonly shard?: string;
  /** Lines the bench wants a reader to see (skipped suites etc.). */
  readonly notes: readonly string[];
}

/** The `results.json` document. */
export interface ResultsFile {
  /** Format identifier. */
  readonly format: "mcunet-bench-results/1";
  /** Metadata of the results set. */
  readonly meta: ResultsMeta;
  /** One row per job. */
  readonly rows: readonly BenchRow[];
}
