/**
 * Plot of the modelled latency and energy of every measured job (docs/cycle-model.md):
 * milliseconds against MACs, one point per model, engine and board, sized by millijoules.
 *
 * @module
 */
import type { PlotSpec } from "./plots.ts";
import type { BenchRow } from "./types.ts";

/** Modelled inference ms against MACs for every job with a cycle model result. */
export function latencySpec(rows: readonly BenchRow[]): PlotSpec | undefined {
  const ok = rows.filter((r) => r.report?.latencyMs !== undefined && r.report.macs > 0);
  if (ok.length === 0) return undefined;
  const values = ok.map((r) => ({
    model: r.model,
    engine: r.engine,
    board: r.board,
    mmacs: r.report!.macs / 1e6,
    ms: r.report!.latencyMs!,
    mJ: r.report!.energyMj ?? 0,
  }));
  return {
    file: "latency_vs_macs.svg",
    spec: {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      title: {
        text: "Modelled inference latency vs MACs, all jobs",
        subtitle: "cycle model (docs/cycle-model.md) at the board clock; point size: modelled mJ",
      },
      width: 720,
      height: 420,
      data: { values },
      mark: { type: "point", filled: true, opacity: 0.8 },
      encoding: {
        x: {
          field: "mmacs",
          type: "quantitative",
          scale: { type: "log" },
          title: "MACs (millions, log scale)",
        },
        y: {
          field: "ms",
          type: "quantitative",
          scale: { type: "log" },
          title: "modelled latency (ms, log scale)",
        },
        color: { field: "engine", type: "nominal", title: "engine" },
        shape: { field: "board", type: "nominal", title: "board" },
        size: { field: "mJ", type: "quantitative", title: "modelled mJ" },
        tooltip: [
          { field: "model" },
          { field: "engine" },
          { field: "board" },
          { field: "ms" },
          { field: "mJ" },
        ],
      },
    },
  };
}
