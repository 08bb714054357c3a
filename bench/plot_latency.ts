/**
 * Plot of the modelled latency and energy of every measured job (docs/cycle-model.md):
 * milliseconds against MACs, one point per model, engine and board, sized by millijoules.
 *
 * @module
 */
import { BOARD_SHAPE, ENGINE_COLOR, logAxis } from "./_vega_channels.ts";
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
        x: logAxis("mmacs", "MACs (millions, log scale)"),
        y: logAxis("ms", "modelled latency (ms, log scale)"),
        color: ENGINE_COLOR,
        shape: BOARD_SHAPE,
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
