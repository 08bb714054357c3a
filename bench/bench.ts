/**
 * One bench run end to end: suites -> jobs -> (shard) -> cache/workers -> rows; and the outputs
 * (report.md, results.json, results.csv, plots/*.svg) written deterministically.
 *
 * @module
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { EngineName } from "../engine/codegen/mod.ts";
import { loadAnchors } from "./anchors.ts";
import { codeVersion } from "./cache.ts";
import { renderHtml } from "./html.ts";
import { plotSpecs, renderSvg } from "./plots.ts";
import { type Executor, WorkerPool } from "./pool.ts";
import type { Progress } from "./progress.ts";
import { layersCsv, resultsCsv, resultsJson } from "./results.ts";
import { expandJobs, runJobs, type RunStats } from "./runner.ts";
import { selectShard, type Shard } from "./shard.ts";
import { repoRoot, resolveSuite } from "./suites.ts";
import { renderReport } from "./tables.ts";
import type { BenchCase, BenchRow, ResultsMeta } from "./types.ts";

/** Options of {@link runBench}. */
export interface RunBenchOptions {
  /** Suites included. */
  readonly suites: readonly string[];
  /** `--models DIR` for the external suite. */
  readonly externalDir?: string;
  /** Replace every case's boards. */
  readonly boards?: readonly string[];
  /** @default every engine */
  /** Engines to run. */
  readonly engines?: readonly EngineName[];
  /** Shard to run. */
  readonly shard?: Shard;
  /** Parallel workers. @default 2 */
  readonly jobs?: number;
  /** Ignore cached measurements. @default false */
  readonly noCache?: boolean;
  /** @default <repo>/.cache/bench */
  /** Bench cache directory. */
  readonly cacheDir?: string;
  /** @default the parent of bench/ */
  /** Repository root. */
  readonly repoRoot?: string;
  /** Measure jobs with this instead of a worker pool (tests). */
  readonly executor?: Executor;
  /** Make the progress display for a number of jobs. */
  readonly progress?: (total: number) => Progress;
  /** Code version to key the cache with. @default computed from the sources */
  readonly codeVersion?: string;
}

/** A finished run. */
export interface BenchRun {
  /** One row per job. */
  readonly rows: BenchRow[];
  /** Metadata of the results set. */
  readonly meta: ResultsMeta;
  /** Counters of the run. */
  readonly stats: RunStats;
}

/** `arm-none-eabi-gcc -dumpversion`, or `none` when the toolchain is missing. */
export function toolchainVersion(): string {
  try {
    const out = new Deno.Command("arm-none-eabi-gcc", {
      args: ["-dumpversion"],
      stdout: "piped",
      stderr: "null",
    })
      .outputSync();
    return out.success
      ? `arm-none-eabi-gcc ${new TextDecoder().decode(out.stdout).trim()}`
      : "none";
  } catch {
    return "none";
  }
}

/**
 * Resolve the suites, expand and shard the jobs, and measure them.
 *
 * @example
 * ```ts ignore
 * const run = await runBench({ suites: ["gate"], jobs: 2 });
 * await writeOutputs(run.rows, run.meta, "reports");
 * ```
 */
export async function runBench(options: RunBenchOptions): Promise<BenchRun> {
  const root = options.repoRoot ?? repoRoot();
  const notes: string[] = [];
  const cases: BenchCase[] = [];
  for (const s of options.suites) {
    const r = resolveSuite(
      s,
      options.externalDir === undefined ? {} : { externalDir: options.externalDir },
    );
    cases.push(...r.cases);
    notes.push(...r.notes);
  }
  let jobs = expandJobs(cases, {
    ...(options.engines ? { engines: options.engines } : {}),
    ...(options.boards ? { boards: options.boards } : {}),
  });
  if (options.shard) jobs = selectShard(jobs, options.shard);
  const version = options.codeVersion ?? codeVersion(root, { extra: toolchainVersion() });
  const progress = options.progress?.(jobs.length);
  let pool: WorkerPool | undefined;
  const executor: Executor = options.executor ?? ((job) => {
    pool ??= new WorkerPool(Math.max(1, Math.min(options.jobs ?? 2, jobs.length)), {
      ...(options.noCache ? {} : { firmwareCacheDir: join(root, ".cache", "firmware") }),
    });
    return pool.run(job);
  });
  try {
    const { rows, stats } = await runJobs(jobs, {
      executor,
      codeVersion: version,
      cacheDir: options.cacheDir ?? join(root, ".cache", "bench"),
      noCache: options.noCache ?? false,
      ...(progress ? { progress } : {}),
    });
    const meta: ResultsMeta = {
      codeVersion: version,
      suites: [...options.suites],
      ...(options.shard ? { shard: `${options.shard.index}/${options.shard.count}` } : {}),
      notes,
    };
    return { rows, meta, stats };
  } finally {
    progress?.stop();
    (pool as WorkerPool | undefined)?.close();
  }
}

/**
 * Write `index.html`, `report.md`, `results.json`, `results.csv`, `layers.csv` and `plots/*.svg`
 * into `outDir` (stale SVGs in `plots/` are removed; `index.html` links `history.html` when
 * `outDir` has one). Returns the paths written, relative to `outDir`.
 */
export async function writeOutputs(
  rows: readonly BenchRow[],
  meta: ResultsMeta,
  outDir: string,
  options: { readonly plots?: boolean } = {},
): Promise<string[]> {
  const out = resolve(outDir);
  const plotsDir = join(out, "plots");
  mkdirSync(plotsDir, { recursive: true });
  if (existsSync(plotsDir)) {
    for (const f of readdirSync(plotsDir)) if (f.endsWith(".svg")) rmSync(join(plotsDir, f));
  }
  const written: string[] = [];
  const plotFiles: string[] = [];
  const svgs = new Map<string, string>();
  if (options.plots ?? true) {
    for (const p of plotSpecs(rows)) {
      const svg = await renderSvg(p.spec);
      writeFileSync(join(plotsDir, p.file), svg);
      svgs.set(p.file, svg);
      plotFiles.push(`plots/${p.file}`);
    }
  }
  writeFileSync(join(out, "results.json"), resultsJson(rows, meta));
  writeFileSync(join(out, "results.csv"), resultsCsv(rows));
  writeFileSync(join(out, "layers.csv"), layersCsv(rows));
  writeFileSync(
    join(out, "report.md"),
    renderReport(rows, meta, { anchors: loadAnchors(), plots: plotFiles }),
  );
  const history = existsSync(join(out, "history.html")) ? { historyHref: "history.html" } : {};
  writeFileSync(
    join(out, "index.html"),
    renderHtml(rows, meta, { anchors: loadAnchors(), svgs, ...history }),
  );
  written.push(
    "index.html",
    "report.md",
    "results.json",
    "results.csv",
    "layers.csv",
    ...plotFiles,
  );
  return written;
}
