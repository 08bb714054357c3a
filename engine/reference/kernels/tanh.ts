/**
 * TANH, int8, as TFLite's `reference_integer_ops::Tanh` (the kernel TF-Lite Micro runs): inputs
 * beyond the radius saturate, others are rescaled to Q4.27 and passed through gemmlowp's
 * fixed-point tanh; the Q0.31 result is rounded to Q0.7, so the output has scale 1/128 and zero
 * point 0.
 *
 * @module
 */

import type { TanhNode } from "../../ir/mod.ts";
import { roundingDivideByPOT, tanh as fixedTanh } from "../../quant/mod.ts";
import type { KernelArgs } from "./_kernel.ts";
import { q4Activation } from "./logistic.ts";

/** Run one TANH node. */
export function tanh(args: KernelArgs<TanhNode>): void {
  q4Activation(args, 0, (inQ4) => roundingDivideByPOT(fixedTanh(inQ4, 4), 31 - 7));
}
