/**
 * `deno task bench`: the paper tables, plots and results into reports/ (or --out).
 *
 *     deno task bench                          # paper + mlperf (when ../shared/models exists)
 *     deno task bench --suite gate --jobs 2
 *     deno task bench --suite accuracy         # the accuracy table (trains; cached by job)
 *     deno task bench --models DIR             # every .tflite of DIR on stm32f746
 *     deno task bench --shard 1/4 --out out/1  # one quarter of the jobs
 *     deno task bench merge out/1 out/2 out/3 out/4 --out reports
 *     deno task bench --history                # also draw reports/history.html over commits
 *     deno task bench history                  # only draw the history
 *
 * @module
 */
import { userPath } from "../engine/util/mod.ts";
import { Command } from "commander";
import { BOARDS } from "../engine/target/mod.ts";
import type { EngineName } from "../engine/codegen/mod.ts";
import { ENGINES } from "../engine/codegen/mod.ts";
import { runBench, writeOutputs } from "./bench.ts";
import { HISTORY_ENV, historyPath, recordHistory } from "./history.ts";
import { writeHistoryPage } from "./history_page.ts";
import { mergeResults } from "./merge.ts";
import { createProgress } from "./progress.ts";
import { parseShard } from "./shard.ts";
import { parseList } from "./_cli.ts";
import { defaultSuites, repoRoot, SUITES } from "./suites.ts";
import { runAccuracyTable } from "../train/mod.ts";

/** The suite that trains and scores networks (`deno task accuracy`), outside the default run. */
const ACCURACY_SUITE = "accuracy";
import { acceptanceRows } from "./acceptance.ts";

const encoder = new TextEncoder();

function say(line: string): void {
  Deno.stdout.writeSync(encoder.encode(`${line}\n`));
}

interface RunFlags {
  suite?: string;
  boards?: string;
  engines?: string;
  models?: string;
  out: string;
  jobs: string;
  cache: boolean;
  shard?: string;
  plots: boolean;
  quiet?: boolean;
  history?: boolean;
  historyFile: string;
}

async function runCommand(given: RunFlags): Promise<number> {
  // Paths are the user's: relative to where they typed the command (INIT_CWD under deno task).
  const flags: RunFlags = {
    ...given,
    out: userPath(given.out),
    ...(given.models !== undefined ? { models: userPath(given.models) } : {}),
  };
  const chosen = flags.suite !== undefined
    ? parseList(flags.suite, [...SUITES, ACCURACY_SUITE], "suite")
    : flags.models !== undefined
    ? ["external"]
    : defaultSuites();
  // The accuracy suite trains networks: one implementation (train/accuracy_table.ts, its own
  // job cache and shards), never in the default run.
  if (chosen.includes(ACCURACY_SUITE)) {
    await runAccuracyTable([
      "--out",
      `${flags.out}/accuracy`,
      ...(flags.shard !== undefined ? ["--shard", flags.shard] : []),
    ]);
  }
  const suites = chosen.filter((x) => x !== ACCURACY_SUITE);
  if (suites.length === 0) return 0;
  const jobs = Number(flags.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) {
    throw new RangeError(`Cannot use --jobs ${flags.jobs}: expected a positive integer`);
  }
  const t0 = performance.now();
  const run = await runBench({
    suites,
    jobs,
    noCache: !flags.cache,
    ...(flags.models !== undefined ? { externalDir: flags.models } : {}),
    ...(flags.boards !== undefined
      ? { boards: parseList(flags.boards, Object.keys(BOARDS), "board") }
      : {}),
    ...(flags.engines !== undefined
      ? { engines: parseList(flags.engines, ENGINES, "engine") as EngineName[] }
      : {}),
    ...(flags.shard !== undefined ? { shard: parseShard(flags.shard) } : {}),
    progress: (total) => createProgress(total, { quiet: flags.quiet ?? false }),
  });
  const measuredAt = performance.now();
  const root = repoRoot();
  const historyFile = historyPath(flags.historyFile, root);
  const lines: string[] = [];
  if (historyFile !== undefined) {
    lines.push(
      recordHistory(run.rows, { path: historyFile, root, codeVersion: run.meta.codeVersion }),
    );
    if (flags.history) lines.push(await writeHistoryPage(historyFile, flags.out, root));
  } else if (flags.history) {
    throw new RangeError("Cannot draw the history with --history-file off");
  }
  const files = await writeOutputs(run.rows, run.meta, flags.out, { plots: flags.plots });
  const t1 = performance.now();
  for (const n of run.meta.notes) say(`note: ${n}`);
  for (const l of lines) say(l);
  const { measured, cached, failed } = run.stats;
  say(
    `bench: ${run.rows.length} jobs (${measured} measured, ${cached} cached, ${failed} failed) in ` +
      `${((measuredAt - t0) / 1000).toFixed(1)} s + ${
        ((t1 - measuredAt) / 1000).toFixed(1)
      } s output; ` +
      `wrote ${files.length} files to ${flags.out}`,
  );
  for (const r of run.rows.filter((x) => x.error)) say(`failed ${r.id}: ${r.error}`);
  const rejected = acceptanceRows(run.rows).filter((j) => j.failures.length > 0);
  for (const j of rejected) {
    say(`acceptance FAILED ${j.model} ${j.board}: ${j.failures.join("; ")}`);
  }
  return failed + rejected.length;
}

async function mergeCommand(
  given: string[],
  flags: { out: string; plots: boolean },
): Promise<void> {
  const dirs = given.map(userPath);
  flags = { ...flags, out: userPath(flags.out) };
  const { rows, meta } = mergeResults(dirs);
  const files = await writeOutputs(rows, meta, flags.out, { plots: flags.plots });
  say(
    `merge: ${rows.length} jobs from ${dirs.length} results; wrote ${files.length} files to ${flags.out}`,
  );
}

async function historyCommand(flags: { out: string; historyFile: string }): Promise<void> {
  const root = repoRoot();
  const file = historyPath(flags.historyFile, root);
  if (file === undefined) throw new RangeError("Cannot draw the history with --history-file off");
  say(await writeHistoryPage(file, flags.out, root));
}

const HISTORY_FILE_HELP = "history file: cache (.cache/history.jsonl), fixtures " +
  `(fixtures/history.jsonl, to commit), off, or a path (default: $${HISTORY_ENV} or cache)`;

/**
 * Build the command-line program (exported for tests); `onFailedJobs` receives how many jobs
 * failed, plus how many model/board pairs failed their acceptance checks (`acceptance.ts`:
 * tinyengine above tflm's peak SRAM, a plan above the bound) (the bench then exits 1: a table
 * with holes or a losing plan is not a successful run).
 */
export function benchProgram(onFailedJobs: (failed: number) => void = () => {}): Command {
  const program = new Command("bench")
    .description("Reproducible paper tables, plots and results (reports/)")
    .enablePositionalOptions()
    .option(
      "--suite <names>",
      `comma-separated suites: ${
        [...SUITES, ACCURACY_SUITE].join(", ")
      } (default: paper,mlperf,real; accuracy trains networks, see train/accuracy_table.ts)`,
    )
    .option(
      "--boards <names>",
      `measure every case on these boards instead: ${Object.keys(BOARDS).join(", ")}`,
    )
    .option("--engines <names>", `comma-separated engines: ${ENGINES.join(", ")} (default: all)`)
    .option("--models <dir>", "directory of .tflite files (the external suite)")
    .option("--out <dir>", "output directory", "reports")
    .option("--jobs <n>", "parallel workers", "2")
    .option("--no-cache", "ignore cached measurements (fresh ones are still stored)")
    .option("--no-plots", "skip the SVG plots")
    .option("--shard <i/n>", "run the i-th of n deterministic shards (1-based)")
    .option("--quiet", "no progress display")
    .option("--history", "also draw history.html: the figures per model over commits")
    .option("--history-file <where>", HISTORY_FILE_HELP, Deno.env.get(HISTORY_ENV) ?? "cache")
    .action(async (flags: RunFlags) => onFailedJobs(await runCommand(flags)));
  program.command("history")
    .description("draw history.html from the history file without measuring")
    .option("--out <dir>", "output directory", "reports")
    .option("--history-file <where>", HISTORY_FILE_HELP, Deno.env.get(HISTORY_ENV) ?? "cache")
    .action(async (flags: { out: string; historyFile: string }) => await historyCommand(flags));
  program.command("merge")
    .description("merge the results.json of shard output directories into one report")
    .argument("<dirs...>", "shard output directories")
    .option("--out <dir>", "output directory", "reports")
    .option("--no-plots", "skip the SVG plots")
    .action(async (dirs: string[], flags: { out: string; plots: boolean }) =>
      await mergeCommand(dirs, flags)
    );
  return program;
}

if (import.meta.main) {
  try {
    let failedJobs = 0;
    await benchProgram((n) => failedJobs = n).parseAsync(Deno.args, { from: "user" });
    if (failedJobs > 0) {
      Deno.stderr.writeSync(encoder.encode(
        `error: ${failedJobs} bench jobs failed or failed their acceptance checks\n`,
      ));
      Deno.exit(1);
    }
  } catch (e) {
    Deno.stderr.writeSync(encoder.encode(`error: ${e instanceof Error ? e.message : String(e)}\n`));
    Deno.exit(1);
  }
}
