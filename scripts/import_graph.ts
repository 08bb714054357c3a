/**
 * The pipeline's layering, as data, and a walk of the import graph that lists every import pointing
 * the wrong way. `import_graph_test.ts` fails on any; ARCHITECTURE.md explains the layers.
 *
 * @module
 */
import { dirname, join, normalize, relative } from "node:path";

const BELOW_PIPELINE = [
  "emulator",
  "engine/analysis",
  "engine/build",
  "engine/builders",
  "engine/codegen",
  "engine/ir",
  "engine/ops",
  "engine/quant",
  "engine/reference",
  "engine/schedule",
  "engine/target",
  "engine/tflite",
  "engine/util",
];

/**
 * Each folder (a module) and the folders it may import. Anything not listed may not be imported.
 * The order is the pipeline's: `ir, quant, ops, tflite` <- `reference, schedule` <- `codegen` <-
 * `build` <- `emulator` <- `pipeline` <- `search, bench, cli`.
 */
export const LAYERS: Readonly<Record<string, readonly string[]>> = {
  "engine/util": [],
  "engine/target": ["engine/util"],
  "engine/ir": ["engine/util"],
  "engine/quant": ["engine/ir", "engine/util"],
  // Operator definitions hold their `.tflite` options as pure functions over a small table
  // interface, so the reader and writer dispatch through them (never the reverse).
  "engine/ops": ["engine/ir", "engine/quant", "engine/util"],
  "engine/tflite": ["engine/ir", "engine/ops", "engine/quant", "engine/util"],
  "engine/reference": ["engine/ir", "engine/ops", "engine/quant", "engine/tflite", "engine/util"],
  "engine/schedule": ["engine/ir", "engine/ops", "engine/quant", "engine/util"],
  "engine/builders": ["engine/ir", "engine/ops", "engine/quant", "engine/tflite", "engine/util"],
  "engine/analysis": [
    "engine/builders",
    "engine/ir",
    "engine/ops",
    "engine/quant",
    "engine/schedule",
    "engine/tflite",
    "engine/util",
  ],
  // Backends may run a reference kernel at compile time (lookup tables), never the reverse.
  "engine/codegen": [
    "engine/analysis",
    "engine/ir",
    "engine/ops",
    "engine/quant",
    "engine/reference",
    "engine/schedule",
    "engine/target",
    "engine/tflite",
    "engine/util",
  ],
  "engine/build": ["engine/codegen", "engine/target", "engine/util"],
  // The emulator runs any ELF on a board's memory map: it knows the target, not how firmware is made.
  "emulator": ["engine/target", "engine/util"],
  "pipeline": BELOW_PIPELINE,
  "search": [...BELOW_PIPELINE, "pipeline"],
  "train": [...BELOW_PIPELINE, "pipeline", "search"],
  // The accuracy suite runs the training experiment (train/accuracy_table.ts).
  "bench": [...BELOW_PIPELINE, "pipeline", "search", "train"],
  "cli": [...BELOW_PIPELINE, "pipeline", "search", "train"],
};

/**
 * Every layer from the bottom up. A test (`*_test.ts`, `*_bench.ts`, `_test*.ts`, `_*fixture.ts`)
 * may also import any layer below its own in this order: it builds inputs with the builders, or
 * firmware with gcc, without making its folder depend on them.
 */
export const ORDER: readonly string[] = [
  "engine/util",
  "engine/target",
  "engine/ir",
  "engine/quant",
  "engine/ops",
  "engine/tflite",
  "engine/reference",
  "engine/schedule",
  "engine/builders",
  "engine/analysis",
  "engine/codegen",
  "engine/build",
  "emulator",
  "pipeline",
  "search",
  "train",
  "bench",
  "cli",
];

/** True for tests, benchmarks and their private fixtures. */
export function isTestFile(path: string): boolean {
  const name = path.split("/").pop() ?? path;
  return /_(test|bench|e2e)\.ts$/.test(name) || /^_test/.test(name) ||
    /^_.*fixture.*\.ts$/.test(name);
}

/** A test importing another folder's private test helper (`_test_graphs.ts`), not its API. */
function isPrivateTestHelper(from: string, to: string): boolean {
  const name = to.split("/").pop() ?? to;
  return isTestFile(from) && name.startsWith("_");
}

/** One import that breaks {@link LAYERS}. */
export interface BackEdge {
  /** Importing file, relative to the repository root. */
  readonly from: string;
  /** Imported file, relative to the repository root. */
  readonly to: string;
  /** `layer`: the layers do not allow it; `entry`: it bypasses the imported folder's `mod.ts`. */
  readonly kind: "layer" | "entry";
  /** Why it is not allowed. */
  readonly reason: string;
}

/** The layer (module folder) a repository-relative path belongs to, or undefined when unlisted. */
export function layerOf(path: string): string | undefined {
  let best: string | undefined;
  for (const layer of Object.keys(LAYERS)) {
    if (path === layer || path.startsWith(`${layer}/`)) {
      if (!best || layer.length > best.length) best = layer;
    }
  }
  return best;
}

const IMPORT_RE =
  /^\s*(?:import|export)\b[^"']*?["'](\.{1,2}\/[^"']+)["']|\bimport\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/;

/** Relative import specifiers of a source text (comments and doc examples skipped). */
export function importSpecifiers(source: string): string[] {
  const out: string[] = [];
  let inBlockComment = false;
  let pending = "";
  for (const raw of source.split("\n")) {
    const line = raw.trim();
    if (inBlockComment) {
      if (line.includes("*/")) inBlockComment = false;
      continue;
    }
    if (line.startsWith("/*")) {
      if (!line.includes("*/")) inBlockComment = true;
      continue;
    }
    if (line.startsWith("//")) continue;
    // Multi-line `import {\n a,\n b,\n} from "x";`: join until the specifier appears.
    const text = pending ? `${pending} ${line}` : line;
    const opens = /^(?:import|export)\b/.test(text) && !/["']/.test(text);
    if (opens) {
      pending = text;
      continue;
    }
    pending = "";
    const m = IMPORT_RE.exec(text);
    const spec = m?.[1] ?? m?.[2];
    if (spec) out.push(spec);
  }
  return out;
}

/**
 * Every import between two listed folders that {@link LAYERS} does not allow, and every import
 * into another folder that does not go through that folder's `mod.ts` (a test may import another
 * folder's private `_`-prefixed test helpers directly).
 * `files` maps repository-relative paths to their source text.
 */
export function findBackEdges(files: ReadonlyMap<string, string>): BackEdge[] {
  const edges: BackEdge[] = [];
  for (const [from, source] of files) {
    const fromLayer = layerOf(from);
    if (!fromLayer) continue;
    for (const spec of importSpecifiers(source)) {
      const to = normalize(join(dirname(from), spec));
      const toLayer = layerOf(to);
      if (!toLayer || toLayer === fromLayer) continue;
      const allowed = LAYERS[fromLayer]!.includes(toLayer) ||
        (isTestFile(from) && ORDER.indexOf(toLayer) < ORDER.indexOf(fromLayer));
      if (!allowed) {
        edges.push({ from, to, kind: "layer", reason: `${fromLayer} may not import ${toLayer}` });
      } else if (to !== `${toLayer}/mod.ts` && !isPrivateTestHelper(from, to)) {
        edges.push({
          from,
          to,
          kind: "entry",
          reason: `import ${toLayer} through ${toLayer}/mod.ts`,
        });
      }
    }
  }
  return edges;
}

/** Read every `.ts` file under `root` (skipping node_modules, caches and dot folders). */
export function readSources(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of Deno.readDirSync(dir)) {
      if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
      const abs = join(dir, entry.name);
      if (entry.isDirectory) walk(abs);
      else if (entry.name.endsWith(".ts")) {
        files.set(relative(root, abs), Deno.readTextFileSync(abs));
      }
    }
  };
  walk(root);
  return files;
}

if (import.meta.main) {
  const root = join(dirname(new URL(import.meta.url).pathname), "..");
  for (const e of findBackEdges(readSources(root))) {
    Deno.stdout.writeSync(new TextEncoder().encode(`${e.from} -> ${e.to}: ${e.reason}\n`));
  }
}
