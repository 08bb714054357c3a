/**
 * The channel-rounding rule of MobileNetV2 / ProxylessNAS / MCUNet.
 *
 * @module
 */

/**
 * Rounds `value` to the nearest multiple of `divisor`, at least `minValue`, and never more than
 * 10% below `value` (TensorFlow's `_make_divisible`).
 *
 * @example
 * ```ts
 * import { makeDivisible } from "./make_divisible.ts";
 * makeDivisible(32 * 0.35); // 16
 * makeDivisible(1280 * 0.35); // 448
 * ```
 */
export function makeDivisible(value: number, divisor = 8, minValue: number = divisor): number {
  let v = Math.max(
    minValue,
    Math.floor(value + divisor / 2) - (Math.floor(value + divisor / 2) % divisor),
  );
  if (v < 0.9 * value) v += divisor;
  return v;
}
