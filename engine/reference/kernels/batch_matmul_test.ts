import assert from "node:assert/strict";
import { mbqmRef, oneNode, runInt8, tensor } from "../_test_util.ts";
import { quantizeMultiplier } from "../../quant/mod.ts";
import { createRng } from "../../util/mod.ts";

/** A dense [..., r, c] array transposed in its last two dimensions. */
function transposeLast(x: Int8Array, shape: number[]): Int8Array {
  const r = shape.at(-2)!;
  const c = shape.at(-1)!;
  const out = new Int8Array(x.length);
  for (let m = 0; m < x.length / (r * c); m++) {
    for (let i = 0; i < r; i++) {
      for (let j = 0; j < c; j++) out[m * r * c + j * r + i] = x[m * r * c + i * c + j]!;
    }
  }
  return out;
}

/**
 * The product written from the definition: operands transposed into [batch, rows, depth] and
 * [batch, depth, cols], batch index of each operand by broadcasting (rank 3 here), BigInt
 * requantization.
 */
function expected(
  a: Int8Array,
  aShape: number[],
  b: Int8Array,
  bShape: number[],
  o: { adjX: boolean; adjY: boolean; za: number; zb: number; zo: number; m: number; s: number },
): number[] {
  const A = o.adjX ? transposeLast(a, aShape) : a;
  const B = o.adjY ? transposeLast(b, bShape) : b;
  const [ab, ar, ak] = o.adjX
    ? [aShape[0]!, aShape[2]!, aShape[1]!]
    : aShape as [number, number, number];
  const [bb, , bc] = o.adjY
    ? [bShape[0]!, bShape[2]!, bShape[1]!]
    : bShape as [number, number, number];
  const out: number[] = [];
  for (let n = 0; n < Math.max(ab, bb); n++) {
    const an = ab === 1 ? 0 : n;
    const bn = bb === 1 ? 0 : n;
    for (let i = 0; i < ar; i++) {
      for (let j = 0; j < bc; j++) {
        let t = 0;
        for (let k = 0; k < ak; k++) {
          t += (A[an * ar * ak + i * ak + k]! - o.za) * (B[bn * ak * bc + k * bc + j]! - o.zb);
        }
        out.push(Math.max(-128, Math.min(127, mbqmRef(t, o.m, o.s) + o.zo)));
      }
    }
  }
  return out;
}

Deno.test("batchMatMul() equals the product from the definition with adj_x, adj_y and broadcast batches", () => {
  const rng = createRng(21);
  for (let trial = 0; trial < 24; trial++) {
    const adjX = (trial & 1) === 1;
    const adjY = (trial & 2) === 2;
    const [rows, depth, cols] = [1 + rng.int(5), 1 + rng.int(9), 1 + rng.int(6)];
    const batch = 1 + rng.int(3);
    const [ba, bb] = trial % 3 === 0 ? [batch, 1] : trial % 3 === 1 ? [1, batch] : [batch, batch];
    const aShape = adjX ? [ba, depth, rows] : [ba, rows, depth];
    const bShape = adjY ? [bb, cols, depth] : [bb, depth, cols];
    const [sa, sb] = [0.02 + rng.next() * 0.05, 0.01 + rng.next() * 0.05];
    const so = sa * sb * 40 * Math.sqrt(depth);
    const [za, zb, zo] = [rng.int(41) - 20, rng.int(21) - 10, rng.int(21) - 10];
    const a = Int8Array.from({ length: aShape.reduce((x, y) => x * y) }, () => rng.int(256) - 128);
    const b = Int8Array.from({ length: bShape.reduce((x, y) => x * y) }, () => rng.int(256) - 128);
    const constantRhs = trial % 4 === 3;
    const g = oneNode([
      tensor("a", aShape, "int8", [sa, za]),
      tensor("b", bShape, "int8", [sb, zb], constantRhs ? b : undefined),
      tensor("o", [Math.max(ba, bb), rows, cols], "int8", [so, zo]),
    ], { op: "BATCH_MATMUL", inputs: [0, 1], outputs: [2], options: { adjX, adjY } });
    const got = constantRhs ? runInt8(g, a) : runInt8(g, a, b);
    const q = quantizeMultiplier(Math.fround(Math.fround(sa) * Math.fround(sb)) / Math.fround(so));
    const want = expected(a, aShape, b, bShape, {
      adjX,
      adjY,
      za,
      zb,
      zo,
      m: q.multiplier,
      s: q.shift,
    });
    assert.deepEqual(got, want, `trial ${trial}`);
  }
});

Deno.test("batchMatMul() is within one step of the float product", () => {
  const [sa, sb, so] = [0.05, 0.04, 0.1];
  const a = Int8Array.from([10, -20, 30, 40, 50, -60]); // [1, 2, 3]
  const b = Int8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]); // [3, 4]
  const g = oneNode([
    tensor("a", [1, 2, 3], "int8", [sa, 2]),
    tensor("b", [3, 4], "int8", [sb, -1]),
    tensor("o", [1, 2, 4], "int8", [so, 3]),
  ], { op: "BATCH_MATMUL", inputs: [0, 1], outputs: [2], options: { adjX: false, adjY: false } });
  const got = runInt8(g, a, b);
  for (let i = 0; i < 2; i++) {
    for (let j = 0; j < 4; j++) {
      let real = 0;
      for (let k = 0; k < 3; k++) real += sa * (a[i * 3 + k]! - 2) * sb * (b[k * 4 + j]! + 1);
      const want = Math.round(real / so) + 3;
      assert.ok(
        Math.abs(got[i * 4 + j]! - want) <= 1,
        `[${i}, ${j}]: ${got[i * 4 + j]} vs ${want}`,
      );
    }
  }
});
