/**
 * The reference interpreter over many inputs, in this thread or spread over Deno workers in
 * contiguous slices (results reassembled in input order, so the same inputs give the same
 * outputs however many workers run).
 *
 * @module
 */
import type { Graph } from "../ir/mod.ts";
import { interpret } from "./interpret.ts";

/** One worker's share of a batch. */
export interface ReferenceJob {
  readonly graph: Graph;
  /** Each input's raw bytes per graph input (already split). */
  readonly inputs: readonly (readonly Uint8Array[])[];
  /** Index of `inputs[0]` in the whole batch (for error messages). */
  readonly first: number;
}

/** Every output's bytes for each input of `job`, in order; `onProgress` gets inputs done. */
export function interpretBatchSlice(
  job: ReferenceJob,
  onProgress?: (done: number) => void,
): Uint8Array[][] {
  const out: Uint8Array[][] = [];
  const step = Math.max(1, Math.floor(job.inputs.length / 20));
  for (const [i, parts] of job.inputs.entries()) {
    try {
      out.push(interpret(job.graph, parts).outputs);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      throw new Error(`Cannot run the reference interpreter on input ${job.first + i}: ${why}`);
    }
    if (onProgress && ((i + 1) % step === 0 || i + 1 === job.inputs.length)) onProgress(i + 1);
  }
  return out;
}

/** Options of {@link interpretBatch}. */
export interface InterpretBatchOptions {
  /** Workers to spread the batch over; 0 runs it in this thread. @default 0 */
  readonly workers?: number;
  /** Inputs done so far, over all workers. */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * The reference outputs (every graph output's bytes) for each input, in input order.
 *
 * @example
 * ```ts ignore
 * const outs = await interpretBatch(graph, images.map((b) => [b]), { workers: 2 });
 * ```
 */
export async function interpretBatch(
  graph: Graph,
  inputs: readonly (readonly Uint8Array[])[],
  options: InterpretBatchOptions = {},
): Promise<Uint8Array[][]> {
  const total = inputs.length;
  const workers = Math.min(options.workers ?? 0, total);
  if (!Number.isInteger(workers) || workers < 0) {
    throw new RangeError(`Cannot run the reference on ${workers} workers: not a count`);
  }
  if (workers <= 0) {
    return interpretBatchSlice(
      { graph, inputs, first: 0 },
      options.onProgress && ((done) => options.onProgress!(done, total)),
    );
  }
  const per = Math.ceil(total / workers);
  const doneBy = new Array<number>(workers).fill(0);
  const slices = await Promise.all(
    Array.from({ length: workers }, (_, w) => {
      const job: ReferenceJob = {
        graph,
        inputs: inputs.slice(w * per, (w + 1) * per),
        first: w * per,
      };
      return runWorker(job, (done) => {
        doneBy[w] = done;
        options.onProgress?.(doneBy.reduce((s, n) => s + n, 0), total);
      });
    }),
  );
  return slices.flat();
}

type WorkerMessage =
  | { readonly kind: "progress"; readonly done: number }
  | { readonly kind: "done"; readonly outputs: Uint8Array[][] }
  | { readonly kind: "error"; readonly message: string };

function runWorker(job: ReferenceJob, onProgress: (done: number) => void): Promise<Uint8Array[][]> {
  const worker = new Worker(new URL("./_batch_worker.ts", import.meta.url), {
    type: "module",
  });
  return new Promise<Uint8Array[][]>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<WorkerMessage>) => {
      const m = e.data;
      if (m.kind === "progress") onProgress(m.done);
      else {
        worker.terminate();
        if (m.kind === "done") resolve(m.outputs);
        else reject(new Error(m.message));
      }
    };
    worker.onerror = (e) => {
      e.preventDefault();
      worker.terminate();
      reject(new Error(`Cannot run the reference interpreter in a worker: ${e.message}`));
    };
    worker.postMessage(job);
  });
}
