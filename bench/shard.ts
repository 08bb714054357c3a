/**
 * Deterministic sharding: `--shard i/n` keeps every n-th job of the id-sorted job list, starting
 * at the i-th (1-based), so shards are disjoint, cover everything and are balanced in count.
 *
 * @module
 */

/** A shard: 1-based index and count. */
export interface Shard {
  /** 1-based shard index. */
  readonly index: number;
  /** Number of shards. */
  readonly count: number;
}

/**
 * Parse `i/n` (1 <= i <= n).
 *
 * @example
 * ```ts
 * parseShard("2/4"); // { index: 2, count: 4 }
 * ```
 */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || !(count >= 1) || !(index >= 1) || index > count) {
    throw new RangeError(
      `Cannot parse shard '${text}': expected i/n with 1 <= i <= n, e.g. 1/4`,
    );
  }
  return { index, count };
}

/**
 * The jobs of one shard: sort by id, keep positions `p` with `p % count === index - 1`.
 *
 * @example
 * ```ts
 * selectShard([{ id: "b" }, { id: "a" }, { id: "c" }], { index: 1, count: 2 }); // a, c
 * ```
 */
export function selectShard<T extends { readonly id: string }>(
  jobs: readonly T[],
  shard: Shard,
): T[] {
  const sorted = [...jobs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return sorted.filter((_, p) => p % shard.count === shard.index - 1);
}
