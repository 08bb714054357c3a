/**
 * HARD_SWISH, int8, as TFLite's quantized `reference_ops::HardSwish`: 16-bit fixed point with
 * a saturating "relu-ish" multiplier in [0, 1] and a truncating doubling high multiply.
 *
 * @module
 */

import type { HardSwishNode } from "../../ir/mod.ts";
import { hardSwishParams } from "../../quant/mod.ts";
import { int8Elements, type KernelArgs } from "./_kernel.ts";

function toInt16(x: number): number {
  return (x << 16) >> 16;
}

/** gemmlowp's int16 `SaturatingRoundingDoublingHighMul`. */
export function srdhm16(a: number, b: number): number {
  if (a === b && a === -32768) return 32767;
  const ab = a * b;
  const nudge = ab >= 0 ? 1 << 14 : 1 - (1 << 14);
  return toInt16(Math.trunc((ab + nudge) / 32768));
}

/** TFLite's int16 `SaturatingDoublingHighMul` (rounds toward zero). */
export function sdhm16(a: number, b: number): number {
  if (a === b && a === -32768) return 32767;
  return toInt16(Math.trunc((a * b) / 32768));
}

/** TFLite's int16 `SaturatingLeftShift`. */
export function saturatingLeftShift16(value: number, amount: number): number {
  const r = value * 2 ** amount;
  return r > 32767 ? 32767 : r < -32768 ? -32768 : r;
}

/** gemmlowp's `RoundingDivideByPOT` on int16 (mask narrowed to int16). */
export function roundingDivideByPOT16(x: number, exponent: number): number {
  const mask = toInt16(2 ** exponent - 1);
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return toInt16((x >> exponent) + (remainder > threshold ? 1 : 0));
}

/** Run one HARD_SWISH node. */
export function hardSwish(args: KernelArgs<HardSwishNode>): void {
  const { x: inData, out } = int8Elements(args);
  const p = hardSwishParams(args.graph, args.node);
  const relExp = p.reluishMultiplierExponent;
  for (let i = 0; i < inData.length; i++) {
    const inputValue = toInt16(inData[i]! - p.inputZeroPoint);
    const hires = toInt16(inputValue * 128);
    const preshiftOutput = srdhm16(hires, p.outputMultiplierFixedpointInt16);
    let reluish = hires;
    if (relExp > 0) reluish = saturatingLeftShift16(reluish, relExp - 1);
    reluish = srdhm16(reluish, p.reluishMultiplierFixedpointInt16);
    if (relExp > 0) reluish = saturatingLeftShift16(reluish, 1);
    if (relExp < 0) reluish = roundingDivideByPOT16(reluish, -relExp);
    reluish = toInt16((reluish + (1 << 15)) >> 1);
    const preshift = sdhm16(reluish, preshiftOutput);
    let v = roundingDivideByPOT16(preshift, -p.outputMultiplierExponent);
    v = toInt16(v + p.outputZeroPoint);
    out[i] = v > 127 ? 127 : v < -128 ? -128 : v;
  }
}
