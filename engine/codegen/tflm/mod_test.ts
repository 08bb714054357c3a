import assert from "node:assert/strict";
import { convOptions, UnsupportedOpError } from "../../ir/mod.ts";
import { buildModel } from "../../builders/mod.ts";
import { compileTflm, RUNTIME_FILES, tflmBackend } from "./mod.ts";
import { CaseGraph } from "./_test_graph.ts";

Deno.test("compileTflm is pure: the same graph gives byte-identical sources", () => {
  const g = buildModel("mbv1-w0.25-r32-c4");
  const a = compileTflm(g);
  const b = tflmBackend.compile(g, {
    board: {
      name: "x",
      description: "",
      core: "cortex-m4",
      clockHz: 1,
      flash: { base: 0, size: 1 },
      sram: { base: 0, size: 1 },
    },
  });
  assert.deepEqual(a.sources, b.sources);
  assert.equal(a.plan.arenaBytes, a.plan.headBytes + a.plan.tailBytes);
  assert.equal(a.layers.length, g.nodes.length);
});

Deno.test("compileTflm links only the kernels the model uses and the fixed runtime files", () => {
  const g = buildModel("mbv1-w0.25-r32-c4");
  const c = compileTflm(g);
  const ops = [...new Set(g.nodes.map((n) => n.op))];
  for (const op of ops) assert.ok(c.sources.defines?.includes(`TFLM_USE_${op}`));
  assert.ok(!c.sources.defines?.includes("TFLM_USE_HARD_SWISH"));
  for (const f of RUNTIME_FILES) assert.equal(typeof c.sources.files[f], "string");
  assert.ok(c.sources.files["model.bin"] instanceof Uint8Array);
  assert.match(String(c.sources.files["model.S"]), /\.incbin "model\.bin"/);
});

Deno.test("compileTflm rejects an op its kernels cannot run, naming it", () => {
  const g = new CaseGraph();
  const x = g.input([1, 4, 4, 2], undefined, "float32");
  const w = g.tensor({
    name: "w",
    shape: [2, 1, 1, 2],
    dtype: "float32",
    data: new Uint8Array(16),
  });
  g.op(
    "float conv",
    {
      op: "CONV_2D",
      options: convOptions({ padding: "VALID" }),
    },
    [x, w, -1],
    undefined,
    "float32",
  );
  assert.throws(() => compileTflm(g.graph()), (e: unknown) => {
    assert.ok(e instanceof UnsupportedOpError);
    assert.equal(e.opName, "CONV_2D");
    assert.equal(e.opIndex, 0);
    return true;
  });
});
