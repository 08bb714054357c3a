/**
 * RSQRT, SQUARED_DIFFERENCE and PRELU, int8, as TF-Lite Micro computes them
 * (`RsqrtEvalQuantized`, `SquaredDifference`, `BroadcastPrelu4DSlow`).
 *
 * @module
 */
import type { PreluNode, RsqrtNode, SquaredDifferenceNode } from "../../ir/mod.ts";
import {
  invSqrtQuantizedMultiplierExp,
  multiplyByQuantizedMultiplier,
  preluParams,
  rsqrtParams,
  squaredDifferenceParams,
} from "../../quant/mod.ts";
import { int8BroadcastOperands } from "./_broadcast.ts";
import { fail, int8Elements, type KernelArgs } from "./_kernel.ts";

const clamp8 = (v: number) => (v < -128 ? -128 : v > 127 ? 127 : v);

/** TFLM's `kReverseShift` and the shift that keeps RSQRT's intermediate an integer. */
const REVERSE_SHIFT = -1;
const RSQRT_SHIFT = 20;

/** Run one RSQRT node (inputs below the zero point are refused, as TFLM does at run time). */
export function rsqrt(args: KernelArgs<RsqrtNode>): void {
  const { x, out } = int8Elements(args);
  const p = rsqrtParams(args.graph, args.node);
  for (let i = 0; i < x.length; i++) {
    const value = x[i]! - p.inputZeroPoint;
    if (value < 0) fail(args, `input ${x[i]} is below the zero point: RSQRT needs x >= 0`);
    if (value === 0) {
      out[i] = 127;
      continue;
    }
    const inv = invSqrtQuantizedMultiplierExp(value, REVERSE_SHIFT);
    const data = multiplyByQuantizedMultiplier(1, inv.multiplier, inv.shift + RSQRT_SHIFT);
    out[i] = clamp8(
      multiplyByQuantizedMultiplier(data, p.multiplier, p.shift - RSQRT_SHIFT) + p.outputZeroPoint,
    );
  }
}

/** Run one SQUARED_DIFFERENCE node. */
export function squaredDifference(args: KernelArgs<SquaredDifferenceNode>): void {
  const { a, b, out, ia, ib } = int8BroadcastOperands(args);
  const p = squaredDifferenceParams(args.graph, args.node);
  const scale = (v: number, m: number, s: number) =>
    multiplyByQuantizedMultiplier(v * (1 << p.leftShift), m, s);
  for (let i = 0; i < out.length; i++) {
    const v1 = scale(a[ia ? ia[i]! : i]! - p.input1ZeroPoint, p.input1Multiplier, p.input1Shift);
    const v2 = scale(b[ib ? ib[i]! : i]! - p.input2ZeroPoint, p.input2Multiplier, p.input2Shift);
    const diff = v1 - v2;
    const raw = multiplyByQuantizedMultiplier(
      Math.imul(diff, diff),
      p.outputMultiplier,
      p.outputShift,
    );
    out[i] = clamp8(raw + p.outputZeroPoint);
  }
}

/** Run one PRELU node. */
export function prelu(args: KernelArgs<PreluNode>): void {
  const { a: x, b: al, out, ia: ix, ib: ia } = int8BroadcastOperands(args, ["input", "alpha"]);
  const p = preluParams(args.graph, args.node);
  for (let i = 0; i < out.length; i++) {
    const v = x[ix ? ix[i]! : i]! - p.inputZeroPoint;
    const raw = v >= 0
      ? multiplyByQuantizedMultiplier(v, p.identityMultiplier, p.identityShift)
      : multiplyByQuantizedMultiplier(
        v * (al[ia ? ia[i]! : i]! - p.alphaZeroPoint),
        p.alphaMultiplier,
        p.alphaShift,
      );
    out[i] = clamp8(raw + p.outputZeroPoint);
  }
}
