/**
 * SVG plots of the search (vega-lite specs rendered headless): the stage-1 MACs CDF per
 * (width, resolution) pair and the Pareto front of the final population.
 *
 * @module
 */
import * as vega from "vega";
import * as vl from "vega-lite";
import { cdfPoints, type PairStats } from "./stage1.ts";

/** A vega-lite specification (kept loose: vega-lite validates it). */
export type VlSpec = Record<string, unknown>;

/**
 * Render a vega-lite spec to an SVG string without a browser.
 *
 * @example
 * ```ts ignore
 * const svg = await renderSvg({ mark: "point", data: { values: [{ x: 1, y: 2 }] },
 *   encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } } });
 * ```
 */
export async function renderSvg(spec: VlSpec): Promise<string> {
  // deno-lint-ignore no-explicit-any
  const compiled = vl.compile(spec as any).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/**
 * The stage-1 CDF plot: for the top `top` pairs (and any listed extra pairs), the fraction of
 * satisfying models with at most x MACs.
 */
export function stage1CdfSpec(
  ranking: readonly PairStats[],
  options: { readonly top?: number; readonly title?: string } = {},
): VlSpec {
  const chosen = ranking.filter((p) => p.satisfied > 0).slice(0, options.top ?? 8);
  const maxMacs = Math.max(1, ...chosen.map((p) => p.macs[p.macs.length - 1] ?? 0));
  const values = chosen.flatMap((p) =>
    cdfPoints(p, { maxMacs, points: 80 }).map((c) => ({
      space: `w${p.width}-r${p.resolution} (mean ${(p.meanMacs / 1e6).toFixed(1)}M)`,
      mmacs: c.macs / 1e6,
      p: c.p,
    }))
  );
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: options.title ?? "Stage 1: CDF of MACs of models satisfying SRAM and Flash",
    width: 480,
    height: 300,
    data: { values },
    mark: { type: "line", interpolate: "step-after" },
    encoding: {
      x: { field: "mmacs", type: "quantitative", title: "MACs (millions)" },
      y: { field: "p", type: "quantitative", title: "P(MACs <= x)" },
      color: {
        field: "space",
        type: "nominal",
        title: "width-resolution",
        sort: null,
        legend: { labelLimit: 400 },
      },
    },
  };
}

/** One point of the Pareto plot. */
export interface ParetoPoint {
  readonly instructions: number;
  readonly score: number;
  readonly sramBytes: number;
  readonly pareto: boolean;
}

/** The Pareto plot of a population: score against predicted instructions, front highlighted. */
export function paretoSpec(
  points: readonly ParetoPoint[],
  options: { readonly title?: string; readonly scoreName?: string } = {},
): VlSpec {
  const values = points.map((p) => ({
    minstr: p.instructions / 1e6,
    score: p.score,
    sramKiB: p.sramBytes / 1024,
    set: p.pareto ? "Pareto front" : "population",
  }));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: options.title ?? "Stage 2: final population",
    width: 480,
    height: 300,
    data: { values },
    layer: [
      {
        mark: { type: "point", filled: true },
        encoding: {
          x: {
            field: "minstr",
            type: "quantitative",
            title: "predicted instructions (millions)",
            scale: { zero: false },
          },
          y: {
            field: "score",
            type: "quantitative",
            title: options.scoreName ?? "score",
            scale: { zero: false },
          },
          color: { field: "set", type: "nominal", title: null },
          size: {
            field: "sramKiB",
            type: "quantitative",
            title: "SRAM (KiB)",
            scale: { zero: false },
          },
        },
      },
      {
        transform: [{ filter: "datum.set === 'Pareto front'" }],
        mark: { type: "line", interpolate: "step-after" },
        encoding: {
          x: { field: "minstr", type: "quantitative", scale: { zero: false } },
          y: { field: "score", type: "quantitative", scale: { zero: false } },
        },
      },
    ],
  };
}
