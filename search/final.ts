/**
 * The last step of TinyNAS: measure the best candidates of the final population (compile, build,
 * emulate, compare with the reference) in order until one fits the limits when measured.
 *
 * @module
 */
import type { Board } from "../engine/target/mod.ts";
import type { SearchEngine, SearchPatches } from "./engine.ts";
import type { Evaluated } from "./evolution.ts";
import type { LatencyMetric } from "./latency.ts";
import type { Arch, MbconvArch } from "./space.ts";
import type { CandidateMetrics, FinalAttempt, ProgressEvent } from "./records.ts";
import type { TinyNasResult } from "./tinynas.ts";

/** Options of {@link measureFinal}. */
export interface MeasureFinalOptions {
  readonly population: readonly Evaluated<CandidateMetrics>[];
  readonly netOf: (arch: Arch) => MbconvArch;
  readonly engine: SearchEngine;
  readonly board: Board;
  readonly limits: {
    readonly sramBytes: number;
    readonly flashBytes: number;
    readonly maxInstructions: number;
  };
  readonly metric: LatencyMetric;
  readonly seed: number;
  /** Candidates measured at most. */
  readonly tries: number;
  /** Without measurement the best candidate is taken as predicted. */
  readonly measure: boolean;
  readonly progress: (event: ProgressEvent) => void;
  /** Patch-based execution the search allowed (issue #15); the final compile uses it. */
  readonly patches?: SearchPatches;
}

/**
 * Measure candidates best first until one fits SRAM, Flash and latency; the last measured one
 * (with `fits: false`) when none does.
 */
export async function measureFinal(options: MeasureFinalOptions): Promise<TinyNasResult["final"]> {
  const { engine, board, limits, metric, progress } = options;
  let final: TinyNasResult["final"] | undefined;
  const tries = Math.min(options.tries, options.population.length);
  const attempts: FinalAttempt[] = [];
  for (let i = 0; i < tries; i++) {
    const c = options.population[i]!;
    const net = options.netOf(c.arch);
    if (!options.measure) {
      return {
        arch: c.arch,
        net,
        key: c.key,
        predicted: c.metrics,
        fits: true,
        tried: i + 1,
        attempts,
      };
    }
    progress({
      phase: "final",
      done: i,
      total: tries,
      message: `measuring candidate ${i + 1}: ${c.key}`,
    });
    const graph = engine.buildGraph(net, { name: "tinynas", seed: options.seed });
    const report = await engine.runModel(graph, board, options.patches ?? {});
    const over: string[] = [];
    if (report.peakSramBytes > limits.sramBytes) over.push(`SRAM ${report.peakSramBytes}`);
    if (report.flashBytes > limits.flashBytes) over.push(`Flash ${report.flashBytes}`);
    const cost = metric === "cycles" ? report.cycles ?? 0 : report.instructions;
    if (cost > limits.maxInstructions) over.push(`${cost} ${metric}`);
    const fits = over.length === 0;
    attempts.push({
      key: c.key,
      predicted: c.metrics,
      measured: {
        peakSramBytes: report.peakSramBytes,
        flashBytes: report.flashBytes,
        instructions: report.instructions,
        ...(report.cycles !== undefined ? { cycles: report.cycles } : {}),
      },
      fits,
    });
    progress({
      phase: "final",
      done: i + 1,
      total: tries,
      message: fits
        ? `candidate ${
          i + 1
        } fits: SRAM ${report.peakSramBytes}, Flash ${report.flashBytes}, ${cost} ${metric}`
        : `candidate ${i + 1} exceeds the limits when measured: ${over.join(", ")}`,
    });
    final = {
      arch: c.arch,
      net,
      key: c.key,
      predicted: c.metrics,
      measured: report,
      fits,
      tried: i + 1,
      attempts,
    };
    if (fits) break;
  }
  if (!final) throw new Error("Cannot measure the final candidates: the population is empty");
  return final;
}
