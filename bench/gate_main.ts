/**
 * `deno task gate`: re-measure the gate suite and compare with fixtures/baselines/. Exits 1 naming
 * each regression and each model failing its acceptance checks (`acceptance.ts`); `--update`
 * rewrites the baselines (review the diff like code).
 *
 * @module
 */
import { Command } from "commander";
import { join } from "node:path";
import { runBench, type RunBenchOptions, writeOutputs } from "./bench.ts";
import {
  compareWithBaselines,
  formatFinding,
  gateFails,
  parseTolerances,
  readBaselines,
  updateBaselines,
} from "./gate.ts";
import { HISTORY_ENV, historyPath, recordHistory } from "./history.ts";
import { createProgress } from "./progress.ts";
import { repoRoot, SUITES } from "./suites.ts";
import { parseList } from "./_cli.ts";
import { acceptanceRows } from "./acceptance.ts";

const encoder = new TextEncoder();

function sayStdout(line: string): void {
  Deno.stdout.writeSync(encoder.encode(`${line}\n`));
}

/** Flags of the gate command. */
export interface GateFlags {
  /** Suite name(s). */
  suite: string;
  /** Baseline directory. */
  baselines: string;
  /** `metric=ratio` pairs. */
  tolerance: string[];
  /** Rewrite the baselines instead of comparing. */
  update?: boolean;
  /** Parallel workers, as given on the command line. */
  jobs: string;
  /** Read cached measurements (commander's --no-cache sets false). */
  cache: boolean;
  /** Also write the gate run's report here. */
  out?: string;
  /** No progress display. */
  quiet?: boolean;
  /** Where to record the run's figures (`cache`, `fixtures`, `off` or a path); absent: nowhere. */
  historyFile?: string;
}

/**
 * Run the gate; returns the process exit code (0 pass, 1 regression or error). `run` passes extra
 * options to the bench run (a fake executor and cache directory in tests).
 */
export async function gate(
  flags: GateFlags,
  options: Partial<Pick<RunBenchOptions, "executor" | "cacheDir" | "codeVersion" | "repoRoot">> & {
    /** Where lines go. @default stdout */
    readonly log?: (line: string) => void;
  } = {},
): Promise<number> {
  const { log, ...run } = options;
  const say = log ?? sayStdout;
  const tolerances = parseTolerances(flags.tolerance);
  const t0 = performance.now();
  const result = await runBench({
    ...run,
    suites: parseList(flags.suite, SUITES, "suite"),
    jobs: Number(flags.jobs),
    noCache: !flags.cache,
    progress: (total) => createProgress(total, { quiet: flags.quiet ?? false }),
  });
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  for (const n of result.meta.notes) say(`note: ${n}`);
  const root = run.repoRoot ?? repoRoot();
  const historyFile = flags.historyFile === undefined
    ? undefined
    : historyPath(flags.historyFile, root);
  if (historyFile !== undefined) {
    say(
      recordHistory(result.rows, { path: historyFile, root, codeVersion: result.meta.codeVersion }),
    );
  }
  if (flags.out !== undefined) await writeOutputs(result.rows, result.meta, flags.out);
  if (flags.update) {
    const written = updateBaselines(result.rows, flags.baselines);
    for (const r of result.rows.filter((x) => x.error)) {
      say(`not written (failed) ${r.id}: ${r.error}`);
    }
    say(
      `gate: updated ${written.length} baseline files in ${flags.baselines} from ${result.rows.length} jobs (${secs} s)`,
    );
    return result.rows.some((r) => r.error) ? 1 : 0;
  }
  const findings = compareWithBaselines(result.rows, readBaselines(flags.baselines), {
    tolerances,
  });
  for (const f of findings) say(formatFinding(f));
  const rejected = acceptanceRows(result.rows).filter((j) => j.failures.length > 0);
  for (const j of rejected) say(`ACCEPTANCE ${j.model} ${j.board}: ${j.failures.join("; ")}`);
  const failed = gateFails(findings) || rejected.length > 0;
  const regressions = findings.filter((f) => f.kind === "regression" || f.kind === "error").length;
  const improvements = findings.filter((f) => f.kind === "improvement").length;
  say(
    `gate: ${failed ? "FAIL" : "pass"}: ${result.rows.length} jobs, ${regressions} regressions, ` +
      `${improvements} improvements, ${rejected.length} acceptance failures (${secs} s)`,
  );
  return failed ? 1 : 0;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

if (import.meta.main) {
  const program = new Command("gate")
    .description("Re-measure the gate suite and compare with committed baselines")
    .option("--suite <names>", "suites to gate", "gate")
    .option("--baselines <dir>", "baseline directory", join(repoRoot(), "fixtures", "baselines"))
    .option(
      "--tolerance <metric=ratio>",
      "accept up to this relative increase (repeatable)",
      collect,
      [],
    )
    .option("--update", "rewrite the baselines from this measurement")
    .option("--jobs <n>", "parallel workers", "2")
    .option("--no-cache", "ignore cached measurements")
    .option("--out <dir>", "also write the report of the gate run here")
    .option("--quiet", "no progress display")
    .option(
      "--history-file <where>",
      "record the figures per commit: cache (.cache/history.jsonl), fixtures " +
        `(fixtures/history.jsonl), off, or a path (default: $${HISTORY_ENV} or cache)`,
      Deno.env.get(HISTORY_ENV) ?? "cache",
    );
  try {
    program.parse(Deno.args, { from: "user" });
    Deno.exit(await gate(program.opts<GateFlags>()));
  } catch (e) {
    Deno.stderr.writeSync(encoder.encode(`error: ${e instanceof Error ? e.message : String(e)}\n`));
    Deno.exit(1);
  }
}
