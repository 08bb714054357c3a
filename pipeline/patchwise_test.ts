/**
 * Patch-wise evaluation against the layer-wise reference on random graphs (chains of every
 * spatial operator, MBConv and ResNet networks with residual ADDs), random split points and
 * random patch grids: the outputs, and every patch's computed regions, equal the layer-wise
 * values bit for bit; the patches' regions cover what the whole split tensor needs; and the
 * layer-wise computation reads nothing outside the analysed input region.
 */
import assert from "node:assert/strict";
import type { Graph } from "../engine/ir/mod.ts";
import { tensorBytes } from "../engine/ir/mod.ts";
import {
  fullRegion,
  PatchPlanError,
  patchStage,
  receptiveField,
  type Region,
  unionRegion,
} from "../engine/ops/mod.ts";
import { interpret } from "../engine/reference/mod.ts";
import { interpretPatchwise } from "../engine/reference/mod.ts";
import { createRng, type Rng } from "../engine/util/mod.ts";
import { patchRewrite } from "../engine/schedule/mod.ts";
import { validateGraph } from "../engine/ops/mod.ts";
import { fuzzGraph } from "./fuzz_cases.ts";
import { randomChainGraph } from "./random_graph.ts";

const SPATIAL_OPS = [
  "conv",
  "pointwise",
  "depthwise",
  "add",
  "mul",
  "sub",
  "avgpool",
  "maxpool",
  "logistic",
  "hardswish",
  "pad",
  "padconv",
  "concat",
  "requantize",
  "relu",
  "leakyrelu",
  "tanh",
  "maxmin",
] as const;

/** Split tensors of `graph` that can run patch by patch. */
function validSplits(graph: Graph): number[] {
  const out: number[] = [];
  for (const node of graph.nodes) {
    for (const t of node.outputs) {
      try {
        receptiveField(graph, patchStage(graph, t), fullRegion(graph, t));
        out.push(t);
      } catch (e) {
        if (!(e instanceof PatchPlanError)) throw e;
      }
    }
  }
  return out;
}

function randomInput(graph: Graph, rng: Rng): Uint8Array {
  const bytes = new Uint8Array(tensorBytes(graph.tensors[graph.inputs[0]!]!));
  for (let i = 0; i < bytes.length; i++) bytes[i] = rng.int(256);
  return bytes;
}

/** The bytes of `r` of the whole NHWC tensor `t` (every batch and channel). */
function cropWhole(graph: Graph, t: number, whole: Uint8Array, r: Region): Uint8Array {
  const [n, h, w, c] = graph.tensors[t]!.shape as number[];
  const pixel = c! * (whole.length / (n! * h! * w! * c!));
  const parts: number[] = [];
  for (let b = 0; b < n!; b++) {
    for (let y = r.top; y < r.bottom; y++) {
      const s = ((b * h! + y) * w! + r.left) * pixel;
      parts.push(...whole.subarray(s, s + (r.right - r.left) * pixel));
    }
  }
  return new Uint8Array(parts);
}

let rewritten = 0;

/** One case: returns how many patches were compared. */
function checkCase(graph: Graph, rng: Rng): number {
  const splits = validSplits(graph);
  if (splits.length === 0) return 0;
  const split = splits[rng.int(splits.length)]!;
  const [, h, w] = graph.tensors[split]!.shape as number[];
  const rows = 1 + rng.int(Math.min(h!, 5));
  const cols = 1 + rng.int(Math.min(w!, 5));
  const input = randomInput(graph, rng);
  const layerwise = interpret(graph, [input], { captureAll: true });
  const union = new Map<number, Region>();
  let patches = 0;
  const patchwise = interpretPatchwise(graph, [input], {
    split,
    rows,
    cols,
    onPatch: (field, values) => {
      patches++;
      for (const [t, bytes] of values) {
        const r = field.regions.get(t)!;
        union.set(t, unionRegion(union.get(t), r));
        const expected = cropWhole(graph, t, layerwise.tensors!.get(t)!, r);
        assert.deepStrictEqual(
          bytes,
          expected,
          `${graph.name} split ${split} ${rows}x${cols} tensor ${t}`,
        );
      }
    },
  });
  assert.deepStrictEqual(
    patchwise.outputs,
    layerwise.outputs,
    `${graph.name} split ${split} ${rows}x${cols}`,
  );
  // The same plan unrolled as a graph (crops, explicit border PADs, joins) is valid and equal too.
  try {
    const unrolled = patchRewrite(graph, { split, rows, cols });
    validateGraph(unrolled);
    assert.deepStrictEqual(interpret(unrolled, [input]).outputs, layerwise.outputs, unrolled.name);
    rewritten++;
  } catch (e) {
    if (!(e instanceof PatchPlanError)) throw e;
  }
  // The patches together compute what the whole split tensor needs, and the split itself.
  const whole = receptiveField(graph, patchStage(graph, split), fullRegion(graph, split));
  for (const [t, r] of union) {
    assert.deepStrictEqual(r, whole.regions.get(t), `union of tensor ${t}`);
  }
  assert.deepStrictEqual(union.get(split), fullRegion(graph, split));
  // Nothing outside the analysed input region is read: scrambling it leaves the split unchanged.
  const x = graph.inputs[0]!;
  const used = whole.regions.get(x);
  if (used) {
    const scrambled = input.slice();
    const [, ih, iw, ic] = graph.tensors[x]!.shape as number[];
    for (let y = 0; y < ih!; y++) {
      for (let xx = 0; xx < iw!; xx++) {
        if (y >= used.top && y < used.bottom && xx >= used.left && xx < used.right) continue;
        for (let c = 0; c < ic!; c++) scrambled[(y * iw! + xx) * ic! + c] = rng.int(256);
      }
    }
    const again = interpret(graph, [scrambled], { captureAll: true });
    assert.deepStrictEqual(again.tensors!.get(split), layerwise.tensors!.get(split));
  }
  return patches;
}

Deno.test("patch-wise evaluation equals layer-wise on random chains, splits and grids", () => {
  let compared = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const graph = randomChainGraph(9000 + seed, { layers: 6, ops: SPATIAL_OPS });
    compared += checkCase(graph, createRng(seed));
  }
  if (compared < 100) throw new Error(`only ${compared} patches compared`);
});

Deno.test("patch-wise evaluation equals layer-wise on MBConv and ResNet networks", () => {
  let compared = 0;
  for (let i = 0; i < 8; i++) compared += checkCase(fuzzGraph(77, i), createRng(100 + i));
  if (compared < 20) throw new Error(`only ${compared} patches compared`);
  if (rewritten < 20) throw new Error(`only ${rewritten} unrolled graphs compared`);
});
