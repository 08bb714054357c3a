import assert from "node:assert/strict";
import { buildModel } from "../builders/mod.ts";
import { tensorBytes } from "../ir/mod.ts";
import {
  computeLifetimes,
  offsetInStorage,
  patchRewrite,
  runPasses,
  storageOf,
} from "../schedule/mod.ts";

const graph = buildModel("mbv2-w0.35-r48");
const split = graph.tensors.findIndex((t) => t.name === "block1/project");

Deno.test("contiguousViews turns row-band crops and joins of a patch stage into views", () => {
  const patched = patchRewrite(graph, { split, rows: 3, cols: 1 });
  const ops = (g: typeof patched) => g.nodes.map((n) => n.op);
  assert.ok(ops(patched).includes("STRIDED_SLICE") && ops(patched).includes("CONCATENATION"));
  const lowered = runPasses(patched);
  const left = lowered.layers.map((l) => l.op);
  assert.ok(!left.includes("STRIDED_SLICE"), "a row-band crop still copies");
  assert.ok(!left.includes("CONCATENATION"), "a row-band join still copies");
  // Each band of the split is a view of the split at its first row's byte offset.
  const [, h, w, c] = graph.tensors[split]!.shape as number[];
  const join = patched.nodes.find((n) => n.op === "CONCATENATION")!;
  let row = 0;
  for (const part of join.inputs) {
    assert.equal(storageOf(lowered, part), split);
    assert.equal(offsetInStorage(lowered, part), row * w! * c!);
    row += patched.tensors[part]!.shape[1]!;
  }
  assert.equal(row, h);
  // The split's buffer holds exactly the split: the bands add no bytes.
  const life = computeLifetimes(lowered);
  const buffer = life.buffers[life.bufferOf[split]!]!;
  assert.equal(buffer.size, Math.ceil(tensorBytes(graph.tensors[split]!) / 8) * 8);
});

Deno.test("contiguousViews leaves column crops of a patch grid as copies", () => {
  const lowered = runPasses(patchRewrite(graph, { split, rows: 2, cols: 2 }));
  const ops = lowered.layers.map((l) => l.op);
  // Column crops and the joins along columns are not contiguous runs: they still copy.
  assert.ok(ops.includes("STRIDED_SLICE"));
  assert.ok(ops.includes("CONCATENATION"));
});
