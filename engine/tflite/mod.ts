/**
 * `.tflite` import and export over `npm:flatbuffers`, with hand-written accessors for the subset
 * of the TFLite schema the Graph IR needs. Reading is bounds-checked throughout: a truncated or
 * corrupted file gives a `ModelFormatError` saying what is wrong and where, an unsupported
 * operator an `UnsupportedOpError` naming it and its index.
 *
 * @example
 * ```ts
 * import { readTflite, writeTflite } from "./mod.ts";
 * const g = {
 *   name: "copy", nodes: [], inputs: [0], outputs: [0],
 *   tensors: [{ name: "x", shape: [1, 4], dtype: "float32" as const }],
 * };
 * const back = readTflite(writeTflite(g));
 * if (back.tensors[0]?.shape[1] !== 4) throw new Error("round trip failed");
 * ```
 *
 * @module
 */

export * from "./read_tflite.ts";
export * from "./write_tflite.ts";
export * from "./load_model_file.ts";
