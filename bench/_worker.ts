/**
 * Worker entry: measures the jobs the pool sends, one at a time. The graph of the last model is
 * kept, so consecutive jobs of one model (engines x boards) build or read it once.
 *
 * Messages in: `{ job: BenchJob, firmwareCacheDir? }`; out: `{ id, outcome: MeasureOutcome }`.
 *
 * @module
 */
import type { Graph } from "../engine/ir/mod.ts";
import { engineApi } from "./engine_api.ts";
import { errorText, type MeasureApi, measureJob, type MeasureOutcome } from "./measure.ts";
import type { BenchJob } from "./types.ts";

interface WorkerScope {
  onmessage: ((e: MessageEvent<{ job: BenchJob; firmwareCacheDir?: string }>) => void) | null;
  postMessage(message: { id: string; outcome: MeasureOutcome }): void;
}

const scope = globalThis as unknown as WorkerScope;
const engine: MeasureApi = engineApi();
let last: { key: string; graph: Graph } | undefined;

async function handle(
  job: BenchJob,
  firmwareCacheDir: string | undefined,
): Promise<MeasureOutcome> {
  const key = JSON.stringify(job.case.source);
  if (last?.key !== key) {
    last = undefined;
    try {
      last = { key, graph: await engine.loadModel(job.case.source) };
    } catch (e) {
      return { ok: false, error: errorText("load", e) };
    }
  }
  return await measureJob(job, engine, {
    graph: last.graph,
    ...(firmwareCacheDir !== undefined ? { firmwareCacheDir } : {}),
  });
}

scope.onmessage = (e) => {
  const job = e.data.job;
  handle(job, e.data.firmwareCacheDir).then(
    (outcome) => scope.postMessage({ id: job.id, outcome }),
    (err) =>
      scope.postMessage({ id: job.id, outcome: { ok: false, error: errorText("worker", err) } }),
  );
};
