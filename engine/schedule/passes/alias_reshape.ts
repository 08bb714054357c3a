/**
 * RESHAPE moves no bytes: its output becomes an alias of its input's storage.
 *
 * @module
 */
import type { Lowered } from "./types.ts";

/**
 * Turn RESHAPE layers into storage aliases (output shares input's buffer) and drop them.
 *
 * @example
 * ```ts
 * import type { Lowered } from "./types.ts";
 * declare const lowered: Lowered;
 * const l = aliasReshapes(lowered); // no RESHAPE layer left
 * ```
 */
export function aliasReshapes(lowered: Lowered): Lowered {
  const alias = [...lowered.alias];
  const layers = lowered.layers.filter((l) => {
    if (l.op !== "RESHAPE") return true;
    const src = l.inputs[0]!;
    const dst = l.outputs[0]!;
    if (lowered.graph.tensors[src]?.data) return true;
    alias[dst] = src;
    return false;
  });
  return { ...lowered, layers, alias };
}
