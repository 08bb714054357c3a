/**
 * Errors of the reference interpreter.
 *
 * @module
 */

import { UnsupportedOpError } from "../ir/mod.ts";

/**
 * A node the reference interpreter cannot run: an unsupported dtype combination or option,
 * named with the node's index and operator. It is an {@link UnsupportedOpError}, so callers that
 * already catch import-time rejections catch this too.
 *
 * @example
 * ```ts
 * import { UnsupportedKernelError } from "./errors.ts";
 * const e = new UnsupportedKernelError("CONV_2D", 3, "input dtype float32 is not int8");
 * e.message; // "Cannot interpret operator 3 (CONV_2D): input dtype float32 is not int8"
 * ```
 */
export class UnsupportedKernelError extends UnsupportedOpError {
  constructor(opName: string, opIndex: number, detail: string) {
    super(opName, opIndex, detail);
    this.name = "UnsupportedKernelError";
    this.message = `Cannot interpret operator ${opIndex} (${opName}): ${detail}`;
  }
}
