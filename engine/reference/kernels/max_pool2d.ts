/**
 * MAX_POOL_2D, int8, as TFLite's `reference_integer_ops::MaxPool`: the maximum over the window
 * clipped to the image (starting from -128), then clamped to the fused activation range.
 *
 * @module
 */

import type { MaxPool2DNode } from "../../ir/mod.ts";
import type { KernelArgs } from "./_kernel.ts";
import { pool2d } from "./_pool.ts";

/** Run one MAX_POOL_2D node. */
export function maxPool2d(args: KernelArgs<MaxPool2DNode>): void {
  pool2d(args, (taps, count) => {
    let max = -128;
    for (let i = 0; i < count; i++) if (taps[i]! > max) max = taps[i]!;
    return max;
  });
}
