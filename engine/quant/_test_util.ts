/**
 * Test helpers: an independent BigInt model of TFLite's requantization (written from the
 * definitions, not from quant.ts).
 *
 * @module
 */

/** Independent model of SRDHM: round-half-up of `a * b / 2^31`, saturating the one overflow. */
export function srdhmRef(a: number, b: number): bigint {
  if (a === -2147483648 && b === -2147483648) return 2147483647n;
  const p = BigInt(a) * BigInt(b);
  const nudge = p >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return (p + nudge) / (1n << 31n); // BigInt division truncates toward zero, like C
}

/** Independent model of a rounding right shift: nearest, ties away from zero. */
export function shiftRef(x: bigint, right: number): bigint {
  if (right === 0) return x;
  const d = 1n << BigInt(right);
  const q = x / d;
  const r = x - q * d; // same sign as x
  const twice = 2n * (r < 0n ? -r : r);
  if (twice > d || twice === d) return x < 0n ? q - 1n : q + 1n;
  return q;
}

/** Independent model of MultiplyByQuantizedMultiplier with int32 wrap of the left shift. */
export function mbqmRef(x: number, multiplier: number, shift: number): number {
  const left = Math.max(shift, 0);
  const right = Math.max(-shift, 0);
  const shifted = Number(BigInt.asIntN(32, BigInt(x) << BigInt(left)));
  return Number(shiftRef(srdhmRef(shifted, multiplier), right));
}
