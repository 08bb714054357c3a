/**
 * On-device batch evaluation: one firmware (one compile, one gcc build, loaded once) classifies
 * many inputs in the emulated board, and every output is checked byte for byte against the
 * reference interpreter on the same input.
 *
 * `evaluateOnDevice` = backend.compile with the batch harness -> buildFirmware ->
 * runFirmwareBatch (each input written into the input tensor before its inference, the outputs
 * read after it; in one or more engines, each in a worker over a slice of the inputs) beside the
 * reference interpreter on the same inputs (in workers, while the emulator runs) -> an
 * {@link OnDeviceEvaluation}.
 *
 * @module
 */
import type { Board } from "../engine/target/mod.ts";
import type { EngineName } from "../engine/codegen/mod.ts";
import { getBackend } from "../engine/codegen/mod.ts";
import { type Graph, tensorBytes } from "../engine/ir/mod.ts";
import { interpretBatch } from "../engine/reference/mod.ts";
import { buildForBoard, decodeOutput, fitMessage } from "./run.ts";
import { runDeviceBatch } from "./device_batch.ts";
import { parseElf } from "../emulator/mod.ts";

/** Which half of an evaluation a progress report is about. */
export type EvaluationPhase = "device" | "reference";

/** Options of {@link evaluateOnDevice}. */
export interface EvaluateOptions {
  readonly engine: EngineName;
  readonly board: Board;
  /** Firmware build cache directory. @default no cache */
  readonly cacheDir?: string;
  /** Instruction budget of each inference (and of the initialisation). @default 2e9 */
  readonly budget?: number;
  /** Inputs done so far, per phase (the reference runs in workers during the device phase). */
  readonly onProgress?: (done: number, total: number, phase: EvaluationPhase) => void;
  /** The true class of each input: adds `accuracy` and `referenceAccuracy`. */
  readonly labels?: ArrayLike<number>;
  /**
   * Deno workers for the reference interpreter (0: in this thread, after the device run).
   * @default 0 below 256 inputs, else the number of CPUs minus one (at least 1)
   */
  readonly referenceWorkers?: number;
  /**
   * Emulator engines, each in a Deno worker running a contiguous slice of the inputs with the
   * same firmware (1: this thread). Results do not depend on it.
   * @default 1 below 256 inputs, else 2 (or 1 on a one-CPU machine)
   */
  readonly deviceWorkers?: number;
  /** Name in the result. @default graph.name */
  readonly modelName?: string;
  /**
   * The graph the reference interpreter runs, when it is not `graph` itself (e.g. the same
   * network before a transformation; tests plant a difference this way). It must take the same
   * inputs. @default graph
   */
  readonly reference?: Graph;
}

/** Instructions per inference over a batch. */
export interface InstructionStats {
  readonly min: number;
  readonly mean: number;
  readonly max: number;
}

/** What {@link evaluateOnDevice} measured. */
export interface OnDeviceEvaluation {
  readonly model: string;
  readonly engine: EngineName;
  readonly board: string;
  /** The board the firmware ran on (an enlarged copy of `board` when the model does not fit). */
  readonly measuredOn: string;
  /** Whether the firmware fits `board` (SRAM high-water and Flash image, as measured). */
  readonly fits: boolean;
  /** Number of inputs. */
  readonly count: number;
  /** The firmware's class for each input: argmax of the first output, ties to the lowest index. */
  readonly predictions: readonly number[];
  /** The reference interpreter's class for each input, by the same rule. */
  readonly referencePredictions: readonly number[];
  /** Inputs where any output byte differs from the reference's (bit-exactness). */
  readonly outputMismatches: number;
  /** The first such input, or null when every output is bit-exact. */
  readonly firstMismatch: number | null;
  /** Inputs where the predicted class differs from the reference's. */
  readonly predictionMismatches: number;
  /** Fraction of inputs whose firmware prediction equals the label (with `labels`). */
  readonly accuracy?: number;
  /** Fraction of inputs whose reference prediction equals the label (with `labels`). */
  readonly referenceAccuracy?: number;
  /** Instructions per inference, between the inference markers. */
  readonly instructions: InstructionStats;
  /** Instructions of the one initialisation (0 for engines without one). */
  readonly initInstructions: number;
  /** Static SRAM + stack high-water over the whole batch. */
  readonly peakSramBytes: number;
  /** Loadable Flash image. */
  readonly flashBytes: number;
  /** SHA-256 of the batch firmware ELF. */
  readonly firmwareSha256: string;
}

/**
 * The index of the largest value, ties to the lowest index (-1 for none).
 *
 * @example
 * ```ts
 * import { argmax } from "./evaluate.ts";
 * argmax([3, 7, 7, -1]); // 1
 * ```
 */
export function argmax(values: ArrayLike<number>): number {
  let best = -1;
  for (let i = 0; i < values.length; i++) {
    if (best < 0 || values[i]! > values[best]!) best = i;
  }
  return best;
}

/** Each graph input's bytes of one batch input; RangeError naming the input on a bad size. */
function splitChecked(graph: Graph, sizes: readonly number[], bytes: Uint8Array, index: number) {
  const total = sizes.reduce((s, n) => s + n, 0);
  if (!(bytes instanceof Uint8Array) || bytes.length !== total) {
    const got = bytes instanceof Uint8Array ? `${bytes.length} bytes` : "not a Uint8Array";
    throw new RangeError(
      `Cannot evaluate '${graph.name}': input ${index} has ${got}, expected ${total} bytes ` +
        "(the model's input tensor)",
    );
  }
  let at = 0;
  return sizes.map((n) => bytes.subarray(at, at += n));
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function statsOf(counts: readonly number[]): InstructionStats {
  if (counts.length === 0) return { min: 0, mean: 0, max: 0 };
  let min = Infinity, max = -Infinity, sum = 0;
  for (const n of counts) {
    min = Math.min(min, n);
    max = Math.max(max, n);
    sum += n;
  }
  return { min, mean: sum / counts.length, max };
}

function accuracyOf(predictions: readonly number[], labels: ArrayLike<number>): number {
  let right = 0;
  predictions.forEach((p, i) => {
    if (p === labels[i]) right++;
  });
  return predictions.length === 0 ? 0 : right / predictions.length;
}

/**
 * Classify every input on the emulated board with one batch firmware and check each output
 * against the reference interpreter, byte for byte.
 *
 * Throws RangeError for an input of the wrong size (naming its index, expected and actual bytes)
 * or labels of the wrong length; {@link EmulationFault} / {@link BudgetExceededError} naming the
 * input on a firmware fault or an inference over the budget; {@link ToolchainError} when the
 * build fails.
 *
 * @example
 * ```ts ignore
 * const r = await evaluateOnDevice(graph, images, {
 *   engine: "tinyengine", board: getBoard("stm32f746"), labels,
 * });
 * // r.accuracy, r.outputMismatches (0: bit-exact), r.instructions.mean
 * ```
 */
export async function evaluateOnDevice(
  graph: Graph,
  inputs: readonly Uint8Array[],
  options: EvaluateOptions,
): Promise<OnDeviceEvaluation> {
  const sizes = graph.inputs.map((t) => tensorBytes(graph.tensors[t]!));
  const parts = inputs.map((bytes, i) => splitChecked(graph, sizes, bytes, i));
  const labels = options.labels;
  if (labels !== undefined && labels.length !== inputs.length) {
    throw new RangeError(
      `Cannot evaluate '${graph.name}': ${labels.length} labels for ${inputs.length} inputs`,
    );
  }
  const { engine, board } = options;
  const compiled = getBackend(engine).compile(graph, { board, harness: "batch" });
  const { image, target } = await buildForBoard(compiled, board, options.cacheDir);

  // The reference runs in workers while this thread drives the emulator.
  const workers = options.referenceWorkers ??
    (inputs.length < 256 ? 0 : Math.max(1, navigator.hardwareConcurrency - 1));
  const progress = options.onProgress;
  const referenceGraph = options.reference ?? graph;
  const reference = workers > 0
    ? interpretBatch(referenceGraph, parts, {
      workers,
      ...(progress ? { onProgress: (d: number, t: number) => progress(d, t, "reference") } : {}),
    })
    : undefined;
  // Keep a worker failure from surfacing as an unhandled rejection while the emulator runs.
  reference?.catch(() => {});

  const symbol = (base: string, i: number) => (i === 0 ? base : `${base}_${i}`);
  // Further outputs are compared when the backend exports them (as runModel does).
  const exported = new Set(parseElf(image.elf).symbols.map((s) => s.name));
  const outputSymbols = graph.outputs.map((_, i) => symbol(compiled.outputSymbol, i))
    .filter((s, i) => i === 0 || exported.has(s));
  const bySymbol = parts.map((p) =>
    Object.fromEntries(p.map((bytes, k) => [symbol(compiled.inputSymbol, k), bytes]))
  );
  const run = await runDeviceBatch({ elf: image.elf, board: target }, bySymbol, {
    outputs: outputSymbols,
    workers: options.deviceWorkers ??
      (inputs.length < 256 ? 1 : Math.min(2, navigator.hardwareConcurrency)),
    ...(options.budget !== undefined ? { budget: options.budget } : {}),
    ...(progress ? { onProgress: (d: number, t: number) => progress(d, t, "device") } : {}),
  });
  if (run.exitStatus !== 0) {
    throw new Error(
      `Cannot evaluate '${graph.name}' with engine ${engine}: the firmware stopped with status ` +
        `${run.exitStatus}`,
    );
  }
  const expected = reference ? await reference : await interpretBatch(referenceGraph, parts, {
    ...(progress ? { onProgress: (d: number, t: number) => progress(d, t, "reference") } : {}),
  });

  const predictions: number[] = [];
  const referencePredictions: number[] = [];
  let outputMismatches = 0;
  let predictionMismatches = 0;
  let firstMismatch: number | null = null;
  run.outputs.forEach((got, i) => {
    const want = expected[i]!;
    const p = argmax(decodeOutput(graph, got[outputSymbols[0]!]!));
    const q = argmax(decodeOutput(referenceGraph, want[0]!));
    predictions.push(p);
    referencePredictions.push(q);
    if (p !== q) predictionMismatches++;
    if (!outputSymbols.every((s, k) => sameBytes(got[s], want[k]))) {
      outputMismatches++;
      firstMismatch ??= i;
    }
  });
  const counts = run.inferenceInstructions;
  const measured = { peakSramBytes: run.sram.peakBytes, flashBytes: run.flash.bytes };
  return {
    model: options.modelName ?? graph.name,
    engine,
    board: board.name,
    measuredOn: target.name,
    fits: fitMessage(measured, board) === undefined,
    count: inputs.length,
    predictions,
    referencePredictions,
    outputMismatches,
    firstMismatch,
    predictionMismatches,
    ...(labels !== undefined
      ? {
        accuracy: accuracyOf(predictions, labels),
        referenceAccuracy: accuracyOf(referencePredictions, labels),
      }
      : {}),
    instructions: statsOf(counts),
    initInstructions: run.initInstructions,
    peakSramBytes: run.sram.peakBytes,
    flashBytes: run.flash.bytes,
    firmwareSha256: image.sha256,
  };
}
