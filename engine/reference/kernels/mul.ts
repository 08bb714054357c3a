/**
 * MUL, int8, as TFLite's `reference_integer_ops::Mul` / `BroadcastMul4DSlow`:
 * `out = zp + MBQM((a - za) * (b - zb), multiplier, shift)`, clamped.
 *
 * @module
 */

import type { MulNode } from "../../ir/mod.ts";
import { mulParams, multiplyByQuantizedMultiplier } from "../../quant/mod.ts";
import { broadcastIndex } from "./_broadcast.ts";
import {
  inputTensor,
  int8Input,
  int8Output,
  type KernelArgs,
  outputTensor,
  requireDtype,
} from "./_kernel.ts";

/** Run one MUL node. */
export function mul(args: KernelArgs<MulNode>): void {
  const in1 = inputTensor(args, 0);
  const in2 = inputTensor(args, 1);
  const output = outputTensor(args);
  requireDtype(args, "int8", { "first input": in1, "second input": in2, output });
  const p = mulParams(args.graph, args.node);
  const a = int8Input(args, 0);
  const b = int8Input(args, 1);
  const out = int8Output(args);
  const ia = broadcastIndex(in1.shape, output.shape);
  const ib = broadcastIndex(in2.shape, output.shape);
  for (let i = 0; i < out.length; i++) {
    const v1 = a[ia ? ia[i]! : i]! + p.input1Offset;
    const v2 = b[ib ? ib[i]! : i]! + p.input2Offset;
    const raw = p.outputOffset +
      multiplyByQuantizedMultiplier(v1 * v2, p.outputMultiplier, p.outputShift);
    out[i] = raw < p.activationMin
      ? p.activationMin
      : raw > p.activationMax
      ? p.activationMax
      : raw;
  }
}
