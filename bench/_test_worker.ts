/**
 * A stand-in for `_worker.ts` in the pool's tests: answers with a constructed measurement, and
 * dies (uncaught error) for models named `crash`.
 *
 * @module
 */
import { fakeReport } from "./_test_fixtures.ts";
import type { BenchJob } from "./types.ts";

const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent<{ job: BenchJob }>) => void) | null;
  postMessage(m: unknown): void;
};

scope.onmessage = (e) => {
  const job = e.data.job;
  if (job.case.id === "crash") throw new Error("worker died");
  scope.postMessage({
    id: job.id,
    outcome: { ok: true, value: { report: fakeReport(job.case.id, job.engine, job.board) } },
  });
};
