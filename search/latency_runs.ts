/**
 * Building and checking the search's latency table by measurement: cover networks measured in
 * the emulator (cached per network), and held-out networks whose whole-inference count the table
 * must predict.
 *
 * @module
 */
import type { Board } from "../engine/target/mod.ts";
import { createRng } from "../engine/util/mod.ts";
import type { SearchEngine, Streaming } from "./engine.ts";
import {
  addRun,
  coverArchs,
  emptyLatencyTable,
  engineCodeHash,
  type LatencyMetric,
  type LatencyRun,
  type LatencyTable,
  loadRunRecord,
  predictLatency,
  type RunRecord,
  saveLatencyTable,
  saveRunRecord,
} from "./latency.ts";
import { archLayers } from "./layers.ts";
import {
  archKey,
  type MbconvArch,
  sampleArch,
  type SearchSpace,
  type TaskHead,
  toMbconvArch,
} from "./space.ts";
import type { LatencyCheck, ProgressEvent } from "./tinynas.ts";
/** Common options of the latency-table helpers. */
export interface LatencyTableOptions {
  readonly space: SearchSpace;
  readonly pair: { readonly width: number; readonly resolution: number };
  readonly head: TaskHead;
  readonly board: Board;
  readonly engine: SearchEngine;
  /** Seed of the synthetic weights (and of the held-out sampling). */
  readonly seed: number;
  readonly onProgress?: (event: ProgressEvent) => void;
}

/**
 * Load the cached latency table of the engine code and core, and measure the cover networks of
 * the pair whose layers it lacks (each compiled, built and emulated once per pipeline: with the
 * expansions streamed and layer by layer, since the compiler picks either per network); saves
 * after each run.
 */
export async function ensureLatencyTable(
  options: LatencyTableOptions & {
    readonly cacheDir: string;
    readonly root: string;
    /** Entries in instructions (default) or modelled cycles. */
    readonly metric?: LatencyMetric;
  },
): Promise<{ table: LatencyTable; coverRuns: number; fromCache: boolean; engineHash: string }> {
  const progress = options.onProgress ?? (() => {});
  const hashInfo = { engineHash: await engineCodeHash(options.root), core: options.board.core };
  // The table is folded from this pair's cover runs only, in order, so that it (and every
  // prediction) is the same whether the runs come from the cache or from the emulator.
  let table = emptyLatencyTable({ ...hashInfo, metric: options.metric ?? "instructions" });
  let coverRuns = 0;
  const cover = coverArchs(options.space, options.pair);
  const jobs = cover.flatMap((arch, i) =>
    (["always", "never"] as const).map((streaming) => ({ arch, i, streaming }))
  );
  for (const [j, { arch, i, streaming }] of jobs.entries()) {
    const net = toMbconvArch(options.space, arch, options.head);
    const layers = archLayers(net);
    const record = await measureNet(options, hashInfo, net, `lut-${i}`, () => {
      coverRuns++;
      progress({
        phase: "latency",
        done: j,
        total: jobs.length,
        message: `measuring cover network ${i + 1}/${cover.length}, ${
          streaming === "always" ? "streamed" : "layer by layer"
        } (${layers.length} layers)`,
      });
    }, streaming);
    table = addRun(table, { layers, ...record });
  }
  await saveLatencyTable(options.cacheDir, table);
  progress({
    phase: "latency",
    done: jobs.length,
    total: jobs.length,
    message: `latency table: ${Object.keys(table.entries).length} kernel configurations (${
      coverRuns ? `${coverRuns} networks measured` : "cached"
    })`,
  });
  return { table, coverRuns, fromCache: coverRuns === 0, engineHash: hashInfo.engineHash };
}

/** A network's per-layer counts: from the cache, else measured (runModel) and cached. */
async function measureNet(
  options: LatencyTableOptions & { readonly cacheDir: string },
  hashInfo: { engineHash: string; core: string },
  net: MbconvArch,
  name: string,
  onMeasure: () => void,
  streaming: Streaming = "auto",
): Promise<Omit<RunRecord, "version" | "net">> {
  const key = JSON.stringify({
    net,
    seed: options.seed,
    ...(streaming !== "auto" ? { streaming } : {}),
  });
  const cached = await loadRunRecord(options.cacheDir, { ...hashInfo, net: key });
  if (cached) return cached;
  onMeasure();
  const graph = options.engine.buildGraph(net, { name, seed: options.seed });
  const report = await options.engine.runModel(graph, options.board, { streaming });
  const record = {
    net: key,
    reported: report.layers.map((l) => ({
      op: l.op,
      instructions: l.instructions,
      cycles: l.cycles ?? 0,
    })),
    instructions: report.instructions,
    cycles: report.cycles ?? 0,
    family: report.plan.kernelFamily ?? "default",
    streamed: report.plan.streamed ?? false,
  };
  await saveRunRecord(options.cacheDir, hashInfo, record);
  return record;
}

/**
 * Check a latency table on held-out random architectures of the pair (their own seed stream):
 * predicted sum over layers against the emulator's whole-inference count.
 */
export async function checkLatencyTable(
  table: LatencyTable,
  options: LatencyTableOptions & {
    readonly count: number;
    readonly cacheDir: string;
    /** Engine hash and core of the cache (as {@link ensureLatencyTable} returns). */
    readonly hashInfo: { engineHash: string; core: string };
    /** Receives each held-out run (e.g. to add it to the table after the check). */
    readonly onRun?: (run: LatencyRun) => void;
  },
): Promise<LatencyCheck[]> {
  const progress = options.onProgress ?? (() => {});
  const rng = createRng((options.seed ^ 0x5eed1e55) >>> 0);
  const checks: LatencyCheck[] = [];
  for (let i = 0; i < options.count; i++) {
    const arch = sampleArch(options.space, rng, options.pair);
    const net = toMbconvArch(options.space, arch, options.head);
    const report = await measureNet(options, options.hashInfo, net, `check-${i}`, () => {});
    // The family and kernels the compiler chose are what the exact compile-time plan tells the
    // search for a candidate.
    const predicted = predictLatency(table, archLayers(net), {
      family: report.family,
      kernels: report.reported.map((r) => r.op),
    });
    options.onRun?.({ layers: archLayers(net), ...report });
    const measured = table.metric === "cycles" ? report.cycles ?? 0 : report.instructions;
    const error = Math.abs(predicted.instructions - measured) / Math.max(1, measured);
    checks.push({
      key: archKey(arch),
      predicted: predicted.instructions,
      measured,
      error,
      family: report.family,
      streamed: report.streamed,
      substituted: predicted.substituted,
    });
    progress({
      phase: "verify",
      done: i + 1,
      total: options.count,
      message: `held-out ${
        i + 1
      }/${options.count}: predicted ${predicted.instructions}, measured ${measured} ${
        table.metric ?? "instructions"
      } (${(100 * error).toFixed(2)}%)`,
    });
  }
  return checks;
}
