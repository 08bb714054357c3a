/**
 * `mcu run MODEL --inputs DIR|FILE [--labels FILE]`: classify many inputs on the emulated board
 * with one batch firmware, check every output against the reference interpreter byte for byte,
 * and print the accuracy when labels are given.
 *
 * Inputs are raw input-tensor bytes: one concatenated file (its size a multiple of the model's
 * input bytes), or a folder of one file per input (sorted by name). Labels are one byte per input,
 * raw or an IDX1 label file (as Fashion-MNIST's), optionally gzip-compressed.
 *
 * @module
 */
import { tensorBytes } from "../engine/ir/mod.ts";
import { evaluateOnDevice, type OnDeviceEvaluation } from "../pipeline/mod.ts";
import { type CommandIo, CONSOLE_IO, modelTarget, orUserError } from "./_common.ts";

/** Options of {@link evaluateCommand}. */
export interface EvaluateCommandOptions {
  readonly engine: string;
  readonly board: string;
  readonly inputs: string;
  readonly labels?: string;
  /** `--io`: "int8" drops a float model's boundary QUANTIZE/DEQUANTIZE. @default "model" */
  readonly io?: string;
  readonly json: boolean;
}

async function readBytes(path: string, what: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.PermissionDenied) {
      throw new TypeError(`Cannot read ${what} '${path}': ${e.message.split(":")[0]}`);
    }
    throw e;
  }
  if (!path.endsWith(".gz")) return bytes;
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
      .pipeThrough(new DecompressionStream("gzip"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch {
    throw new TypeError(`Cannot read ${what} '${path}': it is not a valid gzip file`);
  }
}

/** The inputs of a file (cut every `size` bytes) or of a folder (one file each, by name). */
export async function readInputs(path: string, size: number): Promise<Uint8Array[]> {
  let isDir = false;
  try {
    isDir = (await Deno.stat(path)).isDirectory;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    throw new TypeError(`Cannot read inputs '${path}': no such file or folder`);
  }
  if (!isDir) {
    const all = await readBytes(path, "inputs");
    if (all.length === 0 || all.length % size !== 0) {
      throw new RangeError(
        `Cannot read inputs '${path}': ${all.length} bytes is not a whole number of inputs of ` +
          `${size} bytes (the model's input tensor)`,
      );
    }
    return Array.from(
      { length: all.length / size },
      (_, i) => all.subarray(i * size, (i + 1) * size),
    );
  }
  const names: string[] = [];
  for await (const e of Deno.readDir(path)) if (e.isFile) names.push(e.name);
  names.sort();
  if (names.length === 0) throw new RangeError(`Cannot read inputs '${path}': the folder is empty`);
  const out: Uint8Array[] = [];
  for (const name of names) {
    const bytes = await readBytes(`${path}/${name}`, "input");
    if (bytes.length !== size) {
      throw new RangeError(
        `Cannot read input '${path}/${name}': ${bytes.length} bytes, expected ${size} (the ` +
          "model's input tensor)",
      );
    }
    out.push(bytes);
  }
  return out;
}

/** One label byte per input: raw bytes, or an IDX1 file (magic 0x00000801) without its header. */
export async function readLabels(path: string, count: number): Promise<Uint8Array> {
  const bytes = await readBytes(path, "labels");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const idx = bytes.length >= 8 && view.getUint32(0, false) === 0x801 &&
    view.getUint32(4, false) === bytes.length - 8;
  const labels = idx ? bytes.subarray(8) : bytes;
  if (labels.length < count) {
    throw new RangeError(
      `Cannot read labels '${path}': ${labels.length} labels for ${count} inputs`,
    );
  }
  return labels.subarray(0, count);
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

/** The readable summary of an evaluation. */
export function formatEvaluation(r: OnDeviceEvaluation): string[] {
  const i = r.instructions;
  return [
    `Model:        ${r.model}`,
    `Engine:       ${r.engine} on ${r.board}${
      r.measuredOn !== r.board ? `, measured on ${r.measuredOn}` : ""
    }${r.fits ? "" : " (does not fit)"}`,
    `Inputs:       ${r.count}, one firmware (sha256 ${r.firmwareSha256})`,
    `Instructions: per inference min ${i.min}, mean ${i.mean.toFixed(1)}, max ${i.max}; ` +
    `init ${r.initInstructions}`,
    `Reference:    ${
      r.outputMismatches === 0
        ? "every output bit-exact"
        : `${r.outputMismatches} outputs differ (first: input ${r.firstMismatch}), ` +
          `${r.predictionMismatches} predictions differ`
    }`,
    ...(r.accuracy !== undefined && r.referenceAccuracy !== undefined
      ? [`Accuracy:     ${pct(r.accuracy)} on device, ${pct(r.referenceAccuracy)} reference`]
      : []),
  ];
}

/**
 * Run `run --inputs`; returns the exit code (0 ok, 1 error or any output that differs from the
 * reference).
 */
export async function evaluateCommand(
  model: string,
  opts: EvaluateCommandOptions,
  io: CommandIo = CONSOLE_IO,
): Promise<number> {
  const result = await orUserError(io, async () => {
    const { engine, board, graph } = await modelTarget(model, opts);
    const size = graph.inputs.reduce((s, t) => s + tensorBytes(graph.tensors[t]!), 0);
    const inputs = await readInputs(opts.inputs, size);
    const labels = opts.labels !== undefined
      ? await readLabels(opts.labels, inputs.length)
      : undefined;
    return await evaluateOnDevice(graph, inputs, {
      engine,
      board,
      modelName: model,
      cacheDir: ".cache/firmware",
      ...(labels !== undefined ? { labels } : {}),
    });
  });
  if (result === undefined) return 1;
  if (opts.json) io.out(JSON.stringify(result));
  else for (const line of formatEvaluation(result)) io.out(line);
  return result.outputMismatches === 0 ? 0 : 1;
}
