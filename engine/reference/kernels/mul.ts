/**
 * MUL, int8, as TFLite's `reference_integer_ops::Mul` / `BroadcastMul4DSlow`:
 * `out = zp + MBQM((a - za) * (b - zb), multiplier, shift)`, clamped.
 *
 * @module
 */

import type { MulNode } from "../../ir/mod.ts";
import { mulParams, multiplyByQuantizedMultiplier } from "../../quant/mod.ts";
import { int8BroadcastOperands } from "./_broadcast.ts";
import { clamp, type KernelArgs } from "./_kernel.ts";

/** Run one MUL node. */
export function mul(args: KernelArgs<MulNode>): void {
  const { a, b, out, ia, ib } = int8BroadcastOperands(args);
  const p = mulParams(args.graph, args.node);
  for (let i = 0; i < out.length; i++) {
    const v1 = a[ia ? ia[i]! : i]! + p.input1Offset;
    const v2 = b[ib ? ib[i]! : i]! + p.input2Offset;
    const raw = p.outputOffset +
      multiplyByQuantizedMultiplier(v1 * v2, p.outputMultiplier, p.outputShift);
    out[i] = clamp(raw, p.activationMin, p.activationMax);
  }
}
