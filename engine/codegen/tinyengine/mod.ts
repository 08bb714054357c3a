/**
 * The `tinyengine` backend: the MCUNet TinyEngine approach. Code generation instead of an
 * interpreter (one C function per model with every shape, offset and quantization constant baked
 * in), graph passes (boundary QUANTIZE/DEQUANTIZE folding, RESHAPE aliases, PAD and activation
 * fusion, in-place depthwise), a static arena planned over the whole network by the best of several
 * planners, and kernels specialized per shape key (SMLAD matrix kernels, in-place depthwise).
 *
 * @example
 * ```ts
 * import type { Graph } from "../../ir/mod.ts";
 * declare const graph: Graph;
 * import type { Board } from "../../target/mod.ts";
 * declare const board: Board;
 * import { tinyengineBackend } from "./mod.ts";
 * import { getBoard } from "../../target/mod.ts";
 * const compiled = tinyengineBackend.compile(graph, { board: getBoard("stm32f746") });
 * ```
 *
 * @module
 */
import { requireInt8Arithmetic } from "../int8_check.ts";
import type { Backend } from "../backend.ts";
import { compileTinyEngine } from "./compile.ts";

export {
  compileTinyEngine,
  INPUT_SYMBOL,
  OUTPUT_SYMBOL,
  type StreamingMode,
  type TinyEngineOptions,
} from "./compile.ts";
export {
  choosePatchSpec,
  DEFAULT_PATCH_MAC_OVERHEAD,
  PATCH_GRIDS,
  type PatchAutoOptions,
  patchCandidatesWithin,
} from "./patch_choice.ts";

/** The `tinyengine` backend. */
export const tinyengineBackend: Backend = {
  name: "tinyengine",
  compile(graph, options) {
    requireInt8Arithmetic(graph);
    const streaming = options.options?.streaming;
    const patches = options.options?.patches;
    const overhead = options.options?.patchMacOverhead;
    return compileTinyEngine(graph, {
      board: options.board,
      ...(options.harness !== undefined ? { harness: options.harness } : {}),
      ...(streaming !== undefined ? { streaming } : {}),
      ...(patches !== undefined ? { patches } : {}),
      ...(overhead !== undefined ? { patchAuto: { maxMacOverhead: overhead } } : {}),
    });
  },
};
