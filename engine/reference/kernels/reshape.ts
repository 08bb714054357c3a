/**
 * RESHAPE: the bytes are unchanged; the output tensor's shape is authoritative.
 *
 * @module
 */

import type { ReshapeNode } from "../../ir/mod.ts";
import { fail, inputBytes, type KernelArgs, outputBytes } from "./_kernel.ts";

/** Run one RESHAPE node. */
export function reshape(args: KernelArgs<ReshapeNode>): void {
  const src = inputBytes(args, 0);
  const dst = outputBytes(args);
  if (src.byteLength !== dst.byteLength) {
    fail(args, `input holds ${src.byteLength} bytes but output ${dst.byteLength}`);
  }
  dst.set(src);
}
