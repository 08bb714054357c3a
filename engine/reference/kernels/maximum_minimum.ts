/**
 * MAXIMUM and MINIMUM, int8, as TFLite's `MaximumMinimumBroadcast`: the larger (smaller) raw
 * value of the two broadcast inputs, with no requantization. TFLite's converter gives both inputs
 * and the output one quantization; the kernel requires it, since raw values of differently
 * quantized tensors do not compare.
 *
 * @module
 */

import type { MaximumMinimumNode } from "../../ir/mod.ts";
import { tensorQuant } from "../../quant/mod.ts";
import { int8BroadcastOperands } from "./_broadcast.ts";
import { fail, type KernelArgs } from "./_kernel.ts";

/** Run one MAXIMUM or MINIMUM node. */
export function maximumMinimum(args: KernelArgs<MaximumMinimumNode>): void {
  const { in1, in2, output, a, b, out, ia, ib } = int8BroadcastOperands(args);
  const oq = tensorQuant(output);
  for (const [what, t] of [["first input", in1], ["second input", in2]] as const) {
    const q = tensorQuant(t);
    if (q.scale !== oq.scale || q.zeroPoint !== oq.zeroPoint) {
      fail(
        args,
        `${what} quantization (scale ${q.scale}, zero point ${q.zeroPoint}) differs from the output's (scale ${oq.scale}, zero point ${oq.zeroPoint})`,
      );
    }
  }
  const max = args.node.op === "MAXIMUM";
  for (let i = 0; i < out.length; i++) {
    const x = a[ia ? ia[i]! : i]!;
    const y = b[ib ? ib[i]! : i]!;
    out[i] = max ? (x > y ? x : y) : (x < y ? x : y);
  }
}
