/**
 * What the `mcu` commands share: where they write, how a model argument is loaded, which errors
 * are the user's (printed as one line, no stack trace), and how `--engine` is checked.
 *
 * @module
 */
// deno-lint-ignore-file no-console
import { buildModel } from "../engine/builders/mod.ts";
import { type Board, getBoard, ToolchainError } from "../engine/target/mod.ts";
import { userPath } from "../engine/util/mod.ts";
export { userPath } from "../engine/util/mod.ts";
import type { EngineName } from "../engine/codegen/mod.ts";
import { getBackend } from "../engine/codegen/mod.ts";
import { ModelFormatError, UnsupportedOpError } from "../engine/ir/mod.ts";
import type { Graph } from "../engine/ir/mod.ts";
import { IO_MODES, type IoMode, toInt8Io } from "../engine/ir/mod.ts";
import { loadModelFile } from "../engine/tflite/mod.ts";

/** Where the command writes; defaults to the console. */
export interface CommandIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** The console. */
export const CONSOLE_IO: CommandIo = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
};

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/**
 * Load a model argument: a `.tflite` file, or a built-in model name / config `.json`; with
 * `io` "int8" its float boundary QUANTIZE/DEQUANTIZE are dropped (`--io int8`).
 */
export async function loadModelArg(model: string, io: string = "model"): Promise<Graph> {
  const mode = ioModeArg(io);
  const path = userPath(model);
  const graph = /\.tflite$/i.test(model) || (!/\.json$/i.test(model) && isFile(path))
    ? await loadModelFile(path)
    : buildModel(/\.json$/i.test(model) ? path : model);
  return mode === "int8" ? toInt8Io(graph) : graph;
}

/** Check `--io`. */
export function ioModeArg(io: string): IoMode {
  const mode = IO_MODES.find((m) => m === io);
  if (!mode) {
    throw new RangeError(`Unknown --io '${io}': expected one of ${IO_MODES.join(", ")}`);
  }
  return mode;
}

/** What a command that compiles a model for a board starts from. */
export interface ModelTarget {
  readonly engine: EngineName;
  readonly board: Board;
  readonly graph: Graph;
}

/** The `--engine`, `--board` and `--io` options and the model argument, checked and loaded. */
export async function modelTarget(
  model: string,
  opts: { readonly engine: string; readonly board: string; readonly io?: string },
): Promise<ModelTarget> {
  const engine = engineArg(opts.engine);
  const board = getBoard(opts.board);
  return { engine, board, graph: await loadModelArg(model, opts.io) };
}

/**
 * The result of `work`, or undefined after printing `error: <message>` when it failed with a
 * user error ({@link isUserError}: no stack trace); any other error propagates.
 */
export async function orUserError<T>(
  io: CommandIo,
  work: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await work();
  } catch (e) {
    if (!isUserError(e)) throw e;
    io.err(`error: ${e.message}`);
    return undefined;
  }
}

/** Errors that are the user's (bad model, name, board, input, missing toolchain): no trace. */
export function isUserError(e: unknown): e is Error {
  if (!(e instanceof Error)) return false;
  return e instanceof ModelFormatError || e instanceof UnsupportedOpError ||
    e instanceof RangeError || e instanceof TypeError || e instanceof ToolchainError ||
    e instanceof Deno.errors.NotFound || e instanceof Deno.errors.PermissionDenied ||
    [
      "DoesNotFitError",
      "FirmwareError",
      "EmulationFault",
      "BudgetExceededError",
      "MarkerError",
      "UnicornError",
      "UnsupportedKernelError",
      "QuantizationParamsError",
    ].includes(e.name);
}

/** Resolve and check `--engine`. */
export function engineArg(engine: string): EngineName {
  return getBackend(engine).name;
}
