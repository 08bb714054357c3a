/**
 * `mcu search --board B --classes N --seed S [--out DIR] [--json]`: TinyNAS. Stage 1 chooses the
 * (width, resolution) space from the MACs CDF of models that fit the board; stage 2 evolves
 * architectures under SRAM, Flash and a latency limit (instructions, from a latency table measured
 * in the emulator); the winner is compiled with tinyengine, built, emulated and checked.
 *
 * @module
 */
// deno-lint-ignore-file no-console
import { getBoard } from "../engine/target/mod.ts";
import { createSearchEngine, type SearchEngine } from "../search/mod.ts";
import { getObjective } from "../search/mod.ts";
import { summarize, writeSearchOutputs } from "../search/mod.ts";
import { MCUNET_SPACE, SPACES, TINY_SPACE } from "../search/mod.ts";
import { rankPairs, runStage1, stage1Table } from "../search/mod.ts";
import { committedCalibration } from "../search/mod.ts";
import { type ProgressEvent, runTinyNas } from "../search/mod.ts";
import { checkLatencyTable, ensureLatencyTable } from "../search/mod.ts";
import { measureCalibration } from "../search/mod.ts";
import type { ArchCost, CostCalibration } from "../search/mod.ts";
import { engineCodeHash } from "../search/mod.ts";

/** Options of {@link searchCommand} (CLI flags in kebab-case). */
export interface SearchCommandOptions {
  readonly board: string;
  readonly classes: number;
  readonly seed: number;
  /** Output folder. @default `reports/search/<board>-seed<seed>` */
  readonly out?: string;
  /** Print one JSON summary object on stdout. */
  readonly json: boolean;
  /** @default 3 */
  readonly inputChannels?: number;
  /** Stage-1 samples per (width, resolution) pair. @default 1000 */
  readonly samples?: number;
  /** @default 30 */
  readonly generations?: number;
  /** @default 100 */
  readonly population?: number;
  /** Latency limit in inference instructions. @default the board clock in Hz */
  readonly maxInstructions?: number;
  /** Latency limit in modelled milliseconds (a cycle limit at the board clock). */
  readonly latencyMs?: number;
  /** Energy limit per inference in modelled millijoules (a cycle limit at the run power). */
  readonly energyMj?: number;
  /** Skip stage 1's choice: search this width and resolution. */
  readonly width?: number;
  readonly resolution?: number;
  /** Quality objective name (`macs`, `expressivity`). @default "macs" */
  readonly objective?: string;
  /** Measure in the emulator (latency table, checks, final run). @default true */
  readonly measure?: boolean;
  /** Held-out latency-table checks. @default 2 */
  readonly verify?: number;
  /** `i/n` (1 <= i <= n): run only stage 1 over every n-th pair from the i-th; write its pairs. */
  readonly shard?: string;
  /** Merge stage-1 shard files (JSON) instead of searching. */
  readonly merge?: readonly string[];
  /**
   * Allow patch-based execution of the first stage (issue #15) recomputing at most this share of
   * the MACs; stage 1, stage 2 and the final run use the best plan including patches.
   */
  readonly patches?: number;
  /** Latency table cache folder. @default ".cache/latency" */
  readonly cacheDir?: string;
  /** Write the firmware project and .tflite. @default true */
  readonly firmware?: boolean;
  /**
   * Instead of searching: fill the latency table for the pair (`--width/--resolution`, else the
   * stage-1 choice) and check it on this many held-out random networks (acceptance: >= 50).
   */
  readonly checkLatency?: number;
  /** Instead of searching: measure this many networks, fit and write `search/calibration.json`. */
  readonly calibrate?: number;
  /** SRAM budget in bytes (at most the board's). @default the board's */
  readonly sram?: number;
  /** Flash budget in bytes (at most the board's). @default the board's */
  readonly flash?: number;
  /** Search space name (`mcunet`, `tiny`). @default "tiny" with --dataset, else "mcunet" */
  readonly space?: string;
  /** Train and search for accuracy on this data set (`fashion-mnist`). */
  readonly dataset?: string;
  /** Run size of the accuracy search (`quick`, `full`). @default "full" */
  readonly preset?: string;
}

/** Where the command writes (injectable for tests). */
export interface SearchIo {
  readonly out: (line: string) => void;
  readonly err: (text: string) => void;
  readonly isTty: boolean;
  readonly engine?: SearchEngine;
}

function consoleIo(): SearchIo {
  let tty = false;
  try {
    tty = Deno.stderr.isTerminal();
  } catch {
    tty = false;
  }
  return {
    out: (line) => console.log(line),
    err: (text) => Deno.stderr.writeSync(new TextEncoder().encode(text)),
    isTty: tty,
  };
}

/** A progress renderer: one rewritten status line on a TTY, plain (throttled) lines otherwise. */
function progressRenderer(io: SearchIo, quiet: boolean): (e: ProgressEvent) => void {
  let lastPhase = "";
  let lastLen = 0;
  return (e) => {
    if (quiet) return;
    const head = `[${e.phase} ${e.done}/${e.total}]`;
    const line = `${head} ${e.message}`;
    if (io.isTty) {
      if (lastPhase && lastPhase !== e.phase) io.err("\n");
      io.err(`\r${line.padEnd(lastLen)}`);
      lastLen = line.length;
      lastPhase = e.phase;
      return;
    }
    // Plain lines: every stage-1 pair would be ~100 lines; print every tenth and the last.
    if (e.phase === "stage1" && e.done % 10 !== 0 && e.done !== e.total) return;
    io.err(line + "\n");
  };
}

/** `--shard i/n` (1 <= i <= n, as `bench --shard`) -> stage 1's 0-based shard. */
function parseShard(s: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(s.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) {
    throw new RangeError(`Cannot parse --shard '${s}': expected i/n with 1 <= i <= n, e.g. 1/4`);
  }
  return { index: index - 1, count };
}

/**
 * The cycle limit of `--latency-ms` and `--energy-mj` (the tighter of the two), or undefined
 * without either. The cycle model's energy is run power x time, so an energy limit is a cycle
 * limit too: cycles <= mJ / 1000 / (µA/MHz x MHz x V) x clock.
 */
export function cycleLimit(
  board: ReturnType<typeof getBoard>,
  opts: Pick<SearchCommandOptions, "latencyMs" | "energyMj">,
): number | undefined {
  const limits: number[] = [];
  if (opts.latencyMs !== undefined) limits.push(Math.floor(opts.latencyMs / 1e3 * board.clockHz));
  if (opts.energyMj !== undefined) {
    const power = board.timing?.power;
    if (!power) {
      throw new RangeError(
        `Cannot apply --energy-mj on ${board.name}: its profile has no run-current figure`,
      );
    }
    const watts = power.runMicroampsPerMhz * 1e-6 * (board.clockHz / 1e6) * power.volts;
    limits.push(Math.floor(opts.energyMj / 1e3 / watts * board.clockHz));
  }
  return limits.length === 0 ? undefined : Math.min(...limits);
}

/** Stage-1 limits: the board's memories and the latency limit as a MACs cap. */
/** `--patches f` as the search's patch option (absent: layer by layer). */
function patchOption(opts: SearchCommandOptions): { patchMacOverhead?: number } {
  if (opts.patches === undefined) return {};
  if (!(opts.patches >= 0 && opts.patches < 10)) {
    throw new RangeError(
      `Cannot use --patches ${opts.patches}: expected a share of MACs between 0 and 10`,
    );
  }
  return { patchMacOverhead: opts.patches };
}

function stage1Limits(board: ReturnType<typeof getBoard>, opts: SearchCommandOptions) {
  const ipm = committedCalibration(board.core, opts.space).instructionsPerMac ?? 2;
  // A cycle limit caps MACs through instructions per MAC too (stage 1 has no cycle model).
  const latency = cycleLimit(board, opts) ?? opts.maxInstructions ?? board.clockHz;
  return {
    sramBytes: opts.sram ?? board.sram.size,
    flashBytes: opts.flash ?? board.flash.size,
    maxMacs: Math.floor(latency / ipm),
  };
}

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

/**
 * Run the search command; returns the exit code (0 found and fits, 1 error, 2 bad arguments,
 * 3 the measured result does not fit).
 *
 * @example
 * ```ts ignore
 * const code = await searchCommand({ board: "stm32f746", classes: 1000, seed: 1, json: false });
 * ```
 */
export async function searchCommand(
  opts: SearchCommandOptions,
  io: SearchIo = consoleIo(),
): Promise<number> {
  let board;
  let shard: { index: number; count: number } | undefined;
  try {
    board = getBoard(opts.board);
    if (opts.shard !== undefined) shard = parseShard(opts.shard);
    if (!Number.isInteger(opts.classes) || opts.classes < 2) {
      throw new RangeError(`Cannot search: --classes must be an integer >= 2: got ${opts.classes}`);
    }
    if ((opts.width === undefined) !== (opts.resolution === undefined)) {
      throw new RangeError("Cannot search: give --width and --resolution together");
    }
    if (opts.space !== undefined && !Object.hasOwn(SPACES, opts.space)) {
      throw new RangeError(
        `Cannot search: unknown --space '${opts.space}': known spaces are ${
          Object.keys(SPACES).join(", ")
        }`,
      );
    }
    if (opts.sram !== undefined && opts.sram > board.sram.size) {
      throw new RangeError(
        `Cannot search: --sram ${opts.sram} exceeds the ${board.name}'s ${board.sram.size} bytes`,
      );
    }
    if (opts.flash !== undefined && opts.flash > board.flash.size) {
      throw new RangeError(
        `Cannot search: --flash ${opts.flash} exceeds the ${board.name}'s ${board.flash.size} bytes`,
      );
    }
  } catch (e) {
    io.err(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  if (opts.dataset !== undefined) {
    const { datasetSearchCommand } = await import("./search_dataset.ts");
    return await datasetSearchCommand(opts, io);
  }
  const space = SPACES[opts.space ?? "mcunet"]!;
  const head = { classes: opts.classes, inputChannels: opts.inputChannels ?? 3 };
  const out = opts.out ?? `reports/search/${board.name}-seed${opts.seed}`;
  const progress = progressRenderer(io, false);
  try {
    // Stage-1 shards and their merge (the cheap, embarrassingly parallel part).
    if (opts.shard !== undefined || opts.merge !== undefined) {
      let pairs;
      if (opts.merge) {
        pairs = [];
        for (const f of opts.merge) pairs.push(...JSON.parse(await Deno.readTextFile(f)).pairs);
        pairs.sort((a: { width: number; resolution: number }, b: typeof a) =>
          a.width - b.width || a.resolution - b.resolution
        );
      } else {
        const part = shard ?? { index: 0, count: 1 };
        const r = runStage1({
          space,
          head,
          limits: stage1Limits(board, opts),
          calibration: committedCalibration(board.core, space.name),
          seed: opts.seed,
          samples: opts.samples ?? 1000,
          shard: part,
          ...patchOption(opts),
          onPair: (done, total, s) =>
            progress({ phase: "stage1", done, total, message: `w${s.width}-r${s.resolution}` }),
        });
        pairs = r.pairs;
        await Deno.mkdir(out, { recursive: true });
        const file = `${out}/stage1.shard-${part.index + 1}-of-${part.count}.json`;
        await Deno.writeTextFile(file, JSON.stringify({ pairs }) + "\n");
        io.err(`wrote ${file}\n`);
      }
      const ranked = rankPairs(
        pairs,
        space.stage1MinFraction === undefined ? {} : { minFraction: space.stage1MinFraction },
      );
      if (opts.json) {
        io.out(
          JSON.stringify({
            best: ranked.best,
            ranking: ranked.ranking.slice(0, 10).map(({ macs: _, ...p }) => p),
          }),
        );
      } else {io.out(
          stage1Table({
            ranking: ranked.ranking.slice(0, 10),
            thresholdMacs: ranked.thresholdMacs,
          }),
        );}
      return 0;
    }

    const engine = io.engine ?? createSearchEngine({ cacheDir: ".cache/firmware" });
    if (opts.calibrate !== undefined) return await calibrateMode(opts, io, engine, board);
    if (opts.checkLatency !== undefined) {
      return await checkLatencyMode(opts, io, engine, board, progress);
    }
    const start = performance.now();
    const maxCycles = cycleLimit(board, opts);
    const result = await runTinyNas({
      board,
      head,
      seed: opts.seed,
      engine,
      space,
      ...(opts.sram !== undefined ? { sramBytes: opts.sram } : {}),
      ...(opts.flash !== undefined ? { flashBytes: opts.flash } : {}),
      // Budgets below the board's without a latency limit: tiny networks, far below the default
      // limit, need no latency table (the final run still measures).
      latencyTable: maxCycles !== undefined || opts.maxInstructions !== undefined ||
        (opts.sram === undefined && opts.flash === undefined),
      objective: getObjective(opts.objective ?? "macs"),
      stage1Samples: opts.samples ?? 1000,
      ...(opts.maxInstructions !== undefined ? { maxInstructions: opts.maxInstructions } : {}),
      ...(maxCycles !== undefined ? { maxCycles } : {}),
      ...(opts.width !== undefined && opts.resolution !== undefined
        ? { pair: { width: opts.width, resolution: opts.resolution } }
        : {}),
      evolution: {
        ...(opts.generations !== undefined ? { generations: opts.generations } : {}),
        ...(opts.population !== undefined ? { population: opts.population } : {}),
      },
      measure: opts.measure ?? true,
      verifyArchs: opts.verify ?? 2,
      ...patchOption(opts),
      cacheDir: opts.cacheDir ?? ".cache/latency",
      onProgress: progress,
    });
    if (io.isTty) io.err("\n");
    const written = await writeSearchOutputs(result, {
      dir: out,
      space,
      engine,
      board,
      firmware: (opts.firmware ?? true) && (opts.measure ?? true),
      patches: patchOption(opts),
    });
    const seconds = (performance.now() - start) / 1000;
    const summary = { ...summarize(result), totalSeconds: Math.round(seconds * 10) / 10, out };
    if (opts.json) {
      io.out(JSON.stringify(summary));
    } else {
      const f = result.final;
      const m = f.measured;
      const lines = [
        `board            ${board.name} (${kib(result.limits.sramBytes)} SRAM, ${
          kib(result.limits.flashBytes)
        } Flash, latency limit ${
          (result.limits.maxInstructions / 1e6).toFixed(1)
        }M ${result.metric}${
          result.metric === "cycles"
            ? ` = ${(result.limits.maxInstructions / board.clockHz * 1e3).toFixed(1)} ms modelled`
            : ""
        })`,
        `stage 1          w${result.pair.width}-r${result.pair.resolution} chosen (${
          Math.round(result.stage1.candidatesPerSecond)
        } candidates/s); top: ${
          result.stage1.ranking.slice(0, 3).map((p) =>
            `w${p.width}-r${p.resolution} ${(p.meanMacs / 1e6).toFixed(1)}M`
          ).join(", ")
        }`,
        `latency table    ${Object.keys(result.latency.table.entries).length} layer configs, ${
          result.latency.coverRuns ? `${result.latency.coverRuns} networks measured` : "from cache"
        }, held-out max error ${
          (100 * result.latency.maxError).toFixed(2)
        }% on ${result.latency.checks.length}`,
        `architecture     ${f.key}`,
        `MACs             ${(f.predicted.macs / 1e6).toFixed(2)}M, params ${
          (f.predicted.params / 1e6).toFixed(3)
        }M`,
        `predicted        SRAM ${kib(f.predicted.sramBytes)}, Flash ${
          kib(f.predicted.flashBytes)
        }, ${(f.predicted.instructions / 1e6).toFixed(2)}M ${result.metric}`,
        ...(m
          ? [
            `measured         SRAM ${kib(m.peakSramBytes)} (arena ${kib(m.arenaBytes)}, stack ${
              kib(m.stackBytes)
            }), Flash ${kib(m.flashBytes)} (model ${kib(m.flashModelBytes)}, code ${
              kib(m.flashCodeBytes)
            }), ${(m.instructions / 1e6).toFixed(2)}M instructions, modelled ${
              (m.latencyMs ?? 0).toFixed(1)
            } ms / ${(m.energyMj ?? 0).toFixed(2)} mJ, reference ${
              m.referenceMatch ? "match" : "MISMATCH"
            }`,
          ]
          : []),
        `fits             ${f.fits ? "yes" : "NO"}${f.tried > 1 ? ` (candidate ${f.tried})` : ""}`,
        `time             ${seconds.toFixed(1)} s (stage 1 ${
          result.seconds.stage1.toFixed(1)
        }, latency ${result.seconds.latency.toFixed(1)}, evolution ${
          result.seconds.evolve.toFixed(1)
        }, final ${result.seconds.final.toFixed(1)})`,
        `wrote            ${out}/{${written.join(",")}}`,
      ];
      for (const l of lines) io.out(l);
    }
    return result.final.fits ? 0 : 3;
  } catch (e) {
    if (io.isTty) io.err("\n");
    io.err(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

/** Flash and SRAM of a shape-only cost under another calibration. */
function rescale(
  c: ArchCost,
  k: CostCalibration,
): { flashBytes: number; sramBytes: number } {
  const model = k.modelBase + k.modelPerWeight * c.flashWeights +
    (k.modelPerDwTap ?? k.modelPerWeight) * c.flashDwTaps + k.modelPerChannel * c.flashChannels;
  const code = k.codeBase + k.codePerLayer * c.layers + k.codePerKernel * c.kernelsOther +
    (k.codePerPointwise ?? k.codePerKernel) * c.kernelsPointwise +
    (k.codePerFused ?? k.codePerKernel) * c.kernelsFused;
  const arena = k.arenaScale * c.peakBytes + k.arenaOffset;
  return {
    flashBytes: Math.ceil(model) + Math.ceil(code),
    sramBytes: Math.ceil(arena) + k.staticBytes + k.stackBytes,
  };
}

async function calibrateMode(
  opts: SearchCommandOptions,
  io: SearchIo,
  engine: SearchEngine,
  board: ReturnType<typeof getBoard>,
): Promise<number> {
  // `--space tiny` fits the tiny space on its own (key `core:tiny`); the core's default fit
  // takes every other build from the tiny space too, so its code-statement fit covers both.
  const tiny = opts.space === "tiny";
  const { calibration, samples } = await measureCalibration({
    space: tiny ? TINY_SPACE : MCUNET_SPACE,
    board,
    head: { classes: opts.classes, inputChannels: opts.inputChannels ?? 3 },
    engine,
    seed: opts.seed,
    count: opts.calibrate ?? 8,
    ...(tiny ? {} : { variants: [{ space: TINY_SPACE, head: { classes: 10, inputChannels: 1 } }] }),
    engineHash: await engineCodeHash(
      decodeURIComponent(new URL("..", import.meta.url).pathname).replace(/\/$/, ""),
    ),
    onSample: (done, total, s) =>
      io.err(
        `[calibrate ${done}/${total}] arena ${s.report.arenaBytes} (live ${s.cost.liveBytes}), static ${s.report.staticSramBytes}, stack ${s.report.stackBytes}, flash model ${s.report.flashModelBytes} code ${s.report.flashCodeBytes}\n`,
      ),
  });
  const path = new URL("../search/calibration.json", import.meta.url);
  let table: Record<string, unknown> = {};
  try {
    table = JSON.parse(await Deno.readTextFile(path));
  } catch {
    table = {};
  }
  table[tiny ? `${board.core}:tiny` : board.core] = calibration;
  const sorted = Object.fromEntries(Object.entries(table).sort(([a], [b]) => a < b ? -1 : 1));
  await Deno.writeTextFile(path, JSON.stringify(sorted, null, 2) + "\n");
  // Residuals of the fit on its samples (it never under-predicts them).
  const residuals = samples.map((s) => {
    const c = { ...s.cost, ...rescale(s.cost, calibration) };
    return {
      flashOver: c.flashBytes - s.report.flashBytes,
      sramOver: c.sramBytes - s.report.peakSramBytes,
    };
  });
  io.out(JSON.stringify({ core: board.core, calibration, samples: samples.length, residuals }));
  return 0;
}

async function checkLatencyMode(
  opts: SearchCommandOptions,
  io: SearchIo,
  engine: SearchEngine,
  board: ReturnType<typeof getBoard>,
  progress: (e: ProgressEvent) => void,
): Promise<number> {
  const head = { classes: opts.classes, inputChannels: opts.inputChannels ?? 3 };
  let pair: { width: number; resolution: number } | undefined;
  if (opts.width !== undefined && opts.resolution !== undefined) {
    pair = { width: opts.width, resolution: opts.resolution };
  } else {
    pair = runStage1({
      space: MCUNET_SPACE,
      head,
      limits: stage1Limits(board, opts),
      calibration: committedCalibration(board.core, opts.space),
      seed: opts.seed,
      samples: opts.samples ?? 1000,
    }).best;
  }
  if (!pair) throw new Error("Cannot check the latency table: stage 1 found no space");
  const base = {
    space: MCUNET_SPACE,
    pair,
    head,
    board,
    engine,
    seed: opts.seed,
    onProgress: progress,
  };
  const start = performance.now();
  const cacheDir = opts.cacheDir ?? ".cache/latency";
  const { table, coverRuns, engineHash } = await ensureLatencyTable({
    ...base,
    cacheDir,
    root: decodeURIComponent(new URL("..", import.meta.url).pathname).replace(/\/$/, ""),
  });
  const checks = await checkLatencyTable(table, {
    ...base,
    cacheDir,
    hashInfo: { engineHash, core: board.core },
    count: opts.checkLatency ?? 50,
  });
  if (io.isTty) io.err("\n");
  const errors = checks.map((c) => c.error);
  const max = Math.max(0, ...errors);
  const mean = errors.reduce((s, e) => s + e, 0) / Math.max(1, errors.length);
  const within = errors.filter((e) => e <= 0.05).length;
  const summary = {
    board: board.name,
    pair,
    entries: Object.keys(table.entries).length,
    coverRuns,
    checked: checks.length,
    within5Percent: within,
    maxError: max,
    meanError: mean,
    seconds: Math.round((performance.now() - start) / 100) / 10,
    checks,
  };
  if (opts.json) io.out(JSON.stringify(summary));
  else {
    io.out(
      `latency table w${pair.width}-r${pair.resolution} on ${board.name}: ${summary.entries} layer configs (${coverRuns} cover runs measured: each cover network streamed and layer by layer)`,
    );
    io.out(
      `held-out: ${checks.length} networks, ${within} within 5%, max error ${
        (100 * max).toFixed(3)
      }%, mean ${(100 * mean).toFixed(3)}% (${
        checks.filter((c) => c.streamed).length
      } compiled with streamed expansions (those at the memory peak, or all), the others layer by layer)`,
    );
  }
  return within === checks.length ? 0 : 3;
}
