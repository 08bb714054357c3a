/**
 * The record every backend produces and the build consumes: a C project as files.
 *
 * @module
 */

/** A buildable C project: relative path to contents (text or bytes, e.g. `.bin` for `.incbin`). */
export interface CSources {
  /** A short name for the project (becomes the firmware's base name). */
  readonly name: string;
  /** Relative path (e.g. `model.c`, `weights.bin`) to file contents. */
  readonly files: Readonly<Record<string, string | Uint8Array>>;
  /** Extra preprocessor definitions, `NAME` or `NAME=VALUE`. */
  readonly defines?: readonly string[];
}
