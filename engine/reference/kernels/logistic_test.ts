import assert from "node:assert/strict";
import { oneNode, runInt8, tensor } from "../_test_util.ts";

const graph = oneNode([
  tensor("x", [9], "int8", [1 / 16, 0]),
  tensor("y", [9], "int8", [1 / 256, -128]),
], { op: "LOGISTIC", inputs: [0], outputs: [1], options: {} });

Deno.test("logistic() maps zero to exactly one half", () => {
  assert.deepEqual(runInt8(graph, new Int8Array(9)), new Array(9).fill(0));
});

Deno.test("logistic() is within one step of the float sigmoid and saturates at the ends", () => {
  const x = [-128, -64, -16, -1, 0, 1, 16, 64, 127];
  const y = runInt8(graph, new Int8Array(x));
  const want = x.map((q) =>
    Math.max(-128, Math.min(127, Math.round(256 / (1 + Math.exp(-q / 16))) - 128))
  );
  // By hand: sigmoid(1) = 0.7311 -> 187.2 -> 59; sigmoid(-8) = 0.000335 -> -128.
  assert.equal(want[6], 59);
  assert.equal(want[0], -128);
  y.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) <= 1, `x=${x[i]}: ${v} vs ${want[i]}`));
  assert.equal(y[0], -128);
  assert.equal(y[8], 127);
});

Deno.test("logistic() honours the input zero point and saturates beyond the input radius", () => {
  const g = oneNode([
    tensor("x", [3], "int8", [0.5, 10]),
    tensor("y", [3], "int8", [1 / 256, -128]),
  ], { op: "LOGISTIC", inputs: [0], outputs: [1], options: {} });
  // (10 - 10) -> 0.5; (127 - 10) * 0.5 = 58.5 -> beyond radius 16 -> 127; -128 -> -128.
  assert.deepEqual(runInt8(g, new Int8Array([10, 127, -128])), [0, 127, -128]);
});
