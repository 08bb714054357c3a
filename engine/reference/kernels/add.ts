/**
 * ADD, int8, as TFLite's `reference_integer_ops::Add` / broadcast variant: both inputs are
 * offset, shifted left by 20, scaled below one, summed and requantized.
 *
 * @module
 */

import type { AddNode, SubNode } from "../../ir/mod.ts";
import {
  type AddParams,
  addParams,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul as srdhm,
} from "../../quant/mod.ts";
import { int8BroadcastOperands } from "./_broadcast.ts";
import { clamp, type KernelArgs } from "./_kernel.ts";

/** Run one ADD node. */
export function add(args: KernelArgs<AddNode>): void {
  addWith(args, addParams(args.graph, args.node));
}

/** The ADD arithmetic with given parameters (SUB runs it with a negated second multiplier). */
export function addWith(args: KernelArgs<AddNode | SubNode>, p: AddParams): void {
  const { a, b, out, ia, ib } = int8BroadcastOperands(args);
  const shift = 2 ** p.leftShift;
  for (let i = 0; i < out.length; i++) {
    const v1 = (a[ia ? ia[i]! : i]! + p.input1Offset) * shift;
    const v2 = (b[ib ? ib[i]! : i]! + p.input2Offset) * shift;
    const s1 = roundingDivideByPOT(srdhm(v1, p.input1Multiplier), -p.input1Shift);
    const s2 = roundingDivideByPOT(srdhm(v2, p.input2Multiplier), -p.input2Shift);
    const sum = (s1 + s2) | 0;
    const raw = roundingDivideByPOT(srdhm(sum, p.outputMultiplier), -p.outputShift) +
      p.outputOffset;
    out[i] = clamp(raw, p.activationMin, p.activationMax);
  }
}
