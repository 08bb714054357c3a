/**
 * Load a `.tflite` file from disk into a Graph.
 *
 * @module
 */

import type { Graph } from "../ir/mod.ts";
import { ModelFormatError } from "../ir/mod.ts";
import { readTflite } from "./read_tflite.ts";
import { readBoundedFile } from "../util/mod.ts";

/** Largest .tflite file read: far more than any microcontroller's Flash (2 GiB is the format's own limit). */
const MAX_MODEL_FILE_BYTES = 256 * 1024 * 1024;

/**
 * Read and import a `.tflite` file. A missing, unreadable or empty file gives a
 * ModelFormatError naming the path (with the system error as `cause`), never a raw NotFound;
 * a malformed file gives readTflite's ModelFormatError prefixed with the path.
 *
 * @example
 * ```ts ignore
 * import { loadModelFile } from "./load_model_file.ts";
 * const g = await loadModelFile("../shared/models/tflm_hello_world_int8.tflite");
 * console.log(g.nodes.length); // 3
 * ```
 *
 * @param path Path of the `.tflite` file.
 * @returns The imported graph, named after the file (without directory and extension).
 * @throws {ModelFormatError} when the file cannot be read or is not a valid model.
 * @throws {UnsupportedOpError} when the model uses an operator the IR does not support.
 */
export async function loadModelFile(path: string | URL): Promise<Graph> {
  const shown = path instanceof URL ? path.href : path;
  let bytes: Uint8Array;
  try {
    bytes = await readBoundedFile(path, MAX_MODEL_FILE_BYTES, "model");
  } catch (e) {
    if (e instanceof TypeError) throw new ModelFormatError(e.message, { cause: e });
    const reason = e instanceof Deno.errors.NotFound
      ? "no such file"
      : e instanceof Deno.errors.PermissionDenied
      ? "permission denied"
      : e instanceof Error
      ? e.message
      : String(e);
    throw new ModelFormatError(`Cannot load model '${shown}': ${reason}`, { cause: e });
  }
  if (bytes.byteLength === 0) {
    throw new ModelFormatError(`Cannot load model '${shown}': the file is empty`);
  }
  const base = shown.split(/[\\/]/).pop() ?? shown;
  const name = base.replace(/\.tflite$/i, "") || base;
  try {
    return readTflite(bytes, { name });
  } catch (e) {
    if (e instanceof ModelFormatError) {
      throw new ModelFormatError(`Cannot load model '${shown}': ${e.message}`, { cause: e });
    }
    throw e;
  }
}
