/**
 * Fuzz task entry point: random MBConv/ResNet networks, both engines, M7 and M4, every output
 * checked against the reference interpreter. Cases are spread over `--workers` Deno workers.
 *
 * Usage: `deno run -A engine/codegen/tinyengine/fuzz.ts --count 500 --seed 1 --workers 2`
 * (exit code 1 when any case fails; `--cache DIR` reuses firmware builds).
 *
 * @module
 */
import type { FuzzOutcome } from "./fuzz_cases.ts";

function arg(name: string, fallback: number): number {
  const i = Deno.args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(Deno.args[i + 1]);
  if (!Number.isInteger(v) || v < 0) {
    throw new RangeError(
      `Cannot fuzz: --${name} must be a non-negative integer: got ${Deno.args[i + 1]}`,
    );
  }
  return v;
}

if (import.meta.main) {
  const count = arg("count", 50);
  const seed = arg("seed", 1);
  const workers = Math.max(1, arg("workers", 2));
  const ci = Deno.args.indexOf("--cache");
  const cacheDir = ci >= 0 ? Deno.args[ci + 1] : undefined;
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
