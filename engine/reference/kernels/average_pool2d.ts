/**
 * AVERAGE_POOL_2D, int8, as TFLite's `reference_integer_ops::AveragePool`: the window is
 * clipped to the image, the raw int8 values are summed and divided by the number of valid taps
 * with rounding half away from zero (`(sum ± count/2) / count`, C division), then clamped.
 * There is no requantization: input and output share scale and zero point.
 *
 * @module
 */

import type { AveragePool2DNode } from "../../ir/mod.ts";
import type { KernelArgs } from "./_kernel.ts";
import { pool2d } from "./_pool.ts";

/** Run one AVERAGE_POOL_2D node. */
export function averagePool2d(args: KernelArgs<AveragePool2DNode>): void {
  pool2d(args, (taps, count) => {
    let acc = 0;
    for (let i = 0; i < count; i++) acc += taps[i]!;
    const half = Math.trunc(count / 2);
    return acc > 0 ? Math.trunc((acc + half) / count) : Math.trunc((acc - half) / count);
  });
}
