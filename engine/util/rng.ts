/**
 * A small seeded pseudo-random number generator (mulberry32), so that tests, fuzzers and
 * searches are repeatable from one integer seed.
 *
 * @module
 */

/** A seeded source of pseudo-random numbers. */
export interface Rng {
  /** The next number, uniform in [0, 1). */
  next(): number;
  /** The next integer, uniform in [0, n) (n must be a positive integer below 2^32). */
  int(n: number): number;
}

/**
 * Create a mulberry32 generator from a 32-bit seed. The same seed always gives the same sequence;
 * the generator holds its own state, so there is no module-level state.
 *
 * @example
 * ```ts
 * import { createRng } from "./rng.ts";
 * const rng = createRng(42);
 * const roll = rng.int(6); // 0..5
 * const again = createRng(42).int(6);
 * if (roll !== again) throw new Error("not repeatable");
 * ```
 *
 * @param seed Any number; it is reduced to an unsigned 32-bit integer.
 * @returns A generator with `next()` and `int(n)`.
 */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  function next(): number {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  function int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 4294967296) {
      throw new RangeError(
        `Cannot draw an integer below ${n}: the bound must be a positive integer up to 2^32`,
      );
    }
    return Math.floor(next() * n);
  }
  return { next, int };
}
