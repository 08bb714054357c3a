/**
 * Vega-Lite encoding channels the bench's plots share (the same objects the specs spelled out).
 *
 * @module
 */

/** Colour by engine. */
export const ENGINE_COLOR = { field: "engine", type: "nominal", title: "engine" } as const;

/** Point shape by board. */
export const BOARD_SHAPE = { field: "board", type: "nominal", title: "board" } as const;

/** A quantitative field on a log scale, with its axis title. */
export function logAxis(field: string, title: string) {
  return { field, type: "quantitative", scale: { type: "log" }, title } as const;
}
