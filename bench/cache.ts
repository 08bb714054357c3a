/**
 * Content-hash cache of measurements: `.cache/bench/<hash>.json`, keyed by the model's content
 * hash, engine, board and a hash of the measuring code (engine/, emulator/, firmware fixtures,
 * boards, and the bench's own measuring step). A measurement is a pure function of these, so a
 * hit can be reused as is. Failed jobs are never cached.
 *
 * @module
 */
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join, relative } from "node:path";
import type { BenchRow, ModelSource } from "./types.ts";

/** Bumped when the cached record's shape changes. */
export const CACHE_FORMAT = "bench-cache/1";

/** Paths (relative to the repository root) whose contents decide every measurement. */
export const CODE_VERSION_PATHS: readonly string[] = [
  "engine",
  "pipeline",
  "emulator",
  "fixtures/firmware",
  "fixtures/boards.json",
  "bench/measure.ts",
  "bench/memory_profile.ts",
  "bench/engine_api.ts",
  "bench/real_models.ts",
  "bench/_worker.ts",
];

/** Hex SHA-256 of bytes or text. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

function isSourceFile(path: string): boolean {
  const name = path.split("/").pop() ?? path;
  if (/_(test|bench|e2e)\.ts$/.test(name) || name.startsWith("_test_")) return false;
  if (/\.(so|o|a|dylib|tmp|md|snap)$/.test(name)) return false;
  return true;
}

function listFiles(root: string, rel: string, out: string[]): void {
  const abs = join(root, rel);
  if (!existsSync(abs)) return;
  if (statSync(abs).isDirectory()) {
    for (const name of readdirSync(abs).sort()) {
      if (name.startsWith(".") || ["node_modules", "testdata", "__snapshots__"].includes(name)) {
        continue;
      }
      listFiles(root, join(rel, name), out);
    }
  } else if (isSourceFile(rel)) {
    out.push(rel);
  }
}

/**
 * Hash of the measuring code: every source file under {@link CODE_VERSION_PATHS} (tests and
 * build products excluded), by sorted relative path and contents, plus `extra` (e.g. the
 * toolchain version).
 *
 * @example
 * ```ts ignore
 * const v = codeVersion("/work/main", { extra: "arm-none-eabi-gcc 12.2" }); // 64 hex digits
 * ```
 */
export function codeVersion(
  root: string,
  options: { readonly paths?: readonly string[]; readonly extra?: string } = {},
): string {
  const files: string[] = [];
  for (const p of options.paths ?? CODE_VERSION_PATHS) listFiles(root, p, files);
  const h = createHash("sha256");
  h.update(`${CACHE_FORMAT}\n${options.extra ?? ""}\n`);
  for (const f of [...new Set(files)].sort()) {
    const bytes = readFileSync(join(root, f));
    h.update(`${relative(root, join(root, f))}\0${bytes.length}\0`);
    h.update(bytes);
  }
  return h.digest("hex");
}

/**
 * Content hash of a model: the configuration file's bytes, the builder spec, or the `.tflite`
 * bytes. Two sources with the same content share cache entries.
 */
export function modelHash(source: ModelSource): string {
  switch (source.kind) {
    case "config":
      return sha256Hex(
        new Uint8Array([
          ...new TextEncoder().encode(`config\0${source.name}\0`),
          ...readFileSync(source.path),
        ]),
      );
    case "builder":
      return sha256Hex(`builder\0${source.spec}`);
    case "generated":
      // Built by code under CODE_VERSION_PATHS (bench/real_models.ts, engine/): the name is enough.
      return sha256Hex(`generated\0${source.name}`);
    case "tflite":
      return source.io === "int8"
        ? sha256Hex(`int8-io\0${sha256Hex(readFileSync(source.path))}`)
        : sha256Hex(readFileSync(source.path));
  }
}

/** The cache key of one measurement. */
export function cacheKey(parts: {
  readonly modelHash: string;
  readonly engine: string;
  readonly board: string;
  readonly codeVersion: string;
}): string {
  return sha256Hex(
    JSON.stringify([CACHE_FORMAT, parts.modelHash, parts.engine, parts.board, parts.codeVersion]),
  );
}

/** The part of a row that the cache keeps (the job-independent measurement). */
export type CachedMeasurement = Pick<
  BenchRow,
  "report" | "livenessLowerBoundBytes" | "memoryProfile" | "livenessProfile" | "floatBoundary"
>;

/** A directory of cached measurements. */
export class BenchCache {
  readonly #dir: string;

  /** @param dir e.g. `<repo>/.cache/bench` (created on first write). */
  constructor(dir: string) {
    this.#dir = dir;
  }

  /** The cached measurement for `key`, or undefined (also for an unreadable entry). */
  get(key: string): CachedMeasurement | undefined {
    const path = join(this.#dir, `${key}.json`);
    if (!existsSync(path)) return undefined;
    try {
      const doc = JSON.parse(readFileSync(path, "utf8")) as {
        format?: string;
        value?: CachedMeasurement;
      };
      return doc.format === CACHE_FORMAT && doc.value?.report !== undefined ? doc.value : undefined;
    } catch {
      return undefined;
    }
  }

  /** Store a successful measurement (atomically: write then rename). */
  set(key: string, value: CachedMeasurement): void {
    if (value.report === undefined) return;
    mkdirSync(this.#dir, { recursive: true });
    const path = join(this.#dir, `${key}.json`);
    const tmp = `${path}.${Deno.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ format: CACHE_FORMAT, value }));
    renameSync(tmp, path);
  }
}
