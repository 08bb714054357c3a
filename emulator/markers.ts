/**
 * Probe markers: the codes firmware writes to the probe register, and how a marker list pairs
 * into init, inference and per-layer instruction counts.
 *
 * @module
 */
import { MarkerError } from "./errors.ts";
import type { Marker } from "./unicorn.ts";

/** Probe marker codes (see ARCHITECTURE.md). */
export const MARK = {
  INFERENCE_BEGIN: 0x1,
  INFERENCE_END: 0x2,
  INIT_BEGIN: 0x3,
  INIT_END: 0x4,
  LAYER_BEGIN: 0x10000,
  LAYER_END: 0x20000,
} as const;

/** Instructions of one layer, between its begin and end markers. */
export interface LayerCount {
  /** The layer index from `MCU_MARK_LAYER_BEGIN(i)`. */
  readonly index: number;
  /** Instructions between its begin and end markers (summed over occurrences). */
  readonly instructions: number;
  /** How many begin/end pairs the layer had (1 for one inference). */
  readonly occurrences: number;
}

/** The region instruction counts derived from a marker list. */
export interface MarkerSummary {
  /** Instructions between init markers. */
  readonly initInstructions: number;
  /** Instructions between inference markers (summed over repeats). */
  readonly inferenceInstructions: number;
  /** Number of inference begin/end pairs. */
  readonly inferences: number;
  /** Per-layer instructions, sorted by index. */
  readonly layers: readonly LayerCount[];
}

/**
 * Pair begin/end markers into init, inference and per-layer counts. Repeated regions add up.
 * Throws {@link MarkerError} for an end without a begin, a nested repeat or an unclosed region.
 */
export function summarizeMarkers(markers: readonly Marker[]): MarkerSummary {
  const open = new Map<string, number>();
  const totals = new Map<string, number>();
  const layerTotals = new Map<number, { instructions: number; occurrences: number }>();
  let inferences = 0;
  const name = (code: number) => `0x${code.toString(16)}`;
  for (const [i, m] of markers.entries()) {
    const kind = m.code >>> 16;
    let region: string | undefined;
    let begin = false;
    if (m.code === MARK.INIT_BEGIN || m.code === MARK.INIT_END) {
      region = "init";
      begin = m.code === MARK.INIT_BEGIN;
    } else if (m.code === MARK.INFERENCE_BEGIN || m.code === MARK.INFERENCE_END) {
      region = "inference";
      begin = m.code === MARK.INFERENCE_BEGIN;
    } else if (kind === 1 || kind === 2) {
      region = `layer:${m.code & 0xffff}`;
      begin = kind === 1;
    }
    if (region === undefined) continue; // other codes are kept in the raw list only
    if (begin) {
      if (open.has(region)) {
        throw new MarkerError(
          `Cannot pair probe markers: marker ${i} (${name(m.code)}) begins ${region} again ` +
            "before it ended",
        );
      }
      open.set(region, m.instructions);
      continue;
    }
    const start = open.get(region);
    if (start === undefined) {
      throw new MarkerError(
        `Cannot pair probe markers: marker ${i} (${
          name(m.code)
        }) ends ${region}, which has not begun`,
      );
    }
    open.delete(region);
    const n = m.instructions - start;
    if (region.startsWith("layer:")) {
      const index = m.code & 0xffff;
      const t = layerTotals.get(index) ?? { instructions: 0, occurrences: 0 };
      layerTotals.set(index, { instructions: t.instructions + n, occurrences: t.occurrences + 1 });
    } else totals.set(region, (totals.get(region) ?? 0) + n);
    if (region === "inference") inferences++;
  }
  if (open.size > 0) {
    throw new MarkerError(
      `Cannot pair probe markers: ${[...open.keys()].join(", ")} began but never ended`,
    );
  }
  return {
    initInstructions: totals.get("init") ?? 0,
    inferenceInstructions: totals.get("inference") ?? 0,
    inferences,
    layers: [...layerTotals.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([index, t]) => ({ index, ...t })),
  };
}
