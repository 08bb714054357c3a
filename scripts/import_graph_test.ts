import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { findBackEdges, importSpecifiers, LAYERS, ORDER, readSources } from "./import_graph.ts";

const root = join(dirname(new URL(import.meta.url).pathname), "..");

Deno.test("no import in the repository points back up the pipeline", () => {
  const edges = findBackEdges(readSources(root)).filter((e) => e.kind === "layer");
  assert.deepEqual(edges.map((e) => `${e.from} -> ${e.to}: ${e.reason}`), []);
});

Deno.test("every import into another folder goes through its mod.ts", () => {
  const edges = findBackEdges(readSources(root)).filter((e) => e.kind === "entry");
  assert.deepEqual(edges.map((e) => `${e.from} -> ${e.to}: ${e.reason}`), []);
});

Deno.test("an import past another folder's mod.ts is reported, a test helper is not", () => {
  const files = new Map([
    ["engine/codegen/a.ts", 'import { g } from "../ir/graph.ts";\n'],
    ["engine/codegen/b.ts", 'import { g } from "../ir/mod.ts";\n'],
    ["engine/codegen/c_test.ts", 'import { g } from "../ir/_test_graphs.ts";\n'],
    ["engine/codegen/d.ts", 'import { g } from "../ir/_test_graphs.ts";\n'],
  ]);
  const edges = findBackEdges(files).filter((e) => e.kind === "entry");
  assert.deepEqual(edges.map((e) => e.from), ["engine/codegen/a.ts", "engine/codegen/d.ts"]);
});

Deno.test("a planted back edge is reported: the emulator importing the build", () => {
  const files = new Map([
    ["emulator/run.ts", 'import { x } from "../engine/target/mod.ts";\n'],
    ["emulator/bad.ts", 'import {\n  buildFirmware,\n} from "../engine/build/mod.ts";\n'],
    ["engine/codegen/x.ts", 'const m = await import("../../pipeline/mod.ts");\n'],
  ]);
  const edges = findBackEdges(files).filter((e) => e.kind === "layer");
  assert.deepEqual(edges.map((e) => e.from), ["emulator/bad.ts", "engine/codegen/x.ts"]);
});

Deno.test("tests may import lower layers, sources only the ones listed", () => {
  const files = new Map([
    ["engine/codegen/plan_test.ts", 'import { b } from "../builders/mod.ts";\n'],
    ["engine/codegen/plan.ts", 'import { b } from "../builders/mod.ts";\n'],
    ["engine/ops/cost_test.ts", 'import { b } from "../builders/mod.ts";\n'],
  ]);
  const edges = findBackEdges(files).filter((e) => e.kind === "layer");
  assert.deepEqual(edges.map((e) => e.from), ["engine/codegen/plan.ts", "engine/ops/cost_test.ts"]);
});

Deno.test("imports in comments and doc examples are not edges", () => {
  const src = [
    "/**",
    ' * import { getBoard } from "../engine/boards.ts";',
    " */",
    '// import { y } from "./y.ts";',
    'import type { A } from "./a.ts";',
    'export * from "./b.ts";',
    "import {",
    "  c,",
    '} from "./c.ts";',
  ].join("\n");
  assert.deepEqual(importSpecifiers(src), ["./a.ts", "./b.ts", "./c.ts"]);
});

Deno.test("every layer is placed in the bottom-up order", () => {
  assert.deepEqual(Object.keys(LAYERS).filter((l) => !ORDER.includes(l)), []);
  for (const [layer, deps] of Object.entries(LAYERS)) {
    for (const dep of deps) {
      assert.deepEqual(ORDER.indexOf(dep) < ORDER.indexOf(layer), true, `${layer} -> ${dep}`);
    }
  }
});
