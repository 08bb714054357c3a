/**
 * The contract between a code-generation backend (`tflm`, `tinyengine`) and the rest of the
 * pipeline: a Graph and a board in, a buildable C project and its memory plan out.
 *
 * @module
 */
import type { Board } from "../target/mod.ts";
import type { Graph } from "../ir/mod.ts";
import type { CSources } from "./sources.ts";

/** Engine names. */
export type EngineName = "tinyengine" | "tflm";

/** One buffer placed in the arena by a memory plan. */
export interface PlacedBuffer {
  /** Tensor index, or -1 for a scratch buffer. */
  readonly tensor: number;
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  /** First and last op index (inclusive) the buffer is live. */
  readonly firstUse: number;
  readonly lastUse: number;
}

/** The static memory plan a backend decided at compile time. */
export interface MemoryPlanSummary {
  /** Total arena bytes reserved in `.bss` (head + tail for tflm). */
  readonly arenaBytes: number;
  /** Non-persistent part (activations + scratch), as planned. */
  readonly headBytes: number;
  /** Persistent part (runtime records, per-op data); 0 when the backend has none. */
  readonly tailBytes: number;
  /** Largest scratch (im2col etc.) buffer. */
  readonly scratchBytes: number;
  /** Planner that produced the head layout. */
  readonly planner: string;
  /** tinyengine: whether 1x1 expansions are streamed into their depthwise (fused kernels). */
  readonly streamed?: boolean;
  /**
   * tinyengine: which expansions are streamed: `"none"`, `"selective"` (only those at the memory
   * peak) or `"all"`.
   */
  readonly streaming?: StreamingChoice;
  /** tinyengine: the kernel family the compile chose (what the latency table is keyed by). */
  readonly kernelFamily?: KernelFamily;
  /**
   * tinyengine: the layer-wise liveness bound of its own kernels: the fewest bytes live at the
   * busiest step over every variant it tried (tensors as stored, 8-byte aligned, plus each
   * layer's kernel scratch and the read slack). No placement of those buffers is smaller; where
   * the scratch of the kernels (im2col rows) sets the peak, the tensor-only layer-wise bound
   * cannot be reached and this is the figure the plan is held to.
   */
  readonly kernelBoundBytes?: number;
  /** Where the arena's live bytes peak: the layer index and its op(s). */
  readonly peak?: { readonly layer: number; readonly op: string; readonly liveBytes: number };
  /**
   * tinyengine: the patch stage (issue #15) when the stage before a split tensor runs patch by
   * patch: forced (`tinyengine` option `patches`) or chosen automatically (`patches: "auto"`,
   * which also reports the layer-by-layer arena it beat and how many candidates it compiled).
   */
  readonly patches?: PatchPlanSummary;
  readonly buffers: readonly PlacedBuffer[];
}

/** The patch stage of a tinyengine plan (see {@link MemoryPlanSummary.patches}). */
export interface PatchPlanSummary {
  /** The split tensor's name and the patch grid over it; absent when auto kept layer by layer. */
  readonly split?: string;
  readonly rows?: number;
  readonly cols?: number;
  /** Estimated MACs the halos recompute, over the graph's MACs (0 without patches). */
  readonly macOverhead: number;
  /** Automatic choice only: the layer-by-layer arena, the candidates within the bound, compiled. */
  readonly layerwiseArenaBytes?: number;
  readonly candidates?: number;
  readonly compiled?: number;
}

/** What a backend emits for one model. */
export interface CompiledModel {
  readonly engine: EngineName;
  readonly sources: CSources;
  readonly plan: MemoryPlanSummary;
  /** Symbol of the `.noinit` int8 input buffer the emulator fills. */
  readonly inputSymbol: string;
  /** Symbol of the buffer holding the output after the run. */
  readonly outputSymbol: string;
  /** One entry per emitted layer marker, in order: the op name(s) it covers and its MACs. */
  readonly layers: readonly { readonly op: string; readonly macs: number }[];
}

/**
 * Which `main` the firmware gets: `"single"` runs one inference on the input the emulator wrote
 * before the start (what `runModel` measures); `"batch"` initialises once and then runs one
 * inference per input the emulator supplies through `mcu_batch_next()` (see `probe.h` and
 * `evaluateOnDevice`). The model code is the same; only `main.c` differs.
 */
export type Harness = "single" | "batch";

/**
 * Whether tinyengine streams 1x1 expansions into their depthwise: `"auto"` chooses from the
 * plan, `"always"` / `"never"` force one (the search measures both for its latency table).
 */
export type StreamingMode = "auto" | "always" | "never";

/** Which expansions a compiled tinyengine model streams. */
export type StreamingChoice = "none" | "selective" | "all";

/** tinyengine kernel families, fastest first (`"default"`: a backend without families). */
export type KernelFamily = "fast" | "balanced" | "lean" | "default";

/** Engine-specific compile options; an engine ignores the ones it has no use for. */
export interface EngineOptions {
  /** tinyengine streaming choice. @default "auto" */
  readonly streaming?: StreamingMode;
  /**
   * tinyengine patch-based execution of the first stage (issue #15): `"auto"` runs it patch by
   * patch when that plan's arena is smaller. @default layer by layer
   */
  readonly patches?: "auto";
  /** With `patches: "auto"`: the largest share of MACs the halos may recompute. @default 0.05 */
  readonly patchMacOverhead?: number;
}

/** Options every backend's compile takes. */
export interface BackendCompileOptions {
  readonly board: Board;
  /** @default "single" */
  readonly harness?: Harness;
  /** Engine-specific options. @default {} */
  readonly options?: EngineOptions;
}

/** A backend: pure compile step. */
export interface Backend {
  readonly name: EngineName;
  compile(graph: Graph, options: BackendCompileOptions): CompiledModel;
}
