/**
 * A pool of Deno Workers that measure bench jobs in parallel (one job per worker at a time).
 *
 * @module
 */
import type { MeasureOutcome } from "./measure.ts";
import type { BenchJob } from "./types.ts";

/** Runs one job somewhere and resolves with its outcome; never rejects. */
export type Executor = (job: BenchJob) => Promise<MeasureOutcome>;

interface Pending {
  readonly job: BenchJob;
  readonly resolve: (o: MeasureOutcome) => void;
}

/**
 * A fixed-size pool of module Workers running `bench/_worker.ts`. A worker that dies (uncaught
 * error, out of memory) fails its current job with an error row and is replaced.
 *
 * @example
 * ```ts ignore
 * using pool = new WorkerPool(2);
 * const outcome = await pool.run(job);
 * ```
 */
export class WorkerPool {
  readonly #url: URL;
  readonly #firmwareCacheDir: string | undefined;
  readonly #idle: Worker[] = [];
  readonly #busy = new Map<Worker, Pending>();
  readonly #queue: Pending[] = [];
  #closed = false;

  /**
   * @param size number of workers (>= 1)
   * @param options.url worker module. @default bench/_worker.ts
   * @param options.firmwareCacheDir firmware build cache the workers pass to runModel. @default none
   */
  constructor(
    size: number,
    options: { readonly url?: URL; readonly firmwareCacheDir?: string } = {},
  ) {
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(
        `Cannot create a worker pool: size must be a positive integer: got ${size}`,
      );
    }
    this.#url = options.url ?? new URL("./_worker.ts", import.meta.url);
    this.#firmwareCacheDir = options.firmwareCacheDir;
    for (let i = 0; i < size; i++) this.#idle.push(this.#spawn());
  }

  #spawn(): Worker {
    const w = new Worker(this.#url, { type: "module" });
    w.onmessage = (e: MessageEvent<{ id: string; outcome: MeasureOutcome }>) => {
      const p = this.#busy.get(w);
      this.#busy.delete(w);
      p?.resolve(e.data.outcome);
      this.#idle.push(w);
      this.#pump();
    };
    w.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      const p = this.#busy.get(w);
      this.#busy.delete(w);
      w.terminate();
      p?.resolve({ ok: false, error: `worker: ${e.message}` });
      if (!this.#closed) this.#idle.push(this.#spawn());
      this.#pump();
    };
    return w;
  }

  #pump(): void {
    while (!this.#closed && this.#idle.length > 0 && this.#queue.length > 0) {
      const w = this.#idle.pop() as Worker;
      const p = this.#queue.shift() as Pending;
      this.#busy.set(w, p);
      w.postMessage({
        job: p.job,
        ...(this.#firmwareCacheDir !== undefined
          ? { firmwareCacheDir: this.#firmwareCacheDir }
          : {}),
      });
    }
  }

  /** Measure one job on the next free worker. */
  run(job: BenchJob): Promise<MeasureOutcome> {
    if (this.#closed) return Promise.resolve({ ok: false, error: "pool: closed" });
    return new Promise((resolve) => {
      this.#queue.push({ job, resolve });
      this.#pump();
    });
  }

  /** Terminate every worker; queued jobs resolve with an error. */
  close(): void {
    this.#closed = true;
    for (const w of [...this.#idle, ...this.#busy.keys()]) w.terminate();
    for (const p of [...this.#busy.values(), ...this.#queue]) {
      p.resolve({ ok: false, error: "pool: closed" });
    }
    this.#idle.length = 0;
    this.#busy.clear();
    this.#queue.length = 0;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
