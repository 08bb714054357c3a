/**
 * Small helpers shared by the bench's command-line entries.
 *
 * @module
 */

/**
 * Split a comma list and check every item against the known names.
 *
 * @example
 * ```ts
 * parseList("tflm,tinyengine", ["tinyengine", "tflm"], "engine"); // ["tflm", "tinyengine"]
 * ```
 */
export function parseList(text: string, known: readonly string[], what: string): string[] {
  const items = text.split(",").map((s) => s.trim()).filter(Boolean);
  for (const i of items) {
    if (!known.includes(i)) {
      throw new RangeError(`Cannot use ${what} '${i}': known ${what}s are ${known.join(", ")}`);
    }
  }
  if (items.length === 0) throw new RangeError(`Cannot use an empty ${what} list`);
  return items;
}
