/**
 * The measuring step of one job: load the model, run it through the engine on the board, and add
 * what the bench plots (per-step live arena bytes, the liveness lower bound).
 *
 * The engine modules are reached through {@link MeasureApi} so the bench can be tested with
 * constructed records, and so it works while parts of the engine are still landing.
 *
 * @module
 */
import type { EngineName, PlacedBuffer } from "../engine/codegen/mod.ts";
import { elementCount, type Graph } from "../engine/ir/mod.ts";
import type { RunReport } from "../pipeline/mod.ts";
import type { CachedMeasurement } from "./cache.ts";
import { memoryProfile } from "./memory_profile.ts";
import type { BenchJob, BenchRow, LiveStep, MeasuredReport, ModelSource } from "./types.ts";

/** What the bench needs from the engine. */
export interface MeasureApi {
  /** Build or read the model. */
  loadModel(source: ModelSource): Promise<Graph>;
  /** Compile, build, emulate, compare: one RunReport. */
  runModel(
    graph: Graph,
    options: {
      readonly engine: EngineName;
      readonly board: string;
      readonly modelName: string;
      /** Firmware build cache directory. */
      readonly cacheDir?: string;
    },
  ): Promise<RunReport>;
  /** The compiled plan's buffers and persistent tail, when the backend can tell. */
  planBuffers?(
    graph: Graph,
    options: { readonly engine: EngineName; readonly board: string },
  ): { readonly buffers: readonly PlacedBuffer[]; readonly tailBytes: number } | undefined;
  /**
   * Layer-by-layer liveness lower bound of peak activation bytes (in-place depthwise for
   * tinyengine, inputs and outputs coexisting for tflm) and the live bytes at every op.
   */
  liveness?(graph: Graph, options: { readonly engine: EngineName }): LivenessResult | undefined;
}

/** A liveness lower bound and its per-op live bytes. */
export interface LivenessResult {
  /** The bound in bytes. */
  readonly bytes: number;
  /** Live bytes at each op, in execution order. */
  readonly perOp: readonly number[];
}

/** Outcome of one job: a measurement, or an error message. */
export type MeasureOutcome =
  | { readonly ok: true; readonly value: CachedMeasurement }
  | { readonly ok: false; readonly error: string };

/** The RunReport as the bench stores it (output values replaced by their count). */
export function toMeasuredReport(report: RunReport): MeasuredReport {
  const { output, ...rest } = report;
  return { ...rest, outputLength: output.length };
}

/** The float boundary operators of a graph and their element counts, in graph order. */
export function floatBoundaryOf(graph: Graph): NonNullable<BenchRow["floatBoundary"]> {
  return graph.nodes.flatMap((n) => {
    const float = n.op === "QUANTIZE"
      ? graph.tensors[n.inputs[0]!]
      : n.op === "DEQUANTIZE"
      ? graph.tensors[n.outputs[0]!]
      : undefined;
    if (float?.dtype !== "float32" || (n.op !== "QUANTIZE" && n.op !== "DEQUANTIZE")) return [];
    return [{ op: n.op, elements: elementCount(float.shape) }];
  });
}

/** One-line error text: the error's name and message, stack dropped. */
export function errorText(stage: string, e: unknown): string {
  const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return `${stage}: ${msg.split("\n").slice(0, 6).join(" | ")}`;
}

/**
 * Measure one job. Never throws: a failure at any stage becomes `{ ok: false, error }` naming the
 * stage (load, run).
 *
 * @example
 * ```ts ignore
 * const outcome = await measureJob(job, api, { graph: cachedGraph });
 * ```
 */
export async function measureJob(
  job: BenchJob,
  api: MeasureApi,
  options: { readonly graph?: Graph; readonly firmwareCacheDir?: string } = {},
): Promise<MeasureOutcome> {
  let graph: Graph;
  try {
    graph = options.graph ?? await api.loadModel(job.case.source);
  } catch (e) {
    return { ok: false, error: errorText("load", e) };
  }
  let report: RunReport;
  try {
    report = await api.runModel(graph, {
      engine: job.engine,
      board: job.board,
      modelName: job.case.id,
      ...(options.firmwareCacheDir !== undefined ? { cacheDir: options.firmwareCacheDir } : {}),
    });
  } catch (e) {
    return { ok: false, error: errorText("run", e) };
  }
  const value: {
    report: MeasuredReport;
    livenessLowerBoundBytes?: number;
    memoryProfile?: readonly LiveStep[];
    livenessProfile?: readonly number[];
    floatBoundary?: NonNullable<BenchRow["floatBoundary"]>;
  } = { report: toMeasuredReport(report) };
  const boundary = floatBoundaryOf(graph);
  if (boundary.length > 0) value.floatBoundary = boundary;
  // Extras are best effort: a failure here leaves the measurement intact.
  try {
    const plan = api.planBuffers?.(graph, { engine: job.engine, board: job.board });
    if (plan) value.memoryProfile = memoryProfile(plan.buffers, { tailBytes: plan.tailBytes });
  } catch { /* no profile */ }
  try {
    const lb = api.liveness?.(graph, { engine: job.engine });
    if (lb !== undefined) {
      value.livenessLowerBoundBytes = lb.bytes;
      value.livenessProfile = lb.perOp;
    }
  } catch { /* no bound */ }
  return { ok: true, value };
}
