/**
 * Assertions for the search tests (node:assert/strict with std-like names).
 *
 * @module
 */
import assertModule from "node:assert/strict";

/** Assert a condition. */
export function assert(cond: unknown, message?: string): asserts cond {
  assertModule.ok(cond, message);
}

/** Assert deep strict equality. */
export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  assertModule.deepStrictEqual(actual, expected, message);
}

/** Alias of {@link assertEquals}. */
export const deepStrictEqual: <T>(actual: T, expected: T, message?: string) => void = assertEquals;
