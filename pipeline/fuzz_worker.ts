/**
 * Fuzz worker: receives `{ seed, indices, cacheDir }`, posts one message per finished case and
 * `{ done: true }` at the end.
 *
 * @module
 */
import { runFuzzCase } from "./fuzz_cases.ts";

interface Job {
  readonly seed: number;
  readonly indices: readonly number[];
  readonly cacheDir?: string;
}

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<Job>) => void) | null;
  postMessage(m: unknown): void;
  close(): void;
};

scope.onmessage = async (e: MessageEvent<Job>) => {
  const { seed, indices, cacheDir } = e.data;
  for (const index of indices) {
    const outcomes = await runFuzzCase(seed, index, cacheDir ? { cacheDir } : {});
    scope.postMessage({ outcomes });
  }
  scope.postMessage({ done: true });
  scope.close();
};
