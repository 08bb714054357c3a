import assert from "node:assert/strict";
import { handBuiltGraphs } from "../../ir/_test_graphs.ts";
import type { Graph } from "../../ir/mod.ts";
import { interpret } from "../interpret.ts";
import { UnsupportedKernelError } from "../errors.ts";

function graph(name: string): Graph {
  return handBuiltGraphs().find((g) => g.name === name)!;
}

/** 0, 1, 2, ... as int8 bytes. */
function iota(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => i);
}

Deno.test("split() and splitV() cut the input along the axis (a -1 size takes the rest)", () => {
  // [1, 2, 6] split in two along the last axis: rows [0..5] and [6..11].
  const s = interpret(graph("split"), [iota(12)]).outputs.map((b) => [...b]);
  assert.deepEqual(s, [[0, 1, 2, 6, 7, 8], [3, 4, 5, 9, 10, 11]]);
  // [1, 5, 2] cut into 1, 2 and 2 rows along axis 1.
  const v = interpret(graph("split_v"), [iota(10)]).outputs.map((b) => [...b]);
  assert.deepEqual(v, [[0, 1], [2, 3, 4, 5], [6, 7, 8, 9]]);
});

Deno.test("pack() stacks along a new axis and unpack() undoes it (negative axis)", () => {
  const p = interpret(graph("pack"), [iota(6), Uint8Array.from(iota(6), (x) => x + 10)]).outputs;
  // out[i][k][j] = input k [i][j].
  assert.deepEqual([...p[0]!], [0, 1, 2, 10, 11, 12, 3, 4, 5, 13, 14, 15]);
  const u = interpret(graph("unpack"), [iota(24)]).outputs.map((b) => [...b]);
  // in [2, 3, 4] along axis -2 (1): output k = in[:, k, :].
  assert.deepEqual(u, [[0, 1, 2, 3, 12, 13, 14, 15], [4, 5, 6, 7, 16, 17, 18, 19], [
    8,
    9,
    10,
    11,
    20,
    21,
    22,
    23,
  ]]);
});

Deno.test("the copies refuse pieces quantized differently from the whole", () => {
  const g = graph("pack");
  const t = g.tensors.map((x, i) =>
    i === 1 ? { ...x, quant: { scale: [0.5], zeroPoint: [0], axis: 0 } } : x
  );
  assert.throws(() => interpret({ ...g, tensors: t }, [iota(6), iota(6)]), UnsupportedKernelError);
});
