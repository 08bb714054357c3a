/**
 * Small helpers shared by kernel templates.
 *
 * @module
 */
import { int32Data, int8Data, type Tensor } from "../../../ir/mod.ts";
import type { Layer, Lowered } from "../../../schedule/mod.ts";
import type { EmitContext } from "./types.ts";

/** The tensor at a layer input (throws a clear error when missing). */
export function tensorOf(lowered: Lowered, index: number | undefined, what: string): Tensor {
  const t = index === undefined || index < 0 ? undefined : lowered.graph.tensors[index];
  if (!t) {
    throw new RangeError(`Cannot generate code: the ${what} tensor (index ${index}) is missing`);
  }
  return t;
}

/** Dimension `i` of a shape (1 when absent). */
export function dim(shape: readonly number[], i: number): number {
  return shape[i] ?? 1;
}

/** NHWC dims of a rank-4 (or lower, right-aligned) activation. */
export function nhwc(shape: readonly number[]): [number, number, number, number] {
  const s = [1, 1, 1, 1, ...shape].slice(-4);
  return [s[0]!, s[1]!, s[2]!, s[3]!];
}

/** Int8 view of a constant tensor's bytes. */
export function constInt8(t: Tensor): Int8Array {
  return int8Data(t);
}

/** Int32 values of a constant tensor (zeros when absent). */
export function constInt32OrZero(t: Tensor | undefined, n: number): Int32Array {
  return t?.data ? int32Data(t) : new Int32Array(n);
}

/**
 * Weights as `rows` rows of `k` values, each padded to `stride` bytes (`value(row, i)` reads the
 * original layout), and the bias with the input offset folded in: `bias + inputOffset * sum(row)`,
 * so the kernels accumulate raw int8 products.
 */
export function packRows(
  value: (row: number, i: number) => number,
  rows: number,
  k: number,
  stride: number,
  bias: Int32Array,
  inputOffset: number,
): { packed: Int8Array; bias: Int32Array } {
  const packed = new Int8Array(rows * stride);
  const folded = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let i = 0; i < k; i++) {
      const v = value(r, i);
      packed[r * stride + i] = v;
      sum += v;
    }
    folded[r] = (bias[r]! + Math.imul(inputOffset, sum)) | 0;
  }
  return { packed, bias: folded };
}

/** Interleave multipliers and shifts as int32 pairs (one LDRD per channel). */
export function pairs(m: ArrayLike<number>, s: ArrayLike<number>): Int32Array {
  const out = new Int32Array(m.length * 2);
  for (let i = 0; i < m.length; i++) {
    out[2 * i] = m[i]!;
    out[2 * i + 1] = s[i]!;
  }
  return out;
}

/** The layer's int8 clamp (full range when absent). */
export function clampOf(layer: Layer): { min: number; max: number } {
  return layer.clamp ?? { min: -128, max: 127 };
}

/**
 * The named scalar arguments of a requantizing kernel call: the input zero point (when the kernel
 * takes one), the output zero point and the clamp bounds, `#define`d per layer as
 * `<layer>_<prefix>in_zp`, `..._out_zp`, `..._act_min`, `..._act_max`.
 */
export function requantArgs(
  ctx: EmitContext,
  inZp: number | undefined,
  outZp: number,
  clamp: { readonly min: number; readonly max: number },
  prefix = "",
): string[] {
  return [
    ...(inZp === undefined ? [] : [ctx.param(`${prefix}in_zp`, inZp)]),
    ctx.param(`${prefix}out_zp`, outZp),
    ctx.param(`${prefix}act_min`, clamp.min),
    ctx.param(`${prefix}act_max`, clamp.max),
  ];
}

/**
 * A TFLite quantized multiplier (`multiplier * 2^(shift - 31)`, shift > 0 to the left) as a named
 * argument annotated with the real scale it encodes: `<layer>_<role>_mult` and `..._shift`.
 */
export function multiplierArgs(
  ctx: EmitContext,
  role: string,
  multiplier: number,
  shift: number,
): [mult: string, shift: string] {
  const real = (multiplier * 2 ** (shift - 31)).toPrecision(6);
  return [
    ctx.param(
      `${role}_mult`,
      multiplier,
      `real scale ${real} = ${role}_mult * 2^(${role}_shift - 31)`,
    ),
    ctx.param(`${role}_shift`, shift),
  ];
}

/**
 * The sliding-window part of a kernel key: filter size, strides, dilations and the top and left
 * padding (in this order: the key's text names the kernel, see `kernel_names.ts`).
 */
export function windowKey(
  kh: number,
  kw: number,
  o: {
    readonly strideH: number;
    readonly strideW: number;
    readonly dilationH: number;
    readonly dilationW: number;
  },
  pad: { readonly top: number; readonly left: number },
): number[] {
  return [kh, kw, o.strideH, o.strideW, o.dilationH, o.dilationW, pad.top, pad.left];
}

/** The input, filter (or weights) and optional bias tensors of a layer with weights. */
export function weightedTensors(
  lowered: Lowered,
  layer: Layer,
  filterName = "filter",
): { input: Tensor; filter: Tensor; biasT: Tensor | undefined } {
  return {
    input: tensorOf(lowered, layer.inputs[0], "input"),
    filter: tensorOf(lowered, layer.inputs[1], filterName),
    biasT: (layer.inputs[2] ?? -1) >= 0 ? tensorOf(lowered, layer.inputs[2], "bias") : undefined,
  };
}

/** A C identifier fragment from a list of numbers. */
export function keyName(prefix: string, parts: readonly (number | string)[]): string {
  return `${prefix}_${parts.join("_")}`.replace(/[^A-Za-z0-9_]/g, "x");
}

/**
 * The closing lines of a generated C function whose innermost open block is `depth` levels deep:
 * one brace per level, indented two spaces a level, down to the function's own, then a blank line.
 */
export function closeBraces(depth: number): string[] {
  const lines: string[] = [];
  for (let level = depth; level >= 0; level--) lines.push(`${"  ".repeat(level)}}`);
  return [...lines, ""];
}

/**
 * The C lines of one output pixel of a depthwise row loop (10 spaces deep): `setup` points at its
 * input, the accumulator starts at the bias `b`, `sum` adds the taps, `store` is the requantized
 * value written to `*o`, then `o` advances `step` channels.
 */
export function onePixelLines(setup: string, sum: string, store: string, step: number): string[] {
  return [
    `          ${setup}`,
    `          int32_t acc = b;`,
    `          ${sum}`,
    `          *o = ${store};`,
    `          o += ${step};`,
  ];
}
