import assert from "node:assert/strict";
import { oneNode, runInt8, tensor } from "../_test_util.ts";
import { UnsupportedKernelError } from "../errors.ts";

function softmaxGraph(
  shape: number[],
  inScale: number,
  beta = 1,
  outQ: [number, number] = [1 / 256, -128],
) {
  return oneNode([
    tensor("x", shape, "int8", [inScale, 0]),
    tensor("y", shape, "int8", outQ),
  ], { op: "SOFTMAX", inputs: [0], outputs: [1], options: { beta } });
}

function floatSoftmax(x: number[], scale: number, beta: number): number[] {
  const m = Math.max(...x);
  const e = x.map((v) => Math.exp(beta * scale * (v - m)));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => Math.max(-128, Math.min(127, Math.round((v / s) * 256) - 128)));
}

Deno.test("softmax() gives exactly 1/n for equal inputs", () => {
  // exp(0) = 1 each; the reciprocal path yields exactly 128 and 64 before the -128 offset.
  assert.deepEqual(runInt8(softmaxGraph([1, 2], 0.5), new Int8Array([7, 7])), [0, 0]);
  assert.deepEqual(runInt8(softmaxGraph([1, 4], 0.5), new Int8Array([-3, -3, -3, -3])), [
    -64,
    -64,
    -64,
    -64,
  ]);
});

Deno.test("softmax() is within one step of the float softmax, row by row", () => {
  const x = [0, 2, 4, -20, 10, 10, 9, -128];
  const y = runInt8(softmaxGraph([2, 4], 0.5), new Int8Array(x));
  const want = [...floatSoftmax(x.slice(0, 4), 0.5, 1), ...floatSoftmax(x.slice(4), 0.5, 1)];
  y.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) <= 1, `element ${i}: ${v} vs ${want[i]}`));
  // Row 0 by hand: softmax(0, 1, 2, -10) = 0.0900, 0.2447, 0.6652, ~0 -> -105, -65, 42, -128.
  assert.deepEqual(want.slice(0, 4), [-105, -65, 42, -128]);
});

Deno.test("softmax() honours beta and sends differences below diff_min to -128", () => {
  // beta 2 doubles the spread; scale 1 with beta 2: exp(-2*200) underflows -> -128.
  const y = runInt8(softmaxGraph([1, 3], 1, 2), new Int8Array([100, -100, 99]));
  const want = floatSoftmax([100, -100, 99], 1, 2);
  y.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) <= 1, `element ${i}: ${v} vs ${want[i]}`));
  assert.equal(y[1], -128);
});

Deno.test("softmax() rejects an int8 output not quantized as 1/256 with zero point -128", () => {
  assert.throws(
    () => runInt8(softmaxGraph([1, 2], 0.5, 1, [1 / 128, 0]), new Int8Array([1, 2])),
    UnsupportedKernelError,
  );
});
