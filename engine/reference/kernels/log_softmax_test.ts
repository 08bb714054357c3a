import assert from "node:assert/strict";
import { oneNode, runInt8, tensor } from "../_test_util.ts";
import { UnsupportedKernelError } from "../errors.ts";
import { logXForXGreaterThanOrEqualTo1 } from "../../quant/mod.ts";

function logSoftmaxGraph(
  shape: number[],
  inScale: number,
  outQ: [number, number] = [16 / 256, 127],
) {
  return oneNode([
    tensor("x", shape, "int8", [inScale, 0]),
    tensor("y", shape, "int8", outQ),
  ], { op: "LOG_SOFTMAX", inputs: [0], outputs: [1], options: {} });
}

/** The float log-softmax of a row, quantized to scale 1/16 and zero point 127 (clamped). */
function floatLogSoftmax(x: number[], scale: number): number[] {
  const m = Math.max(...x);
  const lse = Math.log(x.reduce((a, v) => a + Math.exp(scale * (v - m)), 0));
  return x.map((v) =>
    Math.max(-128, Math.min(127, Math.round((scale * (v - m) - lse) * 16) + 127))
  );
}

Deno.test("logXForXGreaterThanOrEqualTo1() is within a few raw units of ln(x)", () => {
  // Q12.19 in, Q5.26 out, as LOG_SOFTMAX uses it.
  for (const x of [1, 1.5, 2, Math.E, 7.25, 100, 1000, 4095]) {
    const raw = logXForXGreaterThanOrEqualTo1(Math.round(x * 2 ** 19), 12, 5);
    assert.ok(Math.abs(raw / 2 ** 26 - Math.log(x)) < 1e-5, `ln(${x}): ${raw / 2 ** 26}`);
  }
});

Deno.test("logSoftmax() is within one step of the float log-softmax, row by row", () => {
  const rows = [[0, 2, 4, -20], [10, 10, 9, -128], [127, -128, 0, 5], [3, 3, 3, 3]];
  for (const scale of [0.5, 0.05, 0.01]) {
    const x = rows.flat();
    const y = runInt8(logSoftmaxGraph([4, 4], scale), new Int8Array(x));
    const want = rows.flatMap((r) => floatLogSoftmax(r, scale));
    y.forEach((v, i) =>
      assert.ok(Math.abs(v - want[i]!) <= 1, `scale ${scale} element ${i}: ${v} vs ${want[i]}`)
    );
  }
  // Four equal inputs: ln(1/4) = -1.386 -> round(-22.18) + 127 = 105.
  assert.deepEqual(runInt8(logSoftmaxGraph([1, 4], 0.5), new Int8Array([3, 3, 3, 3])), [
    105,
    105,
    105,
    105,
  ]);
});

Deno.test("logSoftmax() sends far-below-maximum inputs to -128", () => {
  const y = runInt8(logSoftmaxGraph([1, 3], 1), new Int8Array([100, -100, 99]));
  assert.equal(y[1], -128);
  assert.equal(y[0], floatLogSoftmax([100, -100, 99], 1)[0]);
});

Deno.test("logSoftmax() rejects an int8 output not quantized as 16/256 with zero point 127", () => {
  assert.throws(
    () => runInt8(logSoftmaxGraph([1, 2], 0.5, [1 / 256, -128]), new Int8Array([1, 2])),
    UnsupportedKernelError,
  );
});
