/**
 * One batch firmware over many inputs, in this thread or split over Deno workers in contiguous
 * slices (each worker loads the same ELF into its own engine once; results are merged in input
 * order, so the same inputs give the same outputs and counts however many workers run).
 *
 * @module
 */
import type { Board } from "../engine/target/mod.ts";
import { type BatchRunResult, runFirmwareBatch } from "../emulator/mod.ts";
import {
  BudgetExceededError,
  EmulationFault,
  type EmulationFaultInfo,
  FirmwareError,
  MarkerError,
} from "../emulator/mod.ts";
import type { LayerCount } from "../emulator/mod.ts";

/** What one device worker runs. */
export interface DeviceJob {
  readonly elf: Uint8Array;
  readonly board: Board;
  /** Each input's bytes by symbol. */
  readonly inputs: readonly Readonly<Record<string, Uint8Array>>[];
  readonly outputs: readonly string[];
  readonly budget?: number;
  /** Index of `inputs[0]` in the whole batch. */
  readonly indexOffset: number;
}

/** Run one job in this thread; `onProgress` gets the inputs done. */
export function runDeviceJob(job: DeviceJob, onProgress?: (done: number) => void): BatchRunResult {
  return runFirmwareBatch({ elf: job.elf, board: job.board }, {
    count: job.inputs.length,
    input: (i) => job.inputs[i]!,
    outputs: job.outputs,
    indexOffset: job.indexOffset,
    ...(job.budget !== undefined ? { budget: job.budget } : {}),
    ...(onProgress ? { onProgress: (done: number) => onProgress(done) } : {}),
  });
}

/** An error as a plain record a worker can post. */
export type ErrorRecord =
  & { readonly name: string; readonly message: string }
  & Record<
    string,
    unknown
  >;

/** The record of an error thrown in a worker. */
export function errorRecord(e: unknown): ErrorRecord {
  if (!(e instanceof Error)) return { name: "Error", message: String(e) };
  return { ...Object.fromEntries(Object.entries(e)), name: e.name, message: e.message };
}

/** The error a worker's record stands for, of the emulator's own classes where it was one. */
export function errorFromRecord(r: ErrorRecord): Error {
  switch (r.name) {
    case "EmulationFault":
      return new EmulationFault(String(r.reason), r as unknown as EmulationFaultInfo);
    case "BudgetExceededError":
      return new BudgetExceededError(
        r as unknown as ConstructorParameters<typeof BudgetExceededError>[0],
      );
    case "FirmwareError":
      return new FirmwareError(r.message);
    case "MarkerError":
      return new MarkerError(r.message);
    default: {
      const e = new Error(r.message);
      e.name = r.name;
      return e;
    }
  }
}

/** Options of {@link runDeviceBatch}. */
export interface DeviceBatchOptions {
  readonly outputs: readonly string[];
  readonly budget?: number;
  /** Workers (engines in other threads); 1 or fewer runs the batch in this thread. */
  readonly workers: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Run `inputs` through the batch firmware `image`, over `options.workers` engines.
 *
 * @example
 * ```ts ignore
 * const r = await runDeviceBatch({ elf, board }, inputs.map((x) => ({ mcu_input: x })), {
 *   outputs: ["mcu_output"], workers: 2,
 * });
 * ```
 */
export async function runDeviceBatch(
  image: { readonly elf: Uint8Array; readonly board: Board },
  inputs: readonly Readonly<Record<string, Uint8Array>>[],
  options: DeviceBatchOptions,
): Promise<BatchRunResult> {
  const total = inputs.length;
  const workers = Math.max(1, Math.min(Math.floor(options.workers), total));
  const base = {
    elf: image.elf,
    board: image.board,
    outputs: options.outputs,
    ...(options.budget !== undefined ? { budget: options.budget } : {}),
  };
  if (workers <= 1) {
    return runDeviceJob(
      { ...base, inputs, indexOffset: 0 },
      options.onProgress && ((done) => options.onProgress!(done, total)),
    );
  }
  const per = Math.ceil(total / workers);
  const doneBy = new Array<number>(workers).fill(0);
  // Every slice settles before an error is thrown, so that the error is always the one of the
  // earliest failing slice (the lowest input index), whatever the timing.
  const settled = await Promise.allSettled(
    Array.from(
      { length: workers },
      (_, w) =>
        runWorker({ ...base, inputs: inputs.slice(w * per, (w + 1) * per), indexOffset: w * per }, (
          done,
        ) => {
          doneBy[w] = done;
          options.onProgress?.(doneBy.reduce((s, n) => s + n, 0), total);
        }),
    ),
  );
  const parts: BatchRunResult[] = [];
  for (const r of settled) {
    if (r.status === "rejected") throw r.reason;
    parts.push(r.value);
  }
  return mergeResults(parts);
}

/** The results of consecutive slices as one batch's. */
function mergeResults(parts: readonly BatchRunResult[]): BatchRunResult {
  const first = parts[0]!;
  const layers = new Map<number, { instructions: number; occurrences: number }>();
  for (const p of parts) {
    for (const l of p.layers) {
      const t = layers.get(l.index) ?? { instructions: 0, occurrences: 0 };
      layers.set(l.index, {
        instructions: t.instructions + l.instructions,
        occurrences: t.occurrences + l.occurrences,
      });
    }
  }
  const deepest = parts.reduce((a, b) => (b.sram.peakBytes > a.sram.peakBytes ? b : a));
  return {
    ...first,
    exitStatus: parts.find((p) => p.exitStatus !== 0)?.exitStatus ?? 0,
    totalInstructions: parts.reduce((s, p) => s + p.totalInstructions, 0),
    inferenceInstructions: parts.flatMap((p) => p.inferenceInstructions),
    layers: [...layers.entries()].sort((a, b) => a[0] - b[0]).map((
      [index, t],
    ): LayerCount => ({ index, ...t })),
    sram: deepest.sram,
    outputs: parts.flatMap((p) => p.outputs),
  };
}

type WorkerMessage =
  | { readonly kind: "progress"; readonly done: number }
  | { readonly kind: "done"; readonly result: BatchRunResult }
  | { readonly kind: "error"; readonly error: ErrorRecord };

function runWorker(job: DeviceJob, onProgress: (done: number) => void): Promise<BatchRunResult> {
  const worker = new Worker(new URL("./_device_worker.ts", import.meta.url), { type: "module" });
  return new Promise<BatchRunResult>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<WorkerMessage>) => {
      const m = e.data;
      if (m.kind === "progress") return onProgress(m.done);
      worker.terminate();
      if (m.kind === "done") resolve(m.result);
      else reject(errorFromRecord(m.error));
    };
    worker.onerror = (e) => {
      e.preventDefault();
      worker.terminate();
      reject(new Error(`Cannot run the batch firmware in a worker: ${e.message}`));
    };
    worker.postMessage(job);
  });
}
