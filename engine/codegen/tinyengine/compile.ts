/**
 * The tinyengine compile pipeline: passes -> lifetimes -> planners -> code generation.
 *
 * @module
 */
import type { Board } from "../../target/mod.ts";
import type { Graph } from "../../ir/mod.ts";
import type { Pass } from "../../schedule/mod.ts";
import { validatePlan } from "../../schedule/mod.ts";
import { patchRewrite, type PatchSpec } from "../../schedule/mod.ts";
import type {
  CompiledModel,
  Harness,
  MemoryPlanSummary,
  PatchPlanSummary,
  StreamingMode,
} from "../backend.ts";
import { estimatePatchPlan } from "../../analysis/mod.ts";
import { choosePatchSpec, type PatchAutoOptions } from "./patch_choice.ts";
import { ARENA_SLACK, arenaPeak, chooseVariant } from "./variants.ts";
import { INPUT_SYMBOL, modelSource, OUTPUT_SYMBOL } from "./model_source.ts";
import { mainSource } from "./main_c.ts";
import { TE_RUNTIME_H } from "./c_runtime.ts";
import { constAsm } from "./const_pool.ts";

export type { StreamingMode };
export { INPUT_SYMBOL, OUTPUT_SYMBOL };

/** Options of {@link compileTinyEngine}. */
export interface TinyEngineOptions {
  readonly board: Board;
  /** Graph passes to run. @default DEFAULT_PASSES */
  readonly passes?: readonly Pass[];
  /** Planner names to try (the smallest valid plan wins). @default every planner */
  readonly planners?: readonly string[];
  /**
   * Whether 1x1 expansions are streamed into their depthwise (`fuse-expand-depthwise`):
   * `"auto"` tries layer by layer, streaming only the expansions at the memory peak (see
   * {@link selectiveStreaming}) and streaming all of them, and keeps the fastest within 15% of the
   * smallest arena that fits the board's SRAM (else the fastest within 15%);
   * `"always"` / `"never"` force one (measuring both variants of a layer, e.g. for the search's
   * latency table). Ignored when `passes` is given. @default "auto"
   */
  readonly streaming?: StreamingMode;
  /** Which `main.c` the project gets (see {@link Harness}). @default "single" */
  readonly harness?: Harness;
  /**
   * Patch-based execution of the stage before a split tensor (issue #15): the stage unrolled per
   * patch (`patchRewrite`), bands of full rows read from and written into their tensors in place
   * (`contiguousViews`). A {@link PatchSpec} forces one plan; `"auto"` picks the split and grid
   * with the smallest arena within {@link TinyEngineOptions.patchAuto}'s MAC-overhead bound, or
   * layer by layer when no patch plan is smaller. @default layer by layer
   */
  readonly patches?: PatchSpec | "auto";
  /** How `patches: "auto"` searches (see {@link PatchAutoOptions}). */
  readonly patchAuto?: PatchAutoOptions;
}

/**
 * Compile a graph with the tinyengine backend.
 *
 * @example
 * ```ts
 * import { getBoard } from "../../target/mod.ts";
 * import type { Graph } from "../../ir/mod.ts";
 * declare const graph: Graph;
 * import type { Board } from "../../target/mod.ts";
 * declare const board: Board;
 * const m = compileTinyEngine(graph, { board: getBoard("stm32f746") });
 * // m.sources.files["model.c"], m.plan.arenaBytes
 * ```
 */
export function compileTinyEngine(source: Graph, options: TinyEngineOptions): CompiledModel {
  if (options.patches === "auto") {
    const arenaOf = (spec: PatchSpec | undefined) => {
      const g = spec ? patchRewrite(source, spec) : source;
      return chooseVariant(g, options).best.chosen.placement.totalBytes;
    };
    const { spec, summary } = choosePatchSpec(source, arenaOf, options.patchAuto);
    return compileGraph(spec ? patchRewrite(source, spec) : source, options, summary);
  }
  const spec = options.patches;
  if (!spec) return compileGraph(source, options, undefined);
  const e = estimatePatchPlan(source, spec.split, spec.rows, spec.cols);
  return compileGraph(patchRewrite(source, spec), options, {
    split: e.splitName,
    rows: spec.rows,
    cols: spec.cols,
    macOverhead: e.macOverhead,
  });
}

function compileGraph(
  graph: Graph,
  options: TinyEngineOptions,
  patches: PatchPlanSummary | undefined,
): CompiledModel {
  const { best, streaming: streamingChoice, kernelBoundBytes } = chooseVariant(graph, options);
  const lowered = best.lowered;
  const { lifetimes, chosen, all } = best;
  const errors = validatePlan(all, chosen.placement);
  if (errors.length > 0) {
    throw new Error(`Cannot plan memory of '${graph.name}': ${errors.join("; ")}`);
  }
  const arenaBytes = chosen.placement.totalBytes + ARENA_SLACK;
  const { modelC, consts, layers } = modelSource(best, arenaBytes);
  const mainC = mainSource(options.harness ?? "single");
  const plan: MemoryPlanSummary = {
    arenaBytes,
    headBytes: arenaBytes,
    tailBytes: 0,
    scratchBytes: lifetimes.buffers.reduce((m, b) => (b.id === -1 ? Math.max(m, b.size) : m), 0),
    planner: `${chosen.planner} (${best.config.name})`,
    streamed: lowered.layers.some((l) => l.pre !== undefined),
    streaming: streamingChoice,
    kernelFamily: best.config.family,
    kernelBoundBytes,
    peak: arenaPeak(lowered, all),
    ...(patches ? { patches } : {}),
    buffers: all.map((b, i) => ({
      tensor: b.id,
      name: b.name,
      offset: chosen.placement.offsets[i]!,
      size: b.size,
      firstUse: b.firstUse,
      lastUse: b.lastUse,
    })),
  };
  return {
    engine: "tinyengine",
    sources: {
      name: graph.name.replace(/[^A-Za-z0-9_.-]/g, "_") || "model",
      files: {
        "te_runtime.h": TE_RUNTIME_H,
        "model.c": modelC,
        "main.c": mainC,
        "mcu_model_const.S": constAsm(consts.size),
        "mcu_model_const.bin": consts.bytes(),
      },
    },
    plan,
    inputSymbol: INPUT_SYMBOL,
    outputSymbol: OUTPUT_SYMBOL,
    layers,
  };
}
