/**
 * A generated history for the history tests: a fresh git repository with four commits (the first
 * and the third change `fixtures/baselines/`), bench rows recorded on three of them through
 * {@link recordHistory}. The rows are made-up records ({@link fakeRow}); the git commits, dates
 * and the history file are real.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fakeRow } from "./_test_fixtures.ts";
import { recordHistory } from "./history.ts";
import type { BenchRow } from "./types.ts";

/** The generated repository. */
export interface HistoryRepo {
  /** Repository root (a temporary directory; remove it when done). */
  readonly root: string;
  /** The history file. */
  readonly file: string;
  /** The four commits, oldest first. */
  readonly commits: readonly string[];
  /** Indices of the commits that have records. */
  readonly recorded: readonly number[];
}

/** Run git in `root`; throws with its stderr on failure. */
export function gitIn(root: string, args: string[], env: Record<string, string> = {}): string {
  const out = new Deno.Command("git", {
    args: ["-C", root, "-c", "user.name=bench", "-c", "user.email=bench@example.org", ...args],
    env,
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  if (!out.success) {
    throw new Error(`git ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout).trim();
}

/** Rows of two models, both engines, two boards for one of them, with figures scaled by `seed`. */
export function historyRows(seed: number): BenchRow[] {
  return [
    fakeRow("mbv2-w0.35-r64", "tinyengine", "stm32f746", seed),
    fakeRow("mbv2-w0.35-r64", "tflm", "stm32f746", seed + 1),
    fakeRow("mbv2-w0.35-r64", "tinyengine", "stm32f412", seed),
    fakeRow("mbv2-w0.35-r64", "tflm", "stm32f412", seed + 1),
    fakeRow("mcunet-10fps", "tinyengine", "stm32f746", seed + 2),
    fakeRow("mcunet-10fps", "tflm", "stm32f746", seed + 3),
  ];
}

/** Make the repository and record the rows of commits 1, 2 and 4 (commit 3 updates baselines only). */
export function makeHistoryRepo(): HistoryRepo {
  const root = Deno.makeTempDirSync({ prefix: "mcu_history_" });
  gitIn(root, ["init", "-q"]);
  const file = join(root, ".cache", "history.jsonl");
  const steps = [
    { change: "baselines", seed: 4, record: true },
    { change: "readme", seed: 3, record: true },
    { change: "baselines", seed: 3, record: false },
    { change: "readme", seed: 2, record: true },
  ];
  const commits: string[] = [];
  const recorded: number[] = [];
  mkdirSync(join(root, "fixtures", "baselines"), { recursive: true });
  writeFileSync(join(root, ".gitignore"), ".cache/\n");
  steps.forEach((s, i) => {
    if (s.change === "baselines") {
      writeFileSync(join(root, "fixtures", "baselines", "m.json"), `{"seed": ${s.seed}}\n`);
    } else writeFileSync(join(root, "README.md"), `step ${i}\n`);
    const date = `2026-01-0${i + 1}T12:00:00+00:00`;
    gitIn(root, ["add", "-A"]);
    gitIn(root, ["commit", "-q", "-m", `step ${i + 1}: ${s.change}`], {
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_DATE: date,
    });
    commits.push(gitIn(root, ["rev-parse", "HEAD"]));
    if (s.record) {
      recordHistory(historyRows(s.seed), { path: file, root, codeVersion: `v${i + 1}` });
      recorded.push(i);
    }
  });
  return { root, file, commits, recorded };
}
