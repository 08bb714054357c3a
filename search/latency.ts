/**
 * The latency lookup table: instructions per layer configuration, measured in the emulator with
 * the tinyengine backend, cached on disk under `.cache/latency/` keyed by the engine code hash and
 * the core, and summed to predict a whole network.
 *
 * Measuring is batched: a set of "cover" networks is built so that every layer configuration of a
 * (width, resolution) space occurs in at least one of them; each is compiled, built and emulated
 * once (`runModel`), and its per-layer counts fill the table.
 *
 * @module
 */
import type { LayerReport } from "../pipeline/mod.ts";
import { archLayers, layerKey, type LayerShape } from "./layers.ts";
import {
  type Arch,
  type MbconvArch,
  type SearchSpace,
  slotCount,
  type StageGene,
} from "./space.ts";

/** Table file format version. */
export const LATENCY_TABLE_VERSION = 4;

/**
 * What a table's entries count: `instructions` (executed, exact) or `cycles` (the cycle model's
 * modelled cycles with the board's memory system, docs/cycle-model.md). A millisecond or
 * millijoule limit is a cycle limit at the board's clock and run current, so it uses a cycle table.
 */
export type LatencyMetric = "instructions" | "cycles";

/** A latency lookup table for one engine build and core. */
export interface LatencyTable {
  readonly version: number;
  readonly engine: string;
  readonly core: string;
  /** Hash of the engine code the counts were measured with. */
  readonly engineHash: string;
  /** What the entries count. @default "instructions" */
  readonly metric?: LatencyMetric;
  /**
   * `family|layer key` (fused kernels: keys joined by `+`) -> instructions of that kernel: the
   * mean over every observation (counts vary a little with the weights, e.g. requantization
   * paths chosen per layer from the shifts).
   */
  readonly entries: Readonly<Record<string, number>>;
  /** Observations behind each entry. */
  readonly observations?: Readonly<Record<string, number>>;
  /**
   * Mean instructions outside the layer markers, per layer, over the runs that filled the table
   * (informational: prediction leaves it out, so that predictions do not depend on which runs
   * filled a shared cache; it is a few hundred instructions per model).
   */
  readonly overheadPerLayer: number;
  /** Number of whole-model runs the table was filled from. */
  readonly runs: number;
}

/** A latency prediction. */
export interface LatencyPrediction {
  readonly instructions: number;
  /** Layer keys not in the table (their cost is missing from `instructions`). */
  readonly missing: readonly string[];
}

/** Create an empty table. */
export function emptyLatencyTable(
  options: { engineHash: string; core: string; metric?: LatencyMetric },
): LatencyTable {
  return {
    version: LATENCY_TABLE_VERSION,
    engine: "tinyengine",
    core: options.core,
    engineHash: options.engineHash,
    metric: options.metric ?? "instructions",
    entries: {},
    overheadPerLayer: 0,
    runs: 0,
  };
}

/** Kernel families the tinyengine backend chooses between, in fallback order. */
export const KERNEL_FAMILIES: readonly string[] = ["fast", "balanced", "lean", "default"];

/** A table entry of `key` in the preferred family, else in another (`substituted`). */
function lookup(
  table: LatencyTable,
  key: string,
  family: string,
): { value: number; substituted: boolean } | undefined {
  const own = table.entries[`${family}|${key}`];
  if (own !== undefined) return { value: own, substituted: false };
  for (const f of KERNEL_FAMILIES) {
    const v = table.entries[`${f}|${key}`];
    if (v !== undefined) return { value: v, substituted: true };
  }
  return undefined;
}

/**
 * Predict a network's inference instructions as the sum of its emitted kernels' table entries.
 * Consecutive layers the backend fuses into one kernel (a streamed 1x1 expansion + depthwise) are
 * one entry, their keys joined by `+`. Which layers are fused comes from `kernels`, the op names of
 * the compiled model's kernels in order (`CompiledModel.layers[].op`, e.g.
 * `CONV_2D+DEPTHWISE_CONV_2D`: the exact plan knows them); with `streamed: false` every layer is
 * its own kernel; with neither, the longest match in the table wins. Entries of the requested
 * kernel family are preferred; a missing one is taken from another family (`substituted`).
 *
 * @example
 * ```ts ignore
 * const { instructions, missing } = predictLatency(table, archLayers(spec), {
 *   family: "fast",
 *   kernels: compiled.layers.map((l) => l.op),
 * });
 * ```
 */
export function predictLatency(
  table: LatencyTable,
  layers: readonly LayerShape[],
  options: {
    readonly family?: string;
    readonly streamed?: boolean;
    readonly kernels?: readonly string[];
  } = {},
): LatencyPrediction & { readonly substituted: number } {
  const family = options.family ?? "fast";
  const keys = layers.map(layerKey);
  const groups = options.kernels ? kernelGroups(layers, options.kernels) : undefined;
  const longest = options.streamed === false ? 1 : 3;
  let sum = 0;
  let substituted = 0;
  const missing: string[] = [];
  for (let i = 0, g = 0; i < keys.length; g++) {
    let n = groups ? groups[g]! : Math.min(longest, keys.length - i);
    let found = lookup(table, keys.slice(i, i + n).join("+"), family);
    // Without the compiler's grouping, the longest match in the table wins.
    while (!groups && !found && n > 1) {
      found = lookup(table, keys.slice(i, i + --n).join("+"), family);
    }
    if (found) {
      sum += found.value;
      if (found.substituted) substituted++;
    } else missing.push(keys.slice(i, i + n).join("+"));
    i += n;
  }
  return { instructions: Math.round(sum), missing, substituted };
}

/**
 * Instructions of a network whichever expansions the compiler streams: the sum over kernels of
 * the smaller (`min`) and the larger (`max`) of the streamed entry and its two layers' entries.
 * Screening uses it before the exact plan says which the compiler streams.
 */
export function predictLatencyRange(
  table: LatencyTable,
  layers: readonly LayerShape[],
  options: { readonly family?: string } = {},
): { readonly min: number; readonly max: number; readonly missing: readonly string[] } {
  const family = options.family ?? "fast";
  const keys = layers.map(layerKey);
  let min = 0;
  let max = 0;
  const missing: string[] = [];
  for (let i = 0; i < keys.length; i++) {
    const one = lookup(table, keys[i]!, family);
    if (!one) {
      missing.push(keys[i]!);
      continue;
    }
    const fused = i + 1 < keys.length
      ? lookup(table, `${keys[i]}+${keys[i + 1]}`, family)
      : undefined;
    const next = fused ? lookup(table, keys[i + 1]!, family) : undefined;
    if (fused && next) {
      min += Math.min(fused.value, one.value + next.value);
      max += Math.max(fused.value, one.value + next.value);
      i++;
    } else {
      min += one.value;
      max += one.value;
    }
  }
  return { min: Math.round(min), max: Math.round(max), missing };
}

/**
 * Layers per emitted kernel (`CONV_2D+DEPTHWISE_CONV_2D` covers two), checked against the layer
 * kinds; throws when the compiled kernels do not cover the layers.
 */
function kernelGroups(layers: readonly LayerShape[], kernels: readonly string[]): number[] {
  const groups: number[] = [];
  let i = 0;
  for (const k of kernels) {
    const ops = k.split("+");
    if (ops.some((op, j) => layers[i + j]?.kind !== op)) break;
    groups.push(ops.length);
    i += ops.length;
  }
  if (i !== layers.length) {
    throw new Error(
      `Cannot predict latency: the compiled kernels ${kernels.join(",")} do not cover the layers ${
        layers.map((l) => l.kind).join(",")
      }`,
    );
  }
  return groups;
}

/**
 * Pair a network's layers with the per-layer counts of its RunReport. The backend emits one
 * marker per kernel; a kernel covering several operators reports them joined by `+`
 * (e.g. `CONV_2D+DEPTHWISE_CONV_2D` for a streamed expand + depthwise) and is keyed by the
 * joined layer keys.
 */
export function alignLayers(
  layers: readonly LayerShape[],
  reported: readonly Pick<LayerReport, "op" | "instructions" | "cycles">[],
): { key: string; instructions: number; cycles: number }[] {
  const out: { key: string; instructions: number; cycles: number }[] = [];
  let i = 0;
  const fail = () =>
    new Error(
      `Cannot align the latency table with the run: expected layers ${
        layers.map((l) => l.kind).join(",")
      } but the run reported ${reported.map((r) => r.op).join(",")}`,
    );
  for (const r of reported) {
    const ops = r.op.split("+");
    const group = layers.slice(i, i + ops.length);
    if (group.length !== ops.length || group.some((l, j) => l.kind !== ops[j])) throw fail();
    out.push({
      key: group.map(layerKey).join("+"),
      instructions: r.instructions,
      cycles: r.cycles ?? 0,
    });
    i += ops.length;
  }
  if (i !== layers.length) throw fail();
  return out;
}

/** One whole-model measurement added to a table. */
export interface LatencyRun {
  readonly layers: readonly LayerShape[];
  readonly reported: readonly Pick<LayerReport, "op" | "instructions" | "cycles">[];
  /** Whole-inference instructions of the run. */
  readonly instructions: number;
  /** Whole-inference modelled cycles of the run (cycle tables). */
  readonly cycles?: number;
  /** Kernel family the backend chose (`MemoryPlanSummary.kernelFamily`). @default "default" */
  readonly family?: string;
}

/**
 * A new table with a run's per-kernel counts added (each entry is the running mean of its
 * observations) and the per-layer overhead refitted as a running mean.
 */
export function addRun(table: LatencyTable, run: LatencyRun): LatencyTable {
  const pairs = alignLayers(run.layers, run.reported);
  const entries: Record<string, number> = { ...table.entries };
  const observations: Record<string, number> = { ...table.observations };
  let sum = 0;
  const family = run.family ?? "default";
  const cycles = table.metric === "cycles";
  for (const p of pairs) {
    const value = cycles ? p.cycles : p.instructions;
    sum += value;
    const key = `${family}|${p.key}`;
    const n = (observations[key] ?? (entries[key] === undefined ? 0 : 1)) + 1;
    const mean = entries[key] ?? 0;
    entries[key] = mean + (value - mean) / n;
    observations[key] = n;
  }
  const total = cycles ? run.cycles ?? sum : run.instructions;
  const overhead = pairs.length > 0 ? (total - sum) / pairs.length : 0;
  const runs = table.runs + 1;
  return {
    ...table,
    entries: Object.fromEntries(Object.entries(entries).sort(([a], [b]) => a < b ? -1 : 1)),
    observations: Object.fromEntries(
      Object.entries(observations).sort(([a], [b]) => a < b ? -1 : 1),
    ),
    overheadPerLayer: (table.overheadPerLayer * table.runs + overhead) / runs,
    runs,
  };
}

/**
 * Networks of one (width, resolution) space that together contain every layer configuration of
 * the space: every (kernel, expand) pair occurs in the first block of every stage and in a later
 * block of every multi-block stage. Depths are the largest allowed.
 *
 * @example
 * ```ts
 * import { coverArchs } from "./latency.ts";
 * import { MCUNET_SPACE } from "./space.ts";
 * coverArchs(MCUNET_SPACE, { width: 0.5, resolution: 96 }).length; // 12
 * ```
 */
export function coverArchs(
  space: SearchSpace,
  pair: { readonly width: number; readonly resolution: number },
): Arch[] {
  const combos: [number, number][] = [];
  for (const k of space.kernels) for (const e of space.expands) combos.push([k, e]);
  const maxRest = Math.max(1, ...space.stages.map((s) => slotCount(s) - 1));
  const count = Math.max(combos.length, Math.ceil(combos.length / maxRest));
  const archs: Arch[] = [];
  for (let j = 0; j < count; j++) {
    const stages = space.stages.map((s, si): StageGene => {
      const n = slotCount(s);
      const kernels: number[] = [];
      const expands: number[] = [];
      for (let i = 0; i < n; i++) {
        const idx = i === 0 ? (j + si) % combos.length : ((n - 1) * j + i - 1) % combos.length;
        const [k, e] = combos[idx]!;
        kernels.push(k);
        expands.push(e);
      }
      return { depth: Math.max(...s.depths), kernels, expands };
    });
    archs.push({ width: pair.width, resolution: pair.resolution, stages });
  }
  return archs;
}

/** Keys of a network's layers that the table lacks. */
export function missingKeys(table: LatencyTable, arch: MbconvArch): string[] {
  return [...predictLatency(table, archLayers(arch)).missing];
}

/** The cache file of a table: `<dir>/<engine>-<core>[-cycles]-<hash16>.json`. */
export function latencyCachePath(
  dir: string,
  options: { engineHash: string; core: string; metric?: LatencyMetric },
): string {
  const metric = options.metric === "cycles" ? "-cycles" : "";
  return `${dir}/tinyengine-${options.core}${metric}-${options.engineHash.slice(0, 16)}.json`;
}

/** Read a cached table, or an empty one when there is none (or it is from another version). */
export async function loadLatencyTable(
  dir: string,
  options: { engineHash: string; core: string; metric?: LatencyMetric },
): Promise<LatencyTable> {
  const path = latencyCachePath(dir, options);
  try {
    const json = JSON.parse(await Deno.readTextFile(path)) as LatencyTable;
    if (
      json.version === LATENCY_TABLE_VERSION && json.engineHash === options.engineHash &&
      json.core === options.core &&
      (json.metric ?? "instructions") === (options.metric ?? "instructions")
    ) {
      return json;
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) {
      throw new Error(`Cannot read the latency table ${path}: ${String(e)}`, { cause: e });
    }
  }
  return emptyLatencyTable(options);
}

/**
 * Write a table atomically (temporary file + rename), merged with what is on disk, so that
 * concurrent shards only ever add entries.
 */
export async function saveLatencyTable(dir: string, table: LatencyTable): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const path = latencyCachePath(dir, table);
  const disk = await loadLatencyTable(dir, table);
  const entries = Object.fromEntries(
    Object.entries({ ...disk.entries, ...table.entries }).sort(([a], [b]) => a < b ? -1 : 1),
  );
  const merged: LatencyTable = table.runs >= disk.runs
    ? { ...table, entries }
    : { ...disk, entries };
  const tmp = `${path}.${Deno.pid}.tmp`;
  await Deno.writeTextFile(tmp, JSON.stringify(merged, null, 1) + "\n");
  await Deno.rename(tmp, path);
}

async function sha256Hex(data: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function listFiles(root: string, rel: string, out: string[]): Promise<void> {
  let entries: Deno.DirEntry[];
  try {
    entries = [];
    for await (const e of Deno.readDir(`${root}/${rel}`)) entries.push(e);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  entries.sort((a, b) => a.name < b.name ? -1 : 1);
  for (const e of entries) {
    const path = `${rel}/${e.name}`;
    if (e.isDirectory) await listFiles(root, path, out);
    else if (
      e.isFile && /\.(ts|c|h|S|s|ld|json)$/.test(e.name) && !e.name.endsWith("_test.ts") &&
      !e.name.endsWith("_bench.ts")
    ) {
      out.push(path);
    }
  }
}

/** Folders whose code determines instruction counts (kernels, schedule, build, firmware, counter). */
export const ENGINE_CODE_DIRS: readonly string[] = [
  "engine/codegen/tinyengine",
  "engine/codegen/backend.ts",
  "engine/schedule",
  "engine/build",
  "engine/ir",
  "engine/target",
  "engine/quant",
  "fixtures/firmware",
  "emulator",
];

/**
 * Hash of the engine code (file paths and contents under {@link ENGINE_CODE_DIRS}, tests
 * excluded), so that a table measured with other kernels is never reused.
 */
export async function engineCodeHash(root: string): Promise<string> {
  const files: string[] = [];
  for (const d of ENGINE_CODE_DIRS) {
    let stat: Deno.FileInfo | undefined;
    try {
      stat = await Deno.stat(`${root}/${d}`);
    } catch {
      stat = undefined;
    }
    if (stat?.isFile) files.push(d);
    else if (stat?.isDirectory) await listFiles(root, d, files);
  }
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  for (const f of files) {
    parts.push(enc.encode(`${f}\n`));
    parts.push(await Deno.readFile(`${root}/${f}`));
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  const all = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return await sha256Hex(all);
}

/** One measured network as the latency cache keeps it (enough to refold a table). */
export interface RunRecord {
  readonly version: number;
  readonly net: string;
  readonly reported: readonly Pick<LayerReport, "op" | "instructions" | "cycles">[];
  readonly instructions: number;
  /** Modelled inference cycles (docs/cycle-model.md). */
  readonly cycles?: number;
  readonly family: string;
  /** Whether the compiler streamed any expansion (see the tinyengine `streaming` option). */
  readonly streamed: boolean;
}

/** The cache file of one measured network. */
export async function runRecordPath(
  dir: string,
  options: { engineHash: string; core: string; net: string },
): Promise<string> {
  const digest = await sha256Hex(new TextEncoder().encode(options.net));
  return `${dir}/runs-${options.core}-${options.engineHash.slice(0, 16)}/${
    digest.slice(0, 24)
  }.json`;
}

/** A cached network measurement, or undefined. */
export async function loadRunRecord(
  dir: string,
  options: { engineHash: string; core: string; net: string },
): Promise<RunRecord | undefined> {
  const path = await runRecordPath(dir, options);
  try {
    const r = JSON.parse(await Deno.readTextFile(path)) as RunRecord;
    return r.version === LATENCY_TABLE_VERSION && r.net === options.net ? r : undefined;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw new Error(`Cannot read the latency cache ${path}: ${String(e)}`, { cause: e });
  }
}

/** Store a network measurement (atomically). */
export async function saveRunRecord(
  dir: string,
  options: { engineHash: string; core: string },
  record: Omit<RunRecord, "version">,
): Promise<void> {
  const path = await runRecordPath(dir, { ...options, net: record.net });
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  const tmp = `${path}.${Deno.pid}.tmp`;
  await Deno.writeTextFile(
    tmp,
    JSON.stringify({ version: LATENCY_TABLE_VERSION, ...record }) + "\n",
  );
  await Deno.rename(tmp, path);
}
