/**
 * Compile -> build -> emulate -> compare for tinyengine alone (tests and the fuzz task use it;
 * `pipeline/run.ts` is the product's general path).
 *
 * @module
 */
import type { Board } from "../engine/target/mod.ts";
import { buildFirmware } from "../engine/build/mod.ts";
import type { FirmwareImage } from "../engine/build/mod.ts";
import { elementCount, type Graph } from "../engine/ir/mod.ts";
import { interpret } from "../engine/reference/mod.ts";
import { runFirmware, type RunResult } from "../emulator/mod.ts";
import type { CompiledModel } from "../engine/codegen/mod.ts";
import { compileTinyEngine, type TinyEngineOptions } from "../engine/codegen/mod.ts";
import { runPasses } from "../engine/schedule/mod.ts";

/** What {@link runTinyEngine} measured. */
export interface TinyEngineRun {
  readonly compiled: CompiledModel;
  readonly firmware: FirmwareImage;
  readonly result: RunResult;
  /** Raw bytes of the first output: the reference's and the firmware's. */
  readonly expected: Uint8Array;
  readonly actual: Uint8Array;
  readonly match: boolean;
}

/** A deterministic int8 input for a graph's (int8-side) model input. */
export function seededInput(graph: Graph, seed: number): Int8Array {
  const lowered = runPasses(graph);
  const t = graph.tensors[lowered.inputs[0]!]!;
  const out = new Int8Array(elementCount(t.shape));
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s >>> 24) - 128;
  }
  return out;
}

/**
 * The raw bytes of the graph's first input for an int8-side input: int8 inputs as they are,
 * float inputs dequantized with the scale of the QUANTIZE that reads them.
 */
export function graphInputBytes(graph: Graph, input: Int8Array): Uint8Array {
  const lowered = runPasses(graph);
  const folded = lowered.foldedInputs.find((f) => f.int8 === lowered.inputs[0]);
  if (!folded) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  const scale = Math.fround(folded.quant.scale[0] ?? 1);
  const zp = folded.quant.zeroPoint[0] ?? 0;
  const f = new Float32Array(input.length);
  for (let i = 0; i < input.length; i++) f[i] = scale * (input[i]! - zp);
  return new Uint8Array(f.buffer);
}

/** The reference interpreter's raw output bytes (first graph output) for raw input bytes. */
export function referenceOutput(graph: Graph, input: Uint8Array): Uint8Array {
  const out = interpret(graph, [input]).outputs[0]!;
  return out.slice();
}

/**
 * Compile, build, run and compare one graph.
 *
 * @example
 * ```ts
 * import { getBoard } from "../engine/target/mod.ts";
 * import type { Graph } from "../engine/ir/mod.ts";
 * declare const graph: Graph;
 * const r = await runTinyEngine(graph, getBoard("stm32f746"));
 * // r.match, r.result.inferenceInstructions, r.result.sram.peakBytes
 * ```
 */
export async function runTinyEngine(
  graph: Graph,
  board: Board,
  options: {
    readonly input?: Int8Array;
    readonly cacheDir?: string;
    readonly workDir?: string;
    readonly compile?: Omit<TinyEngineOptions, "board">;
  } = {},
): Promise<TinyEngineRun> {
  const compiled = compileTinyEngine(graph, { ...options.compile, board });
  const firmware = await buildFirmware(compiled.sources, {
    board,
    ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
    ...(options.workDir ? { workDir: options.workDir } : {}),
  });
  const input = graphInputBytes(graph, options.input ?? seededInput(graph, 1));
  const result = runFirmware(firmware, {
    inputs: { [compiled.inputSymbol]: input },
    outputs: [compiled.outputSymbol],
  });
  const actual = result.outputs[compiled.outputSymbol]!.slice();
  const expected = referenceOutput(graph, input);
  const match = actual.length === expected.length && actual.every((v, i) => v === expected[i]);
  return { compiled, firmware, result, expected, actual, match };
}
