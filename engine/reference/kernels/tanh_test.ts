import assert from "node:assert/strict";
import { oneNode, runInt8, tensor } from "../_test_util.ts";
import { tanh as fixedTanh } from "../../quant/mod.ts";

function tanhGraph(n: number, inScale: number, zp = 0) {
  return oneNode([
    tensor("x", [n], "int8", [inScale, zp]),
    tensor("y", [n], "int8", [1 / 128, 0]),
  ], { op: "TANH", inputs: [0], outputs: [1], options: {} });
}

const ALL = new Int8Array(256).map((_, i) => i - 128);

Deno.test("fixed-point tanh is exact at 0, odd, and close to Math.tanh in Q4.27", () => {
  assert.equal(fixedTanh(0, 4), 0);
  for (const v of [1, 1 << 20, 1 << 26, 1 << 27, 3 << 27, 15 << 27]) {
    assert.equal(fixedTanh(-v, 4), -fixedTanh(v, 4));
    const want = Math.tanh(v / 2 ** 27) * 2 ** 31;
    assert.ok(Math.abs(fixedTanh(v, 4) - want) < 2 ** 31 * 1e-6, `v=${v}`);
  }
});

Deno.test("tanh() saturates beyond the input radius (120 steps at scale 1/16)", () => {
  // frexp(2^-4 * 2^27) = 0.5 * 2^24: radius floor(15 * 2^27 / 2^24) = 120.
  const y = runInt8(tanhGraph(6, 1 / 16), new Int8Array([-128, -120, 0, 119, 120, 127]));
  assert.deepEqual([y[0], y[1], y[2], y[4], y[5]], [-128, -128, 0, 127, 127]);
  assert.equal(y[3], 127); // tanh(7.44) * 128 rounds to 128, clamped
});

Deno.test("tanh() is odd and within one step of 128 * tanh(x) for several input scales", () => {
  for (const [scale, zp] of [[1 / 16, 0], [0.03, 5], [0.1, -7], [0.5, 0]] as const) {
    const y = runInt8(tanhGraph(256, scale, zp), ALL);
    ALL.forEach((q, i) => {
      const want = Math.max(
        -128,
        Math.min(127, Math.round(128 * Math.tanh(Math.fround(scale) * (q - zp)))),
      );
      assert.ok(Math.abs(y[i]! - want) <= 1, `scale ${scale} x=${q}: ${y[i]} vs ${want}`);
      const mirror = 2 * zp - q;
      if (mirror >= -128 && mirror <= 127 && Math.abs(y[i]!) < 127) {
        assert.equal(y[mirror + 128], 0 - y[i]!, `odd at x=${q}`);
      }
    });
  }
  // By hand: tanh(1) * 128 = 97.48 -> 97 at x = 16, scale 1/16.
  assert.equal(runInt8(tanhGraph(1, 1 / 16), new Int8Array([16]))[0], 97);
});

Deno.test("tanh() rejects an output zero point other than 0", () => {
  const g = oneNode([
    tensor("x", [2], "int8", [0.1, 0]),
    tensor("y", [2], "int8", [1 / 128, 3]),
  ], { op: "TANH", inputs: [0], outputs: [1], options: {} });
  assert.throws(() => runInt8(g, new Int8Array(2)), /TANH.*zero point 0/);
});
