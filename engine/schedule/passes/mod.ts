/**
 * The tinyengine graph passes, in pipeline order; each is a pure function of a {@link Lowered}.
 *
 * @module
 */
import type { Graph } from "../../ir/mod.ts";
import { fuseActivations } from "./activation.ts";
import { aliasReshapes } from "./alias_reshape.ts";
import { contiguousViews } from "./views.ts";
import { foldBoundaryQuantize } from "./fold_quantize.ts";
import { markInPlace } from "./inplace.ts";
import { fuseExpandDepthwise } from "./fuse_expand.ts";
import { lowerGraph } from "./lower.ts";
import { explicitPadding, fusePad } from "./padding.ts";
import type { Lowered } from "./types.ts";

export * from "./types.ts";
export { consumersOf, lowerGraph, storageOf } from "./lower.ts";
export { foldBoundaryQuantize } from "./fold_quantize.ts";
export { aliasReshapes } from "./alias_reshape.ts";
export { contiguousViews, offsetInStorage } from "./views.ts";
export { explicitPadding, fusePad, layerPadding, samePadding } from "./padding.ts";
export { activationClamp, fuseActivations } from "./activation.ts";
export { lastReaders, markInPlace } from "./inplace.ts";
export { fuseExpandDepthwise } from "./fuse_expand.ts";

/** A named pass. */
export interface Pass {
  readonly name: string;
  readonly run: (lowered: Lowered) => Lowered;
}

/**
 * The default pipeline with only the listed 1x1 expansions streamed (graph node indices, see
 * {@link fuseExpandDepthwise}); an empty set gives the layer-by-layer pipeline.
 */
export function passesStreaming(only: ReadonlySet<number>): readonly Pass[] {
  return DEFAULT_PASSES.map((p) =>
    p.name === "fuse-expand-depthwise"
      ? { name: p.name, run: (l: Lowered) => fuseExpandDepthwise(l, only) }
      : p
  );
}

/** The default pipeline, in order. */
export const DEFAULT_PASSES: readonly Pass[] = [
  { name: "fold-boundary-quantize", run: foldBoundaryQuantize },
  { name: "alias-reshape", run: aliasReshapes },
  { name: "explicit-padding", run: explicitPadding },
  { name: "fuse-pad", run: fusePad },
  { name: "contiguous-views", run: contiguousViews },
  { name: "fuse-activation", run: fuseActivations },
  { name: "fuse-expand-depthwise", run: fuseExpandDepthwise },
  { name: "in-place", run: markInPlace },
];

/**
 * Lower a graph and run the passes.
 *
 * @example
 * ```ts
 * import type { Graph } from "../../ir/mod.ts";
 * declare const graph: Graph;
 * const lowered = runPasses(graph);
 * const noInPlace = runPasses(graph, { passes: DEFAULT_PASSES.filter((p) => p.name !== "in-place") });
 * ```
 */
export function runPasses(
  graph: Graph,
  options: { readonly passes?: readonly Pass[] } = {},
): Lowered {
  let l = lowerGraph(graph);
  for (const p of options.passes ?? DEFAULT_PASSES) l = p.run(l);
  return l;
}
