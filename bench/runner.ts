/**
 * The bench runner: expands cases into jobs (case x engine x board), answers from the content-hash
 * cache what it can, measures the rest in parallel, and returns one row per job in a stable order.
 * A failed job is a row with its error, never a crash of the whole run.
 *
 * @module
 */
import type { EngineName } from "../engine/codegen/mod.ts";
import { BenchCache, cacheKey, modelHash } from "./cache.ts";
import { errorText } from "./measure.ts";
import type { Executor } from "./pool.ts";
import type { Progress } from "./progress.ts";
import type { BenchCase, BenchJob, BenchRow } from "./types.ts";

/** Job id: `model|engine|board`. */
export function jobId(model: string, engine: string, board: string): string {
  return `${model}|${engine}|${board}`;
}

/**
 * Expand cases into jobs, in case order, then board order, then engine order. A case that appears
 * in several suites is measured once (first suite wins).
 *
 * @param options.engines engines to run. @default ["tinyengine", "tflm"]
 * @param options.boards replace every case's boards with these
 */
export function expandJobs(
  cases: readonly BenchCase[],
  options: { readonly engines?: readonly EngineName[]; readonly boards?: readonly string[] } = {},
): BenchJob[] {
  const engines = options.engines ?? ["tinyengine", "tflm"];
  const seen = new Set<string>();
  const jobs: BenchJob[] = [];
  for (const c of cases) {
    for (const board of options.boards ?? c.boards) {
      for (const engine of engines) {
        const id = jobId(c.id, engine, board);
        if (seen.has(id)) continue;
        seen.add(id);
        jobs.push({ id, case: c, engine, board });
      }
    }
  }
  return jobs;
}

/** Options of {@link runJobs}. */
export interface RunJobsOptions {
  /** Runs a job that the cache cannot answer. */
  readonly executor: Executor;
  /** Hash of the measuring code (see `codeVersion`). */
  readonly codeVersion: string;
  /** Cache directory; no caching when absent. */
  readonly cacheDir?: string;
  /** Read no cache entries (still writes fresh ones). @default false */
  readonly noCache?: boolean;
  /** Progress display. */
  readonly progress?: Progress;
}

/** Counters of one run. */
export interface RunStats {
  /** Jobs measured in this run. */
  readonly measured: number;
  /** Jobs answered from the cache. */
  readonly cached: number;
  /** Jobs that failed. */
  readonly failed: number;
}

function baseRow(job: BenchJob, hash: string): Omit<BenchRow, "report"> {
  return {
    id: job.id,
    model: job.case.id,
    label: job.case.label,
    suite: job.case.suite,
    engine: job.engine,
    board: job.board,
    modelHash: hash,
  };
}

/**
 * Measure jobs (cache first), rows in job order.
 *
 * @example
 * ```ts ignore
 * using pool = new WorkerPool(2);
 * const { rows } = await runJobs(jobs, { executor: (j) => pool.run(j), codeVersion: v, cacheDir: ".cache/bench" });
 * ```
 */
export async function runJobs(
  jobs: readonly BenchJob[],
  options: RunJobsOptions,
): Promise<{ rows: BenchRow[]; stats: RunStats }> {
  const cache = options.cacheDir === undefined ? undefined : new BenchCache(options.cacheDir);
  const hashes = new Map<string, string>();
  let measured = 0;
  let cached = 0;
  let failed = 0;
  const one = async (job: BenchJob): Promise<BenchRow> => {
    let hash = hashes.get(job.case.id);
    if (hash === undefined) {
      try {
        hash = modelHash(job.case.source);
      } catch (e) {
        failed++;
        const row = { ...baseRow(job, ""), error: errorText("load", e) };
        options.progress?.done(job.id, "error", row.error);
        return row;
      }
      hashes.set(job.case.id, hash);
    }
    const key = cacheKey({
      modelHash: hash,
      engine: job.engine,
      board: job.board,
      codeVersion: options.codeVersion,
    });
    const hit = options.noCache ? undefined : cache?.get(key);
    if (hit) {
      cached++;
      options.progress?.done(job.id, "cached");
      return { ...baseRow(job, hash), ...hit };
    }
    const outcome = await options.executor(job);
    if (!outcome.ok) {
      failed++;
      options.progress?.done(job.id, "error", outcome.error);
      return { ...baseRow(job, hash), error: outcome.error };
    }
    measured++;
    cache?.set(key, outcome.value);
    options.progress?.done(job.id, "ok");
    return { ...baseRow(job, hash), ...outcome.value };
  };
  const rows = await Promise.all(jobs.map(one));
  return { rows, stats: { measured, cached, failed } };
}
