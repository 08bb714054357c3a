/** Hand-checked receptive fields: strides, dilation, SAME/VALID, PAD, pools, residual branches. */
import assert from "node:assert/strict";
import type { Graph } from "../ir/mod.ts";
import { act, conv, filter, stridedGraph } from "./_test_window_graphs.ts";
import {
  patchGrid,
  PatchPlanError,
  patchStage,
  receptiveField,
  type Region,
} from "./receptive_field.ts";

const box = (top: number, bottom: number, left: number, right: number): Region => ({
  top,
  bottom,
  left,
  right,
});

Deno.test("receptive field: strided SAME conv then depthwise, halos and border padding", () => {
  const g = stridedGraph();
  const stage = patchStage(g, 4);
  assert.deepStrictEqual(stage.nodes, [0, 1]);
  // Top-left patch: the depthwise pads top/left (image border) but needs a halo row/col below.
  const tl = receptiveField(g, stage, box(0, 2, 0, 2));
  assert.deepStrictEqual(tl.regions.get(2), box(0, 3, 0, 3));
  assert.deepStrictEqual(tl.nodes[1]!.padding, { top: 1, bottom: 0, left: 1, right: 0 });
  // SAME 3x3/2 over 8 pads 0 before and 1 after: rows 0..2 of `a` read input rows 0..6.
  assert.deepStrictEqual(tl.regions.get(0), box(0, 7, 0, 7));
  assert.deepStrictEqual(tl.nodes[0]!.padding, { top: 0, bottom: 0, left: 0, right: 0 });
  // Bottom-right patch: padding only at the bottom/right border.
  const br = receptiveField(g, stage, box(2, 4, 2, 4));
  assert.deepStrictEqual(br.regions.get(2), box(1, 4, 1, 4));
  assert.deepStrictEqual(br.nodes[1]!.padding, { top: 0, bottom: 1, left: 0, right: 1 });
  assert.deepStrictEqual(br.regions.get(0), box(2, 8, 2, 8));
  assert.deepStrictEqual(br.nodes[0]!.padding, { top: 0, bottom: 1, left: 0, right: 1 });
});

Deno.test("receptive field: dilated VALID conv, PAD, max pool", () => {
  // x 12x12 -> PAD 1 each side (14x14) -> 3x3 dilation 2 VALID conv (10x10) -> 2x2/2 pool (5x5).
  const pads = new Uint8Array(32);
  const dv = new DataView(pads.buffer);
  [0, 0, 1, 1, 1, 1, 0, 0].forEach((v, i) => dv.setInt32(4 * i, v, true));
  const g: Graph = {
    name: "dilated",
    tensors: [
      act("x", [1, 12, 12, 1]),
      { name: "p", shape: [4, 2], dtype: "int32", data: pads },
      act("xp", [1, 14, 14, 1]),
      filter([1, 3, 3, 1]),
      act("c", [1, 10, 10, 1]),
      act("m", [1, 5, 5, 1]),
    ],
    nodes: [
      { op: "PAD", inputs: [0, 1], outputs: [2], options: {} },
      conv("CONV_2D", 2, 3, 4, "VALID", 1, 2),
      {
        op: "MAX_POOL_2D",
        inputs: [4],
        outputs: [5],
        options: {
          padding: "VALID",
          strideH: 2,
          strideW: 2,
          filterH: 2,
          filterW: 2,
          activation: "NONE",
        },
      },
    ],
    inputs: [0],
    outputs: [5],
  };
  const f = receptiveField(g, patchStage(g, 5), box(0, 1, 2, 5));
  assert.deepStrictEqual(f.regions.get(4), box(0, 2, 4, 10));
  // Dilation 2, kernel 3: output rows 0..1 read rows 0..5 of the padded tensor.
  assert.deepStrictEqual(f.regions.get(2), box(0, 6, 4, 14));
  // PAD: padded rows 0..5 are input rows -1..4 (row -1 is the PAD's own border).
  assert.deepStrictEqual(f.regions.get(0), box(0, 5, 3, 12));
});

Deno.test("receptive field: a residual input is computed over the union of its readers", () => {
  // x 6x6 -> 1x1 conv a -> 3x3 depthwise b (SAME) -> ADD(a, b) = y (split).
  const g: Graph = {
    name: "residual",
    tensors: [
      act("x", [1, 6, 6, 1]),
      filter([1, 1, 1, 1]),
      act("a", [1, 6, 6, 1]),
      filter([1, 3, 3, 1]),
      act("b", [1, 6, 6, 1]),
      act("y", [1, 6, 6, 1]),
    ],
    nodes: [
      conv("CONV_2D", 0, 1, 2, "SAME", 1),
      conv("DEPTHWISE_CONV_2D", 2, 3, 4, "SAME", 1),
      { op: "ADD", inputs: [2, 4], outputs: [5], options: { activation: "NONE" } },
    ],
    inputs: [0],
    outputs: [5],
  };
  const f = receptiveField(g, patchStage(g, 5), box(2, 4, 0, 6));
  assert.deepStrictEqual(f.regions.get(4), box(2, 4, 0, 6));
  assert.deepStrictEqual(f.regions.get(2), box(1, 5, 0, 6));
  assert.deepStrictEqual(f.nodes[2]!.inputs, [box(2, 4, 0, 6), box(2, 4, 0, 6)]);
  // Splitting at the depthwise output leaves `a` read after the stage: refused, with the reason.
  assert.throws(
    () => patchStage(g, 4),
    (e: Error) =>
      e instanceof PatchPlanError &&
      /node 2 \(ADD\) after the stage reads tensor 2/.test(e.message),
  );
});

Deno.test("patch grid: near-equal cuts, clear errors", () => {
  assert.deepStrictEqual(patchGrid(5, 4, 2, 1), [box(0, 2, 0, 4), box(2, 5, 0, 4)]);
  assert.strictEqual(patchGrid(7, 7, 3, 3).length, 9);
  assert.throws(() => patchGrid(2, 2, 3, 1), PatchPlanError);
  assert.throws(() => patchStage(stridedGraph(), 0), /not an activation produced by a node/);
});
