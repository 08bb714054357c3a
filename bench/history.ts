/**
 * The bench's history: each gate or bench run on a commit appends every measured job's exact
 * figures to a JSON-lines file, one record per job and commit (a later run of the same job on the
 * same commit replaces its record). Records carry the commit hash and the commit's own date from
 * git, never the time of the run; keys are in canonical order and lines sorted by commit date, so
 * the file diffs line by line when it is committed (`fixtures/history.jsonl`) and stays
 * reproducible when kept in the cache (`.cache/history.jsonl`, the default).
 *
 * @module
 */
import {
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { figureAt, figureColumns } from "./figures.ts";
import { canonicalLine } from "./results.ts";
import type { BenchRow } from "./types.ts";

/** Environment variable choosing where the history lives (same values as `--history-file`). */
export const HISTORY_ENV = "MCU_HISTORY";

/** One job's exact figures at one commit. */
export interface HistoryRecord {
  /** Full commit hash the figures were measured on. */
  readonly commit: string;
  /** The commit's committer date (ISO 8601, from git). */
  readonly date: string;
  /** Job id `model|engine|board`. */
  readonly job: string;
  /** Model id. */
  readonly model: string;
  /** Engine name. */
  readonly engine: string;
  /** Board name. */
  readonly board: string;
  /** Hash of the measuring code (the bench cache's key). */
  readonly codeVersion: string;
  /** Every figure of the row by its path without `report.` (`instructions`, `plan.headBytes`). */
  readonly figures: Readonly<Record<string, number | boolean>>;
}

/** A commit of the repository: hash, committer date and subject. */
export interface CommitInfo {
  /** Full hash. */
  readonly commit: string;
  /** Committer date, ISO 8601. */
  readonly date: string;
  /** First line of the message. */
  readonly subject: string;
}

function git(root: string, args: string[]): string | undefined {
  try {
    const out = new Deno.Command("git", {
      args: ["-C", root, ...args],
      stdout: "piped",
      stderr: "null",
    })
      .outputSync();
    return out.success ? new TextDecoder().decode(out.stdout) : undefined;
  } catch {
    return undefined;
  }
}

function parseLog(text: string): CommitInfo[] {
  return text.split("\n").filter(Boolean).map((line) => {
    const [commit = "", date = "", ...subject] = line.split("\t");
    return { commit, date, subject: subject.join("\t") };
  });
}

/**
 * Where the history file is: `cache` (`<root>/.cache/history.jsonl`), `fixtures`
 * (`<root>/fixtures/history.jsonl`, to commit it), `off` (undefined: not recorded) or a path.
 *
 * @example
 * ```ts
 * historyPath("fixtures", "/repo"); // "/repo/fixtures/history.jsonl"
 * ```
 */
export function historyPath(where: string, root: string): string | undefined {
  if (where === "off") return undefined;
  if (where === "cache") return join(root, ".cache", "history.jsonl");
  if (where === "fixtures") return join(root, "fixtures", "history.jsonl");
  if (where.trim() === "") throw new RangeError("Cannot use an empty history file name");
  return resolve(where);
}

/**
 * The commit a run measures: HEAD, when the tracked files equal it (changes to the history file
 * itself aside). Otherwise `reason` says why nothing can be recorded.
 */
export function measuredCommit(
  root: string,
  options: { readonly historyFile?: string } = {},
): { readonly commit?: CommitInfo; readonly reason?: string } {
  const head = git(root, ["log", "-1", "--format=%H%x09%cI%x09%s", "HEAD"]);
  const commit = head === undefined ? undefined : parseLog(head)[0];
  if (!commit) return { reason: `${root} is not a git repository with a commit` };
  const top = git(root, ["rev-parse", "--show-toplevel"])?.trim() ?? root;
  const own = options.historyFile ? relative(top, options.historyFile) : undefined;
  const dirty = (git(root, ["status", "--porcelain", "--untracked-files=no"]) ?? "")
    .split("\n").filter(Boolean).map((l) => l.slice(3)).filter((f) => f !== own);
  if (dirty.length > 0) {
    return {
      reason: `the working tree differs from commit ${commit.commit.slice(0, 10)} ` +
        `(${dirty.slice(0, 3).join(", ")}${dirty.length > 3 ? ", ..." : ""}); commit first`,
    };
  }
  return { commit };
}

/**
 * The history records of measured rows at a commit (failed jobs have no figures and no record).
 *
 * @example
 * ```ts ignore
 * historyRecords(run.rows, commit, run.meta.codeVersion);
 * ```
 */
export function historyRecords(
  rows: readonly BenchRow[],
  commit: CommitInfo,
  codeVersion: string,
): HistoryRecord[] {
  const ok = rows.filter((r) => r.report);
  const columns = figureColumns(ok);
  return ok.map((row) => {
    const figures: Record<string, number | boolean> = {};
    for (const c of columns) {
      const v = figureAt(row, c.path);
      const key = (c.path[0] === "report" ? c.path.slice(1) : c.path).join(".");
      if (typeof v === "number" || typeof v === "boolean") figures[key] = v;
    }
    return {
      commit: commit.commit,
      date: commit.date,
      job: row.id,
      model: row.model,
      engine: row.engine,
      board: row.board,
      codeVersion,
      figures,
    };
  });
}

/** Read a history file (none yet: no records). Throws naming the line that is not a record. */
export function readHistory(path: string): HistoryRecord[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8").split("\n").flatMap((line, i) => {
    if (line.trim() === "") return [];
    let r: Partial<HistoryRecord>;
    try {
      r = JSON.parse(line) as Partial<HistoryRecord>;
    } catch (e) {
      throw new SyntaxError(`Cannot read history ${path}:${i + 1}: ${(e as Error).message}`);
    }
    if (
      typeof r.commit !== "string" || typeof r.date !== "string" || typeof r.job !== "string" ||
      typeof r.model !== "string" || typeof r.figures !== "object" || r.figures === null
    ) {
      throw new SyntaxError(`Cannot read history ${path}:${i + 1}: not a history record`);
    }
    return [r as HistoryRecord];
  });
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Records in file order: commit date, then commit, then job. */
export function sortHistory(records: readonly HistoryRecord[]): HistoryRecord[] {
  return [...records].sort((a, b) =>
    Date.parse(a.date) - Date.parse(b.date) || cmp(a.commit, b.commit) || cmp(a.job, b.job)
  );
}

/** Options of {@link appendHistory}. */
export interface AppendOptions {
  /** How long to wait for another run's lock on the file. @default 10000 */
  readonly lockTimeoutMs?: number;
  /** A lock older than this is left over from a killed run and is removed. @default 60000 */
  readonly staleLockMs?: number;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Take `<path>.lock` (created exclusively), so that runs finishing together do not lose records. */
function lock(path: string, options: AppendOptions): string {
  const file = `${path}.lock`;
  const deadline = Date.now() + (options.lockTimeoutMs ?? 10_000);
  while (true) {
    try {
      Deno.openSync(file, { write: true, createNew: true }).close();
      return file;
    } catch (e) {
      if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
    }
    const age = Date.now() - (statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (age > (options.staleLockMs ?? 60_000)) rmSync(file, { force: true });
    else if (Date.now() > deadline) {
      throw new Error(`Cannot write history ${path}: ${file} is held by another run`);
    } else sleepSync(50);
  }
}

/**
 * Add records to a history file: a record replaces the one of the same job and commit, the rest
 * are kept; the file is rewritten sorted (atomically, through a temporary file, under a lock).
 * Returns the number of records in the file.
 */
export function appendHistory(
  path: string,
  records: readonly HistoryRecord[],
  options: AppendOptions = {},
): number {
  mkdirSync(dirname(path), { recursive: true });
  const held = lock(path, options);
  try {
    const key = (r: HistoryRecord) => `${r.commit} ${r.job}`;
    const fresh = new Set(records.map(key));
    const all = sortHistory([...readHistory(path).filter((r) => !fresh.has(key(r))), ...records]);
    const tmp = `${path}.${Deno.pid}.tmp`;
    writeFileSync(tmp, all.map((r) => `${canonicalLine(r)}\n`).join(""));
    renameSync(tmp, path);
    return all.length;
  } finally {
    rmSync(held, { force: true });
  }
}

/**
 * Record a run's rows in the history when the run measured a commit; returns the line to show
 * (what was recorded where, or why nothing was).
 */
export function recordHistory(
  rows: readonly BenchRow[],
  options: { readonly path: string; readonly root: string; readonly codeVersion: string },
): string {
  const { commit, reason } = measuredCommit(options.root, { historyFile: options.path });
  if (!commit) return `history: not recorded: ${reason}`;
  const records = historyRecords(rows, commit, options.codeVersion);
  if (records.length === 0) return "history: not recorded: no measured jobs";
  const total = appendHistory(options.path, records);
  return `history: recorded ${records.length} jobs at ${commit.commit.slice(0, 10)} in ` +
    `${options.path} (${total} records)`;
}

/** The commits that changed the gate's baselines (`fixtures/baselines/`), oldest first. */
export function baselineChanges(root: string): CommitInfo[] {
  const out = git(root, ["log", "--format=%H%x09%cI%x09%s", "--", "fixtures/baselines"]);
  return parseLog(out ?? "").reverse();
}

/** Every commit reachable from HEAD, oldest first (topological order), with date and subject. */
export function repositoryCommits(root: string): CommitInfo[] {
  const out = git(root, ["log", "--reverse", "--topo-order", "--format=%H%x09%cI%x09%s", "HEAD"]);
  return parseLog(out ?? "");
}
