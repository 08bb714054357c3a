/**
 * Writing a TinyNAS result to a folder: the chosen architecture (JSON), its `.tflite`, its
 * tinyengine firmware project and ELF, the stage-1 CDF table (Markdown, CSV) and plot (SVG), the
 * final population and its Pareto front (JSON, SVG), and a summary.
 *
 * @module
 */
import type { SearchEngine, SearchPatches } from "./engine.ts";
import { paretoFront } from "./evolution.ts";
import { paretoSpec, renderSvg, stage1CdfSpec } from "./plot.ts";
import type { SearchSpace } from "./space.ts";
import { stage1Table } from "./stage1.ts";
import type { TinyNasResult } from "./tinynas.ts";
import { type Board, enlargedBoard } from "../engine/target/mod.ts";

/** The compact summary `mcu search --json` prints and `summary.json` holds. */
export interface SearchSummary {
  readonly board: string;
  readonly seed: number;
  readonly limits: TinyNasResult["limits"];
  /** Unit of `limits.maxInstructions` and of the predictions: instructions or modelled cycles. */
  readonly metric: TinyNasResult["metric"];
  readonly pair: TinyNasResult["pair"];
  readonly stage1Top: readonly {
    width: number;
    resolution: number;
    fraction: number;
    meanMacs: number;
  }[];
  readonly stage1CandidatesPerSecond: number;
  readonly arch: string;
  readonly macs: number;
  readonly predicted: TinyNasResult["final"]["predicted"];
  readonly measured?: {
    readonly instructions: number;
    /** Modelled inference cycles, ms and mJ (docs/cycle-model.md). */
    readonly cycles?: number;
    readonly latencyMs?: number;
    readonly energyMj?: number;
    readonly peakSramBytes: number;
    readonly arenaBytes: number;
    readonly stackBytes: number;
    readonly flashBytes: number;
    readonly flashModelBytes: number;
    readonly flashCodeBytes: number;
    readonly referenceMatch: boolean;
    readonly fits: boolean;
  };
  readonly fits: boolean;
  readonly latencyTable: {
    readonly entries: number;
    readonly coverRuns: number;
    readonly fromCache: boolean;
    readonly maxHeldOutError: number;
    readonly checks: TinyNasResult["latency"]["checks"];
  };
  readonly evolution: {
    readonly drawn: number;
    readonly satisfied: number;
    readonly history: readonly number[];
  };
  readonly calibration: string;
  readonly latencyMargin: number;
  readonly attempts: TinyNasResult["final"]["attempts"];
  readonly seconds: TinyNasResult["seconds"];
}

/** The summary of a result. */
export function summarize(result: TinyNasResult): SearchSummary {
  const m = result.final.measured;
  return {
    board: result.board,
    seed: result.seed,
    limits: result.limits,
    metric: result.metric,
    pair: result.pair,
    stage1Top: result.stage1.ranking.slice(0, 5).map((p) => ({
      width: p.width,
      resolution: p.resolution,
      fraction: p.fraction,
      meanMacs: Math.round(p.meanMacs),
    })),
    stage1CandidatesPerSecond: Math.round(result.stage1.candidatesPerSecond),
    arch: result.final.key,
    macs: result.final.predicted.macs,
    predicted: result.final.predicted,
    ...(m
      ? {
        measured: {
          instructions: m.instructions,
          ...(m.cycles !== undefined
            ? { cycles: m.cycles, latencyMs: m.latencyMs ?? 0, energyMj: m.energyMj ?? 0 }
            : {}),
          peakSramBytes: m.peakSramBytes,
          arenaBytes: m.arenaBytes,
          stackBytes: m.stackBytes,
          flashBytes: m.flashBytes,
          flashModelBytes: m.flashModelBytes,
          flashCodeBytes: m.flashCodeBytes,
          referenceMatch: m.referenceMatch,
          fits: m.fits,
        },
      }
      : {}),
    fits: result.final.fits,
    latencyTable: {
      entries: Object.keys(result.latency.table.entries).length,
      coverRuns: result.latency.coverRuns,
      fromCache: result.latency.fromCache,
      maxHeldOutError: result.latency.maxError,
      checks: result.latency.checks,
    },
    evolution: {
      drawn: result.evolution.drawn,
      satisfied: result.evolution.satisfied,
      history: result.evolution.history,
    },
    calibration: result.calibration.source,
    latencyMargin: result.latencyMargin,
    attempts: result.final.attempts,
    seconds: result.seconds,
  };
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + "\n";
}

/**
 * Write every artifact of a result into `dir`; returns the paths written (relative to `dir`).
 * Artifacts hold no timestamps; wall-clock seconds appear only in `summary.json`.
 */
export async function writeSearchOutputs(
  result: TinyNasResult,
  options: {
    readonly dir: string;
    readonly space: SearchSpace;
    readonly engine: SearchEngine;
    readonly board: Board;
    /** Also compile and build the firmware project. @default true */
    readonly firmware?: boolean;
    /** Patch-based execution the search allowed (the firmware compiles with it). @default none */
    readonly patches?: SearchPatches;
  },
): Promise<string[]> {
  const dir = options.dir;
  await Deno.mkdir(dir, { recursive: true });
  const written: string[] = [];
  const put = async (name: string, data: string | Uint8Array) => {
    if (typeof data === "string") await Deno.writeTextFile(`${dir}/${name}`, data);
    else await Deno.writeFile(`${dir}/${name}`, data);
    written.push(name);
  };
  const f = result.final;
  await put(
    "arch.json",
    json({
      space: options.space.name,
      key: f.key,
      width: f.arch.width,
      resolution: f.arch.resolution,
      stages: f.arch.stages,
      mbconvArch: f.net,
      predicted: f.predicted,
    }),
  );
  await put("summary.json", json(summarize(result)));
  await put("stage1.md", stage1Table(result.stage1));
  const csv = ["width,resolution,sampled,satisfied,fraction,meanMacs,p10,p50,p90,fractionAbove"];
  for (const p of result.stage1.pairs) {
    csv.push(
      [
        p.width,
        p.resolution,
        p.sampled,
        p.satisfied,
        p.fraction.toFixed(4),
        Math.round(p.meanMacs),
        p.p10Macs,
        p.p50Macs,
        p.p90Macs,
        p.fractionAbove.toFixed(4),
      ].join(","),
    );
  }
  await put("stage1.csv", csv.join("\n") + "\n");
  await put(
    "stage1.svg",
    await renderSvg(
      stage1CdfSpec(result.stage1.ranking, {
        title: `Stage 1 on ${result.board}: CDF of MACs of models that fit`,
      }),
    ),
  );
  const pop = result.evolution.population;
  const front = new Set(
    paretoFront(pop.map((c) => ({ score: c.score, cost: c.metrics.instructions }))),
  );
  await put(
    "population.json",
    json(pop.map((c, i) => ({ key: c.key, score: c.score, pareto: front.has(i), ...c.metrics }))),
  );
  await put(
    "pareto.svg",
    await renderSvg(
      paretoSpec(
        pop.map((c, i) => ({
          instructions: c.metrics.instructions,
          score: c.score,
          sramBytes: c.metrics.sramBytes,
          pareto: front.has(i),
        })),
        { title: `Stage 2 on ${result.board}: final population`, scoreName: "score (log10 MACs)" },
      ),
    ),
  );
  await put("latency_table.json", json(result.latency.table));
  if (f.measured) await put("run_report.json", json(f.measured));
  if (options.firmware ?? true) {
    const graph = options.engine.buildGraph(f.net, { name: "tinynas", seed: result.seed });
    await put("model.tflite", options.engine.writeTflite(graph));
    // A result that does not fit is still written, built for an enlarged copy of the board.
    const m = f.measured;
    const board = m && !f.fits
      ? enlargedBoard(options.board, m.peakSramBytes, m.flashBytes)
      : options.board;
    const compiled = options.engine.compile(graph, board, options.patches ?? {});
    const fwDir = `${dir}/firmware`;
    await Deno.mkdir(fwDir, { recursive: true });
    const image = await options.engine.buildFirmware(compiled.sources, {
      board,
      workDir: fwDir,
    });
    await put("firmware/firmware.elf", image.elf);
    await put("firmware/plan.json", json(compiled.plan));
  }
  return written;
}
