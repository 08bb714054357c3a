/**
 * `bench merge DIR...`: join the `results.json` of several shards into one results set. Rows are
 * deduplicated by job id (the same job in two shards must agree) and sorted, so the merge is
 * independent of argument order.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseResults } from "./results.ts";
import { SUITES } from "./suites.ts";
import type { BenchRow, ResultsMeta } from "./types.ts";

/**
 * Merge shard results.
 *
 * @example
 * ```ts ignore
 * const { rows, meta } = mergeResults(["out/shard1", "out/shard2"]);
 * ```
 */
export function mergeResults(dirs: readonly string[]): { rows: BenchRow[]; meta: ResultsMeta } {
  if (dirs.length === 0) throw new RangeError("Cannot merge results: no directories given");
  const rows = new Map<string, BenchRow>();
  const suites = new Set<string>();
  const notes = new Set<string>();
  const versions = new Set<string>();
  for (const dir of dirs) {
    const path = join(dir, "results.json");
    const doc = parseResults(readFileSync(path, "utf8"), path);
    versions.add(doc.meta.codeVersion);
    for (const s of doc.meta.suites) suites.add(s);
    for (const n of doc.meta.notes) notes.add(n);
    for (const row of doc.rows) {
      const prev = rows.get(row.id);
      if (prev && JSON.stringify(prev.report) !== JSON.stringify(row.report)) {
        throw new RangeError(
          `Cannot merge results: job '${row.id}' differs between shards (${path})`,
        );
      }
      if (!prev || (!prev.report && row.report)) rows.set(row.id, row);
    }
  }
  if (versions.size > 1) {
    notes.add(`merged shards measured with ${versions.size} different code versions`);
  }
  return {
    rows: [...rows.values()],
    meta: {
      codeVersion: [...versions].sort().join("+"),
      suites: [
        ...SUITES.filter((s) => suites.has(s)),
        ...[...suites].filter((s) => !SUITES.includes(s)).sort(),
      ],
      notes: [...notes].sort(),
    },
  };
}
