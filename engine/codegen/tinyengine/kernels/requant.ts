/**
 * How tinyengine kernels requantize an int32 accumulator to int8: the per-channel table layout
 * (fast: one SMMLAR with a folded rounding term; exact: TFLite's MultiplyByQuantizedMultiplier),
 * the choice between them, and the C expressions that load and apply the table.
 *
 * @module
 */
import { multiplyByQuantizedMultiplier } from "../../../quant/mod.ts";
import type { Layer } from "../../../schedule/mod.ts";
import { clampOf } from "./util.ts";
/**
 * How a layer requantizes: `fast` (one SMMLAR, every shift in [-24, -1]) or `exact` (any shift); the
 * `1` variants share one (multiplier, shift) pair for all channels (per-tensor quantization).
 * `fastr`: fast where the clamp's lower bound is at least the output zero point (ReLU-like), so the
 * negative-accumulator rounding correction is dropped: every x <= 0 clamps to the bound either way.
 */
export type RequantMode = "fast" | "exact" | "fast1" | "exact1" | "fastr" | "fastr1";

/** Largest accumulator magnitude fast requantization accepts (it doubles the accumulator). */
export const FAST_ACC_LIMIT = 2 ** 30;

/** How far a layer's accumulator strays from its bias: `products` products of at most 128 * 256. */
export function accSpread(products: number): number {
  return products * 128 * 256;
}

/**
 * Requantization table and mode for a layer whose accumulator of channel c lies in
 * `bias[c] ± spread` (`bias` is what the kernel starts from; use the returned `bias` instead).
 * Fast: n int32 multipliers, n int32 rounding-and-zero-point terms `2^(rs-1) + zp * 2^rs` (see
 * `te_rqd2`), then n int8 shifts rs; exact: n int32 multipliers, then n int8 TFLite shifts. Fast
 * mode needs every shift in [-24, -1] (or [-24, +1] with `nonNegativeShifts`, for kernels that
 * emit {@link zeroSplit}) and every |accumulator| below {@link FAST_ACC_LIMIT}; `zp`
 * is the output zero point. A channel whose requantized value is one constant c over its whole
 * range (a zero multiplier, or a tiny one beside a huge bias) becomes bias 0, (2^30, rs 24) with
 * zero point zp + c: both functions are monotonic, so equal ends mean equal everywhere.
 */
export function requantTable(
  mult: ArrayLike<number>,
  shift: ArrayLike<number>,
  bias: ArrayLike<number>,
  spread: number,
  zp: number,
  nonNegativeShifts = false,
  lo = -Infinity,
): {
  mode: RequantMode;
  table: Int32Array;
  bias: Int32Array;
  /** Some channel has shift 0 or +1 (stored as rs = -shift <= 0, see `te_rqz`). */
  zero: boolean;
} {
  const n0 = mult.length;
  // Shifts 0 and +1 (only where the kernel emits the `te_rqz` branch, see {@link zeroSplit}):
  // the shifted, doubled accumulator 2x * 2^s must stay in int32.
  const okZero = (m: number, s: number, b: number) =>
    nonNegativeShifts && (s === 0 || s === 1) && m >= 0 &&
    Math.abs(b) + spread < FAST_ACC_LIMIT / 2 ** s;
  const okAt = (i: number) =>
    (ok(m2[i]!, s2[i]!) && Math.abs(b2[i]!) + spread < FAST_ACC_LIMIT) ||
    okZero(m2[i]!, s2[i]!, b2[i]!);
  const ok = (m: number, s: number) => s <= -1 && s >= -24 && m >= 1 << 30;
  const m2 = Array.from(mult);
  const s2 = Array.from(shift);
  const z2 = new Array<number>(n0).fill(zp);
  const b2 = Int32Array.from(bias);
  const mbqm = (x: number, m: number, sh: number) =>
    sh <= 0 || Math.abs(x) * 2 ** sh < 2 ** 31 ? multiplyByQuantizedMultiplier(x, m, sh) : NaN;
  for (let i = 0; i < n0; i++) {
    if (okAt(i)) continue;
    if (spread >= 2 ** 24) continue;
    const lo = mbqm(b2[i]! - spread, m2[i]!, s2[i]!);
    const hi = mbqm(b2[i]! + spread, m2[i]!, s2[i]!);
    if (!(lo === hi)) continue;
    // rs = 24 keeps 2^(rs-1) + zp * 2^rs in int32 for every int8 zp; |acc| < 2^24 maps to 0.
    m2[i] = 2 ** 30;
    s2[i] = -24;
    b2[i] = 0;
    z2[i] = Math.max(-128, Math.min(127, zp + lo));
  }
  let fast = true;
  for (let i = 0; i < n0; i++) {
    if (!okAt(i)) fast = false;
  }
  if (!fast) {
    m2.splice(0, n0, ...Array.from(mult));
    s2.splice(0, n0, ...Array.from(shift));
    z2.fill(zp);
    b2.set(bias);
  }
  let uniform = true;
  for (let i = 1; i < n0; i++) {
    if (m2[i] !== m2[0] || s2[i] !== s2[0] || z2[i] !== z2[0]) uniform = false;
  }
  const n = uniform ? Math.min(1, n0) : n0;
  const words = fast ? 2 * n : n;
  const table = new Int32Array(words + Math.ceil(n / 4));
  const shifts = new Int8Array(table.buffer, words * 4, n);
  let zero = false;
  for (let i = 0; i < n; i++) {
    table[i] = m2[i]!;
    if (fast) {
      const rs = -s2[i]!;
      table[n + i] = rs <= 0 ? z2[i]! : (2 ** (rs - 1) + z2[i]! * 2 ** rs) | 0;
      shifts[i] = rs;
      if (rs <= 0) zero = true;
    } else {
      shifts[i] = s2[i]!;
    }
  }
  // Without te_rqd2's -[x < 0] term, a channel's value for x <= 0 is still at most its zero point
  // (m > 0, rounding half up of a non-positive SRDHM), so with lo >= zp both clamp to lo. Constant
  // channels (|x| < 2^24, rs 24) round to their zero point with or without the term.
  const relu = fast && lo >= zp;
  const mode: RequantMode = fast
    ? (relu ? (uniform ? "fastr1" : "fastr") : (uniform ? "fast1" : "fast"))
    : (uniform ? "exact1" : "exact");
  return { mode, table, bias: b2, zero };
}

/**
 * Per-channel requantization code for a kernel that loaded `qs` with {@link requantLoad}: `body`
 * gets the expression builder. When the table has shift-0/+1 channels (`zero`), the body is
 * emitted twice, the copy for rs <= 0 requantizing with `te_rqz` (doubled accumulators only).
 */
export function zeroSplit(
  zero: boolean,
  mode: RequantMode,
  clamp: "sat" | "range",
  doubled: boolean,
  body: (rq: (acc: string) => string) => string,
): string {
  const normal = body((acc) => requantExpr(acc, mode, clamp, doubled));
  if (!zero) return normal;
  if (!doubled || !mode.startsWith("fast")) {
    throw new RangeError("Cannot generate code: shift-0 requantization needs doubled sums");
  }
  const z = (acc: string) => {
    const v = `te_rqz(${acc}, qm, qk, qz)`;
    return clamp === "sat" ? `(int8_t)__ssat(${v}, 8)` : `te_clamp8(${v}, lo, hi)`;
  };
  return `if (qs > 0) {\n${normal}\n} else {\nconst int32_t qz = -qs;\n${body(z)}\n}`;
}

/** Clamp mode: `sat` when the range is all of int8 (one SSAT), else explicit bounds. */
export function clampMode(lo: number, hi: number): "sat" | "range" {
  return lo === -128 && hi === 127 ? "sat" : "range";
}

/**
 * C expression requantizing accumulator `acc` (needs `qm`, `qk`, `qs`, `zp`, `lo`, `hi`).
 * `doubled`: in fast mode the kernel accumulated twice the sum (doubled bias and weights, see
 * {@link doubles}), which the requantization needs anyway.
 */
export function requantExpr(
  acc: string,
  mode: RequantMode,
  clamp: "sat" | "range",
  doubled = false,
): string {
  // Fast mode folds the output zero point into qk (added before the final shift).
  const v = mode.startsWith("fast")
    ? `te_rqd${doubled ? "2" : ""}${mode.startsWith("fastr") ? "r" : ""}(${acc}, qm, qk, qs)`
    : `te_mbqm(${acc}, qm, qs) + zp`;
  return clamp === "sat" ? `(int8_t)__ssat(${v}, 8)` : `te_clamp8(${v}, lo, hi)`;
}

/** Whether a kernel of this requantization mode accumulates doubled sums (fast modes). */
export function doubles(mode: RequantMode): boolean {
  return mode.startsWith("fast");
}

/** An int16 (planar ring) destination needs no int8 narrowing: SSAT already bounds it. */
export function rqOut(expr: string, planar: number): string {
  return planar ? expr.replace("(int8_t)__ssat(", "__ssat(") : expr;
}

/** C statements loading channel `oc`'s requantization constants. */
export function requantLoad(mode: RequantMode, table: string, channel: string, n: number): string {
  const one = mode.endsWith("1");
  const oc = one ? "0" : channel;
  const count = one ? 1 : n;
  const m = `${table}[${oc}]`;
  const sh = `((const int8_t *)(${table} + ${count}))[${oc}]`;
  return mode.startsWith("fast")
    ? `const int32_t qm = ${m}, qk = ${table}[${count} + ${oc}], qs = ((const int8_t *)(${table} + ${
      2 * count
    }))[${oc}];`
    : `const int32_t qm = ${m}, qs = ${sh};`;
}

/** What {@link layerRequant} gives: the requantization table and the fused activation's clamp. */
export interface LayerRequant {
  readonly rq: ReturnType<typeof requantTable>;
  /** The output range of the layer's fused activation. */
  readonly cl: { min: number; max: number };
  /** How the kernel clamps to it. */
  readonly cm: "sat" | "range";
}

/**
 * The requantization of a layer's output channels (`p`'s multipliers and shifts, `bias` as
 * packed, accumulators of `products` int8 products each) and its fused activation's clamp.
 */
export function layerRequant(
  p: {
    readonly multipliers: ArrayLike<number>;
    readonly shifts: ArrayLike<number>;
    readonly outputOffset: number;
  },
  bias: ArrayLike<number>,
  products: number,
  nonNegativeShifts: boolean,
  layer: Layer,
): LayerRequant {
  const cl = clampOf(layer);
  const rq = requantTable(
    p.multipliers,
    p.shifts,
    bias,
    accSpread(products),
    p.outputOffset,
    nonNegativeShifts,
    cl.min,
  );
  return { rq, cl, cm: clampMode(cl.min, cl.max) };
}
