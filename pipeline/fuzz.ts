/**
 * Fuzz task entry point: random MBConv/ResNet networks, both engines, M7 and M4, every output
 * checked against the reference interpreter. Cases are spread over `--workers` Deno workers.
 *
 * Usage: `deno run -A engine/codegen/tinyengine/fuzz.ts --count 500 --seed 1 --workers 2`
 * (exit code 1 when any case fails; `--cache DIR` reuses firmware builds).
 *
 * @module
 */
import { Command, InvalidArgumentError } from "commander";
import type { FuzzOutcome } from "./fuzz_cases.ts";

function nonNegativeInt(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError(`expected a non-negative integer, got '${v}'`);
  }
  return n;
}

/** Options of the fuzz task. */
export interface FuzzFlags {
  readonly count: number;
  readonly seed: number;
  readonly workers: number;
  readonly cache?: string;
}

/**
 * Parse the fuzz task's arguments; undefined when it must not run (`--help`, or a usage error,
 * which commander has already printed with the usage).
 */
export function parseFuzzArgs(
  args: readonly string[],
  write: { out: (s: string) => void; err: (s: string) => void },
): FuzzFlags | undefined {
  const program = new Command("fuzz")
    .description(
      "Random networks (builder networks, the same with negative/tiny/mixed-sign per-channel " +
        "scales, random chains of every operator, LSTM and SVDF models) on both engines, M7 and M4, against the reference",
    )
    .option("--count <n>", "cases", nonNegativeInt, 50)
    .option("--seed <n>", "seed", nonNegativeInt, 1)
    .option("--workers <n>", "parallel workers", nonNegativeInt, 2)
    .option("--cache <dir>", "firmware build cache")
    .exitOverride()
    .configureOutput({ writeOut: write.out, writeErr: write.err });
  try {
    // The last of a repeated option wins (`deno task fuzz --count 20` after the task's own).
    program.parse([...args], { from: "user" });
  } catch {
    return undefined;
  }
  const o = program.opts<{ count: number; seed: number; workers: number; cache?: string }>();
  return {
    count: o.count,
    seed: o.seed,
    workers: Math.max(1, o.workers),
    ...(o.cache !== undefined ? { cache: o.cache } : {}),
  };
}

if (import.meta.main) {
  const encoder = new TextEncoder();
  const write = {
    out: (s: string) => Deno.stdout.writeSync(encoder.encode(s)),
    err: (s: string) => Deno.stderr.writeSync(encoder.encode(s)),
  };
  const flags = parseFuzzArgs(Deno.args, write);
  if (!flags) Deno.exit(Deno.args.includes("--help") || Deno.args.includes("-h") ? 0 : 2);
  const { count, seed, workers } = flags;
  const cacheDir = flags.cache;
  const failures: FuzzOutcome[] = [];
  let finished = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, (_, w) =>
      new Promise<void>((resolve, reject) => {
        const worker = new Worker(new URL("./fuzz_worker.ts", import.meta.url), { type: "module" });
        const indices = Array.from({ length: count }, (_, i) => i).filter((i) => i % workers === w);
        worker.onerror = (e) => {
          e.preventDefault();
          reject(new Error(`Fuzz worker ${w} failed: ${e.message}`));
        };
        worker.onmessage = (e: MessageEvent<{ outcomes?: FuzzOutcome[]; done?: boolean }>) => {
          if (e.data.done) {
            worker.terminate();
            resolve();
            return;
          }
          for (const o of e.data.outcomes ?? []) {
            if (!o.ok) {
              failures.push(o);
              // deno-lint-ignore no-console
              console.log(`FAIL case ${o.index} ${o.model} on ${o.board}: ${o.detail}`);
            }
          }
          finished++;
          if (finished % 10 === 0 || finished === count) {
            // deno-lint-ignore no-console
            console.log(
              `${finished}/${count} cases, ${failures.length} failures, ${
                ((performance.now() - started) / 1000).toFixed(0)
              } s`,
            );
          }
        };
        worker.postMessage({ seed, indices, ...(cacheDir ? { cacheDir } : {}) });
      })),
  );
  // deno-lint-ignore no-console
  console.log(
    failures.length === 0
      ? `fuzz: ${count} cases x ${2} boards x 2 engines, no mismatch`
      : `fuzz: ${failures.length} failing case-boards out of ${count * 2}`,
  );
  if (failures.length > 0) Deno.exit(1);
}
