/**
 * The engine functions the search needs, behind one interface so that the search can be tested
 * with fakes and so that it plugs into the engine as the pieces land: build a Graph from an
 * architecture, the tinyengine compile-time memory plan (exact), compile + build + emulate +
 * reference check (`runModel`), `.tflite` export and firmware build.
 *
 * @module
 */
import type { Board } from "../engine/target/mod.ts";
import { buildMbconv } from "../engine/builders/mod.ts";
import { buildFirmware } from "../engine/build/mod.ts";
import type { CSources, FirmwareImage } from "../engine/build/mod.ts";
import type { CompiledModel } from "../engine/codegen/mod.ts";
import { type StreamingMode, tinyengineBackend } from "../engine/codegen/mod.ts";
import type { Graph } from "../engine/ir/mod.ts";
import type { RunReport } from "../pipeline/mod.ts";
import { computeLifetimes } from "../engine/schedule/mod.ts";
import { runPasses } from "../engine/schedule/mod.ts";
import { planMemory } from "../engine/schedule/mod.ts";
import { writeTflite } from "../engine/tflite/mod.ts";
import { runModel } from "../pipeline/mod.ts";
import type { MbconvArch } from "./space.ts";

/** The compile-time memory plan figures the constraints use. */
export interface PlanFigures {
  /** Planned arena bytes (activations + shared scratch). */
  readonly arenaBytes: number;
  readonly scratchBytes: number;
  /** Which path produced it: the tinyengine backend, or the schedule alone (no scratch). */
  readonly source: "tinyengine" | "schedule";
  /** Kernel family the backend chose (`fast`, `balanced`, `lean`; `default` when unknown). */
  readonly family: string;
  /** Whether the backend streams any 1x1 expansion into its depthwise (fused kernels). */
  readonly streamed: boolean;
  /**
   * Op names of the emitted kernels in order (`CONV_2D+DEPTHWISE_CONV_2D` for a streamed pair),
   * as the latency table groups layers; empty when unknown.
   */
  readonly kernels: readonly string[];
  /** Exact Flash bytes of the model constants (the generated constant blob); tinyengine only. */
  readonly flashModelBytes?: number;
  /** Statements of the generated model code (its `;` count): the code-size predictor's input. */
  readonly codeStatements?: number;
  /**
   * Recomputed MACs of the plan's patch stage over the network's (issue #15); absent when the
   * plan runs layer by layer (then `kernels` are the latency table's).
   */
  readonly patchMacOverhead?: number;
}

/**
 * Patch-based execution the search allows (issue #15): tinyengine's `patches: "auto"` with this
 * MAC-overhead bound; absent: layer by layer.
 */
export interface SearchPatches {
  readonly patchMacOverhead?: number;
}

/** Which pipeline the tinyengine compile uses (see its `streaming` option). */
export type Streaming = StreamingMode;

/** Engine functions the search calls. */
export interface SearchEngine {
  buildGraph(net: MbconvArch, options: { readonly name: string; readonly seed: number }): Graph;
  /** The tinyengine compile-time memory plan. */
  plan(graph: Graph, board: Board, patches?: SearchPatches): PlanFigures;
  /**
   * Compile (tinyengine, the given pipeline; @default "auto"), build, emulate and compare with
   * the reference.
   */
  runModel(
    graph: Graph,
    board: Board,
    options?: { readonly streaming?: Streaming } & SearchPatches,
  ): Promise<RunReport>;
  compile(graph: Graph, board: Board, patches?: SearchPatches): CompiledModel;
  /** Flash bytes of the real firmware image (tinyengine compile + gcc build, no emulation). */
  flashBytes(graph: Graph, board: Board): Promise<number>;
  buildFirmware(
    sources: CSources,
    options: { readonly board: Board; readonly workDir?: string; readonly cacheDir?: string },
  ): Promise<FirmwareImage>;
  writeTflite(graph: Graph): Uint8Array;
}

/** Exact constant bytes and code statements of a tinyengine compile (see {@link PlanFigures}). */
export function compiledSizes(
  compiled: CompiledModel,
): { flashModelBytes?: number; codeStatements?: number } {
  const files = compiled.sources.files;
  const blob = files["mcu_model_const.bin"];
  const code = files["model.c"];
  return {
    ...(blob instanceof Uint8Array ? { flashModelBytes: blob.length } : {}),
    ...(typeof code === "string" ? { codeStatements: countStatements(code) } : {}),
  };
}

function countStatements(code: string): number {
  let n = 0;
  for (let i = code.indexOf(";"); i >= 0; i = code.indexOf(";", i + 1)) n++;
  return n;
}

/** The tinyengine backend options of a {@link SearchPatches}. */
function patchOptions(p: SearchPatches): { patches?: "auto"; patchMacOverhead?: number } {
  return p.patchMacOverhead === undefined
    ? {}
    : { patches: "auto", patchMacOverhead: p.patchMacOverhead };
}

/**
 * The real engine. `plan` uses the tinyengine backend's compile when it works, else the
 * schedule's passes, lifetimes and planners without scratch.
 *
 * @example
 * ```ts ignore
 * const engine = createSearchEngine({ cacheDir: ".cache/firmware" });
 * const report = await engine.runModel(engine.buildGraph(net, { name: "x", seed: 1 }), board);
 * ```
 */
export function createSearchEngine(
  options: {
    /** Firmware build cache (content-hashed). @default no cache */
    readonly cacheDir?: string;
  } = {},
): SearchEngine {
  let backendWorks: boolean | undefined;
  const schedulePlan = (graph: Graph): PlanFigures => {
    const lowered = runPasses(graph);
    const { buffers } = computeLifetimes(lowered, {});
    const chosen = planMemory(buffers);
    return {
      arenaBytes: chosen.placement.totalBytes,
      scratchBytes: 0,
      source: "schedule",
      family: "default",
      streamed: false,
      kernels: [],
    };
  };
  return {
    buildGraph: (net, o) => buildMbconv(net, o),
    plan(graph, board, patches = {}) {
      if (backendWorks !== false) {
        try {
          const c = tinyengineBackend.compile(graph, { board, options: patchOptions(patches) });
          const overhead = c.plan.patches?.split ? c.plan.patches.macOverhead : undefined;
          backendWorks = true;
          return {
            arenaBytes: c.plan.arenaBytes,
            scratchBytes: c.plan.scratchBytes,
            source: "tinyengine",
            family: c.plan.kernelFamily ?? "default",
            streamed: c.plan.streamed ?? false,
            kernels: overhead === undefined ? c.layers.map((l) => l.op) : [],
            ...(overhead !== undefined ? { patchMacOverhead: overhead } : {}),
            ...compiledSizes(c),
          };
        } catch (e) {
          if (backendWorks === true) throw e;
          backendWorks = false;
        }
      }
      return schedulePlan(graph);
    },
    runModel: (graph, board, o = {}) =>
      runModel(graph, {
        engine: "tinyengine",
        board,
        compiled: tinyengineBackend.compile(graph, {
          board,
          options: { streaming: o.streaming ?? "auto", ...patchOptions(o) },
        }),
        ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
      }),
    compile: (graph, board, patches = {}) =>
      tinyengineBackend.compile(graph, { board, options: patchOptions(patches) }),
    flashBytes: async (graph, board) =>
      (await buildFirmware(tinyengineBackend.compile(graph, { board }).sources, {
        board,
        ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
      })).flashBytes,
    buildFirmware: (sources, options) => buildFirmware(sources, options),
    writeTflite: (graph) => writeTflite(graph),
  };
}
