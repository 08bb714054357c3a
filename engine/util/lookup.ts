/**
 * Lookup of a named entry in a registry record (boards, planners, objectives, ...).
 *
 * @module
 */

/**
 * The entry `name` of `table` (own keys only: `constructor` or `toString` are not entries); an
 * unknown name is a RangeError listing the known ones, e.g. "Cannot find board 'x': known boards
 * are a, b".
 *
 * @example
 * ```ts
 * import { lookupNamed } from "./lookup.ts";
 * lookupNamed({ a: 1, b: 2 }, "b", "entry"); // 2
 * ```
 */
export function lookupNamed<T>(table: Readonly<Record<string, T>>, name: string, what: string): T {
  const entry = Object.hasOwn(table, name) ? table[name] : undefined;
  if (entry === undefined) {
    throw new RangeError(
      `Cannot find ${what} '${name}': known ${what}s are ${Object.keys(table).join(", ")}`,
    );
  }
  return entry;
}
