/**
 * `deno task patch:estimate [models...]`: the estimated patch-based plans (issue #15) of each
 * model beside its layer-wise in-place bound, for several MAC-overhead bounds. ESTIMATES from
 * liveness over receptive fields (engine/analysis/patch_memory.ts), not firmware measurements.
 *
 * @module
 */
import { buildModel } from "../engine/builders/mod.ts";
import { choosePatchPlan, patchCandidates, type PatchEstimate } from "../engine/analysis/mod.ts";

/** Models issue #15 names, the default of the task. */
export const PATCH_ESTIMATE_MODELS = ["mbv2-w1.0-r224", "mcunet-320kb", "mbv2-w0.35-r144"];

/** MAC-overhead bounds the table reports. */
export const PATCH_ESTIMATE_BOUNDS = [0.05, 0.1, 0.2];

const kib = (b: number) => `${(b / 1024).toFixed(1)} KiB`;

function row(model: string, layerwise: number, bound: number, e?: PatchEstimate): string {
  if (!e) return `| ${model} | ${kib(layerwise)} | ${bound * 100}% | none better | | | | |`;
  return `| ${model} | ${kib(layerwise)} | ${bound * 100}% | ${e.splitName} ${e.rows}x${e.cols} | ${
    kib(e.peak)
  } | ${kib(e.peakWithoutInput)} | ${kib(e.inputBytes)} + ${kib(e.splitBytes)} + ${
    kib(e.patchBytes)
  } / ${kib(e.restPeak)} | ${(e.macOverhead * 100).toFixed(1)}% |`;
}

/**
 * The markdown table of the best estimated plan per model and overhead bound.
 *
 * @example
 * ```ts ignore
 * console.log(patchEstimateTable(["mcunet-320kb"]));
 * ```
 */
export function patchEstimateTable(
  models: readonly string[] = PATCH_ESTIMATE_MODELS,
  bounds: readonly number[] = PATCH_ESTIMATE_BOUNDS,
): string {
  const lines = [
    "Patch-based inference: ESTIMATED peak activation memory (liveness over receptive fields, no firmware)",
    "",
    "| model | layer-wise in-place bound | MAC overhead bound | split, grid | est. peak (input resident) | est. peak without input | stage: input + split + patch / rest | recomputed MACs |",
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const model of models) {
    const g = buildModel(model);
    const candidates = patchCandidates(g);
    for (const bound of bounds) {
      const { layerwise, best } = choosePatchPlan(g, bound, candidates);
      lines.push(row(model, layerwise, bound, best));
    }
  }
  return lines.join("\n");
}

if (import.meta.main) {
  const models = Deno.args.length > 0 ? Deno.args : PATCH_ESTIMATE_MODELS;
  try {
    Deno.stdout.writeSync(new TextEncoder().encode(`${patchEstimateTable(models)}\n`));
  } catch (e) {
    Deno.stderr.writeSync(new TextEncoder().encode(`patch:estimate: ${(e as Error).message}\n`));
    Deno.exit(1);
  }
}
