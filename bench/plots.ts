/**
 * SVG plots rendered headless with vega-lite: per-layer memory profile against the board's SRAM,
 * instructions per layer, and peak SRAM against instructions for every model.
 *
 * @module
 */
import { BOARD_SHAPE, ENGINE_COLOR, logAxis } from "./_vega_channels.ts";
import * as vega from "vega";
import * as vl from "vega-lite";
import { BOARDS } from "../engine/target/mod.ts";
import { latencySpec } from "./plot_latency.ts";
import { sortRows } from "./results.ts";
import type { BenchRow } from "./types.ts";

/** One plot: file name (relative to the plots directory) and its vega-lite spec. */
export interface PlotSpec {
  /** File name of the plot. */
  readonly file: string;
  /** Builder spec. */
  readonly spec: vl.TopLevelSpec;
}

const KB = 1024;
const WIDTH = 560;
const HEIGHT = 300;

function uniq<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

/** File-name-safe form of a model id. */
export function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, "_");
}

function sramRules(boards: readonly string[]): { board: string; kB: number; label: string }[] {
  return boards.flatMap((b) => {
    const size = BOARDS[b]?.sram.size;
    return size === undefined
      ? []
      : [{ board: b, kB: size / KB, label: `${b} SRAM ${size / KB} kB` }];
  });
}

/**
 * Memory profile of one model: live arena kB per op step for each engine (on the model's first
 * board) from the compiled plan when available and from the liveness analysis, with each measured
 * board's SRAM as a dashed red line.
 */
export function memoryProfileSpec(model: string, rows: readonly BenchRow[]): PlotSpec | undefined {
  const mine = rows.filter((r) =>
    r.model === model &&
    ((r.memoryProfile?.length ?? 0) > 0 || (r.livenessProfile?.length ?? 0) > 0)
  );
  const board = mine[0]?.board;
  if (board === undefined) return undefined;
  const onBoard = mine.filter((r) => r.board === board);
  const values = onBoard.flatMap((r) => [
    ...(r.memoryProfile ?? []).map((s) => ({
      engine: r.engine,
      memory: "plan",
      step: s.step,
      kB: s.liveBytes / KB,
    })),
    ...(r.livenessProfile ?? []).map((bytes, step) => ({
      engine: r.engine,
      memory: "liveness bound",
      step,
      kB: bytes / KB,
    })),
  ]);
  const rules = sramRules(uniq(rows.filter((r) => r.model === model).map((r) => r.board)));
  const layers: Record<string, unknown>[] = [
    {
      data: { values },
      mark: { type: "line", interpolate: "step-after", strokeWidth: 2 },
      encoding: {
        x: {
          field: "step",
          type: "quantitative",
          title: "op step (execution order)",
          axis: { tickMinStep: 1, format: "d" },
        },
        y: { field: "kB", type: "quantitative", title: "live arena memory (kB = 1024 B)" },
        color: ENGINE_COLOR,
        strokeDash: {
          field: "memory",
          type: "nominal",
          title: "memory",
          scale: { domain: ["plan", "liveness bound"], range: [[1, 0], [5, 3]] },
        },
      },
    },
    {
      data: { values: rules },
      mark: { type: "rule", color: "#d62728", strokeDash: [6, 4], strokeWidth: 1.5 },
      encoding: { y: { field: "kB", type: "quantitative" } },
    },
    {
      data: { values: rules },
      mark: { type: "text", align: "left", dx: 4, dy: -6, color: "#d62728", fontSize: 11 },
      encoding: {
        y: { field: "kB", type: "quantitative" },
        x: { value: 0 },
        text: { field: "label", type: "nominal" },
      },
    },
  ];
  return {
    file: `memory_${slug(model)}.svg`,
    spec: {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      title: {
        text: `${model}: live arena memory per op step (${board} plan)`,
        subtitle: [
          "plan: arena bytes under live buffers (+ persistent tail)",
          "liveness bound: live activations per op; red dashed: board SRAM",
        ],
      },
      width: WIDTH,
      height: HEIGHT,
      layer: layers,
    } as unknown as vl.TopLevelSpec,
  };
}

/** Instructions per layer of one model on its first board, one line per engine (log scale). */
export function layerInstructionsSpec(
  model: string,
  rows: readonly BenchRow[],
): PlotSpec | undefined {
  const mine = rows.filter((r) => r.model === model && r.report && r.report.layers.length > 0);
  const board = mine[0]?.board;
  if (board === undefined) return undefined;
  const values = mine.filter((r) => r.board === board).flatMap((r) =>
    r.report!.layers.map((l) => ({
      engine: r.engine,
      layer: l.index,
      op: l.op,
      instructions: Math.max(1, l.instructions),
    }))
  );
  return {
    file: `layers_${slug(model)}.svg`,
    spec: {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      title: { text: `${model}: instructions per layer on ${board}`, subtitle: "emulator count" },
      width: WIDTH,
      height: HEIGHT,
      data: { values },
      mark: { type: "line", point: { size: 18 } },
      encoding: {
        x: {
          field: "layer",
          type: "quantitative",
          title: "layer (marker index)",
          axis: { tickMinStep: 1, format: "d" },
        },
        y: logAxis("instructions", "instructions per layer (count, log scale)"),
        color: ENGINE_COLOR,
      },
    },
  };
}

/** Peak SRAM against inference instructions for every measured job, with board SRAM lines. */
export function sramVsInstructionsSpec(rows: readonly BenchRow[]): PlotSpec | undefined {
  const ok = rows.filter((r) => r.report && r.report.instructions > 0);
  if (ok.length === 0) return undefined;
  const values = ok.map((r) => ({
    model: r.model,
    engine: r.engine,
    board: r.board,
    minstr: r.report!.instructions / 1e6,
    kB: r.report!.peakSramBytes / KB,
  }));
  // One label per model and engine (its points on other boards sit on or near it).
  const seen = new Set<string>();
  const labels = values.filter((v) => {
    const k = `${v.model}|${v.engine}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  const rules = sramRules(uniq(ok.map((r) => r.board)).sort());
  return {
    file: "sram_vs_instructions.svg",
    spec: {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      title: {
        text: "Peak SRAM vs inference instructions, all models",
        subtitle: "dashed: board SRAM",
      },
      width: WIDTH + 160,
      height: HEIGHT + 120,
      layer: [
        {
          data: { values: rules },
          mark: { type: "rule", color: "#d62728", strokeDash: [6, 4], opacity: 0.7 },
          encoding: { y: { field: "kB", type: "quantitative" } },
        },
        {
          data: { values: rules },
          mark: { type: "text", align: "right", dy: -5, color: "#d62728", fontSize: 10 },
          encoding: {
            y: { field: "kB", type: "quantitative" },
            x: { value: WIDTH + 160 - 4 },
            text: { field: "label", type: "nominal" },
          },
        },
        {
          data: { values },
          mark: { type: "point", filled: true, size: 70 },
          encoding: {
            x: logAxis("minstr", "inference instructions (millions, log scale)"),
            y: { field: "kB", type: "quantitative", title: "measured peak SRAM (kB = 1024 B)" },
            color: ENGINE_COLOR,
            shape: BOARD_SHAPE,
          },
        },
        {
          data: { values: labels },
          mark: { type: "text", align: "left", dx: 6, fontSize: 9, color: "#444" },
          encoding: {
            x: { field: "minstr", type: "quantitative" },
            y: { field: "kB", type: "quantitative" },
            text: { field: "model", type: "nominal" },
          },
        },
      ],
    },
  };
}

/** Every plot for a results set, in a stable order. */
export function plotSpecs(rows: readonly BenchRow[]): PlotSpec[] {
  const sorted = sortRows(rows);
  const models = uniq(sorted.map((r) => r.model));
  const out: PlotSpec[] = [];
  const all = sramVsInstructionsSpec(sorted);
  if (all) out.push(all);
  const latency = latencySpec(sorted);
  if (latency) out.push(latency);
  for (const m of models) {
    const mem = memoryProfileSpec(m, sorted);
    if (mem) out.push(mem);
    const lay = layerInstructionsSpec(m, sorted);
    if (lay) out.push(lay);
  }
  return out;
}

/**
 * Render a vega-lite spec to an SVG string, headless.
 *
 * @example
 * ```ts ignore
 * const svg = await renderSvg(sramVsInstructionsSpec(rows)!.spec);
 * ```
 */
export async function renderSvg(spec: vl.TopLevelSpec): Promise<string> {
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
