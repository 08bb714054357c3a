/**
 * The super-network of MCUNet's stage 2 (`train/worker/supernet.py`) from the Deno side: the
 * space record the worker builds it from, the training job (one JSON job in, `supernet.pt` out),
 * and a scorer that keeps one worker process alive and sends it batches of subnets (each scored
 * with inherited weights after batch-norm recalibration, on the seeded validation split).
 *
 * @module
 */
import type { MbconvArch, MbconvBlock } from "../engine/builders/mod.ts";
import {
  type Arch,
  type SearchSpace,
  stageWidths,
  type TaskHead,
  toMbconvArch,
} from "../search/mod.ts";
import type { Recipe } from "./recipe.ts";
import {
  forEachLine,
  runWorkerScript,
  TrainingError,
  WORKER_PYTHON,
  type WorkerEvent,
  workerScript,
} from "./worker.ts";

/** What the worker builds the super-network from: one (width, resolution) point of a space. */
export interface SupernetSpace {
  readonly resolution: number;
  readonly inputChannels: number;
  readonly classes: number;
  readonly firstConv: { readonly outChannels: number };
  readonly firstBlock: MbconvBlock;
  readonly stages: readonly {
    readonly outChannels: number;
    readonly stride: number;
    readonly depths: readonly number[];
    readonly kernels: readonly number[];
    readonly expands: readonly number[];
  }[];
}

/**
 * The super-network record of a search space at one width and resolution.
 *
 * @example
 * ```ts
 * import { TINY_SPACE } from "../search/mod.ts";
 * import { supernetSpace } from "./supernet.ts";
 * const s = supernetSpace(TINY_SPACE, { width: 0.1, resolution: 28 }, { classes: 10, inputChannels: 1 });
 * s.stages.length; // 6
 * ```
 */
export function supernetSpace(
  space: SearchSpace,
  pair: { readonly width: number; readonly resolution: number },
  head: TaskHead,
): SupernetSpace {
  const widths = stageWidths(space, pair.width);
  return {
    resolution: pair.resolution,
    inputChannels: head.inputChannels,
    classes: head.classes,
    firstConv: { outChannels: widths[0]! },
    firstBlock: {
      kernel: space.firstBlock.kernel,
      expand: space.firstBlock.expand,
      stride: space.firstBlock.stride,
      outChannels: widths[1]!,
    },
    stages: space.stages.map((s, i) => ({
      outChannels: widths[i + 2]!,
      stride: s.stride,
      depths: s.depths,
      kernels: space.kernels,
      expands: space.expands,
    })),
  };
}

/** A subnet as the worker reads it: its MbconvArch and the active depth of every stage. */
export interface Subnet {
  readonly net: MbconvArch;
  readonly depths: readonly number[];
}

/** The subnet of a search point. */
export function subnetOf(space: SearchSpace, arch: Arch, head: TaskHead): Subnet {
  return { net: toMbconvArch(space, arch, head), depths: arch.stages.map((g) => g.depth) };
}

/** Data sizes of super-network training and subnet scoring. */
export interface SupernetData {
  /** Training images (after the validation split); undefined = all 55k. */
  readonly trainImages?: number;
  readonly validationImages: number;
  /** Validation images each subnet is scored on; undefined = all. */
  readonly scoreImages?: number;
  /** Training images the batch-norm statistics are re-estimated on, per subnet. */
  readonly recalibrationImages: number;
}

/** The job of `supernet_worker.py train|serve|score`. */
export interface SupernetJob extends SupernetData {
  readonly space: SupernetSpace;
  readonly recipe: Recipe;
  readonly seed: number;
  readonly splitSeed: number;
  readonly threads: number;
  readonly dataDir: string;
  readonly outDir: string;
  /** Random subnets per step besides the largest and the smallest (sandwich rule). */
  readonly sandwichRandom: number;
  /** Checkpoint (serve and score). */
  readonly checkpoint?: string;
  /** Subnets to score (score). */
  readonly subnets?: readonly Subnet[];
}

/** `result.json` of a super-network training job. */
export interface SupernetResult {
  readonly checkpoint: string;
  readonly trainImages: number;
  readonly parameters: number;
  readonly trainSeconds: number;
  readonly wallSeconds: number;
  readonly imagesPerSecond: number;
  readonly subnetsPerStep: number;
  readonly torchVersion: string;
}

const SCRIPT = workerScript("supernet_worker.py");

/**
 * Train the super-network (sandwich rule with in-place distillation, see the worker).
 *
 * @example
 * ```ts ignore
 * const r = await trainSupernet(job, { onEvent: console.error });
 * r.checkpoint; // `${job.outDir}/supernet.pt`
 * ```
 */
export async function trainSupernet(
  job: SupernetJob,
  options: { readonly onEvent?: (e: WorkerEvent) => void } = {},
): Promise<SupernetResult> {
  await Deno.mkdir(job.outDir, { recursive: true });
  const path = `${job.outDir}/supernet-job.json`;
  await Deno.writeTextFile(path, JSON.stringify(job, null, 1));
  await runWorkerScript(SCRIPT, ["train", path], { ...options, threads: job.threads });
  return JSON.parse(await Deno.readTextFile(`${job.outDir}/result.json`)) as SupernetResult;
}

/** A live scoring worker: `score` sends one batch and waits for its accuracies. */
export interface SubnetScorer {
  /** Seconds the worker took to load the checkpoint and the data (once). */
  readonly startSeconds: number;
  score(subnets: readonly Subnet[]): Promise<number[]>;
  close(): Promise<void>;
}

/**
 * Start a scoring worker for a trained checkpoint and keep it alive across batches (loading
 * torch, the data and the checkpoint is paid once).
 */
export async function startSubnetScorer(
  job: SupernetJob & { readonly checkpoint: string },
  options: { readonly onEvent?: (e: WorkerEvent) => void; readonly python?: string } = {},
): Promise<SubnetScorer> {
  await Deno.mkdir(job.outDir, { recursive: true });
  const path = `${job.outDir}/score-job.json`;
  await Deno.writeTextFile(path, JSON.stringify(job, null, 1));
  const python = options.python ?? WORKER_PYTHON;
  const started = performance.now();
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(python, {
      args: [SCRIPT, "serve", path],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      env: {
        OMP_NUM_THREADS: String(job.threads),
        OMP_WAIT_POLICY: "PASSIVE",
        PYTHONDONTWRITEBYTECODE: "1",
      },
    }).spawn();
  } catch (e) {
    throw new TrainingError(
      `Cannot start the scoring worker with ${python}: ${
        e instanceof Error ? e.message : String(e)
      }; run \`deno task setup\` (Debian package python3-torch)`,
    );
  }
  let failure: string | undefined;
  const tail: string[] = [];
  let ready: () => void = () => {};
  let readySeconds = 0;
  const readyPromise = new Promise<void>((r) => (ready = r));
  const stderrDone = forEachLine(child.stderr, (line) => {
    let event: WorkerEvent | undefined;
    try {
      event = JSON.parse(line) as WorkerEvent;
    } catch {
      event = undefined;
    }
    if (!event || typeof event.event !== "string") {
      tail.push(line);
      if (tail.length > 20) tail.shift();
      return;
    }
    if (event.event === "error") failure = event.message;
    if (event.event === "ready") {
      readySeconds = (performance.now() - started) / 1000;
      ready();
    }
    options.onEvent?.(event);
  });
  const pending: ((line: string | undefined) => void)[] = [];
  const stdoutDone = forEachLine(child.stdout, (line) => pending.shift()?.(line)).then(() => {
    for (const p of pending.splice(0)) p(undefined);
  });
  const exited = child.status.then((s) => {
    ready();
    return s;
  });
  const fail = async (what: string) => {
    const status = await exited;
    await stderrDone;
    return new TrainingError(
      `Cannot score subnets: ${what}: ${
        failure ?? `the worker exited with code ${status.code}: ${tail.slice(-8).join("\n")}`
      }`,
    );
  };
  await readyPromise;
  if (readySeconds === 0) throw await fail("the worker did not start");
  const writer = child.stdin.getWriter();
  const encoder = new TextEncoder();
  let id = 0;
  return {
    startSeconds: readySeconds,
    async score(subnets) {
      if (subnets.length === 0) return [];
      const reply = new Promise<string | undefined>((r) => pending.push(r));
      await writer.write(encoder.encode(JSON.stringify({ id: ++id, subnets }) + "\n"));
      const line = await reply;
      if (line === undefined) throw await fail("the worker stopped");
      const parsed = JSON.parse(line) as { id: number; accuracies: number[] };
      if (parsed.id !== id || parsed.accuracies.length !== subnets.length) {
        throw new TrainingError(`Cannot score subnets: reply ${parsed.id} does not answer ${id}`);
      }
      return parsed.accuracies;
    },
    async close() {
      await writer.close().catch(() => {});
      await exited;
      await stderrDone;
      await stdoutDone;
    },
  };
}
