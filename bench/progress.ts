/**
 * Progress of a bench run on stderr: a cli-progress bar on a TTY, one plain line per finished job
 * otherwise (CI logs).
 *
 * @module
 */
import cliProgress from "cli-progress";
import process from "node:process";

/** Receives one call per finished job. */
export interface Progress {
  /** A job finished: `status` is `ok`, `cached` or `error`. */
  done(id: string, status: "ok" | "cached" | "error", detail?: string): void;
  /** Stop drawing (call once at the end). */
  stop(): void;
}

interface Bar {
  start(total: number, value: number, payload?: Record<string, string>): void;
  increment(delta?: number, payload?: Record<string, string>): void;
  stop(): void;
}

const encoder = new TextEncoder();

function writeLine(line: string): void {
  Deno.stderr.writeSync(encoder.encode(`${line}\n`));
}

/**
 * A progress display for `total` jobs.
 *
 * @param options.tty draw a bar. @default Deno.stderr.isTerminal()
 * @param options.quiet print nothing. @default false
 */
export function createProgress(
  total: number,
  options: { readonly tty?: boolean; readonly quiet?: boolean } = {},
): Progress {
  if (options.quiet) return { done() {}, stop() {} };
  const tty = options.tty ?? Deno.stderr.isTerminal();
  let n = 0;
  if (!tty) {
    return {
      done(id, status, detail) {
        n++;
        writeLine(`[${n}/${total}] ${id}: ${status}${detail ? ` (${detail})` : ""}`);
      },
      stop() {},
    };
  }
  const Ctor =
    (cliProgress as unknown as { SingleBar: new (o: object, preset: object) => Bar }).SingleBar;
  const presets = (cliProgress as unknown as { Presets: { shades_classic: object } }).Presets;
  const bar = new Ctor({
    format: "bench [{bar}] {value}/{total} {duration_formatted} (ETA {eta_formatted}) {last}",
    barsize: 20,
    stream: process.stderr,
    hideCursor: false,
  }, presets.shades_classic);
  bar.start(total, 0, { last: "" });
  const errors: string[] = [];
  return {
    done(id, status, detail) {
      if (status === "error") errors.push(`${id}: ${detail ?? "error"}`);
      bar.increment(1, { last: `${id} ${status}` });
    },
    stop() {
      bar.stop();
      for (const e of errors) writeLine(`error ${e}`);
    },
  };
}
