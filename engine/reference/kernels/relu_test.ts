import assert from "node:assert/strict";
import type { Node } from "../../ir/mod.ts";
import { mbqmRef, oneNode, runInt8, tensor } from "../_test_util.ts";

function unary(
  op: "RELU" | "RELU6" | "RELU_N1_TO_1",
  n: number,
  inQ: [number, number],
  outQ: [number, number],
) {
  return oneNode([
    tensor("x", [n], "int8", inQ),
    tensor("y", [n], "int8", outQ),
  ], { op, inputs: [0], outputs: [1], options: {} } as Node);
}

Deno.test("relu6() requantizes x2 and clamps to [q(0), q(6)] of the output", () => {
  // in 0.1 zp 3 -> out 0.05 zp -128: y = -128 + 2 (x - 3), clamped to [-128, -128 + 120].
  const g = unary("RELU6", 6, [0.1, 3], [0.05, -128]);
  assert.deepEqual(
    runInt8(g, new Int8Array([3, 10, 63, 64, -20, 127])),
    [-128, -114, -8, -8, -128, -8],
  );
});

Deno.test("relu_n1_to_1() rounds the halving multiplier as SRDHM does (ties toward +inf)", () => {
  // Multiplier 0.5 is (2^30, shift 0): MBQM(v) = SRDHM(v, 2^30), which sends -1.5 to -1, -2.5 to
  // -2 and 1.5 to 2; bounds are +-round(1 / 0.1) = +-10.
  const g = unary("RELU_N1_TO_1", 9, [0.05, 0], [0.1, 0]);
  assert.deepEqual(
    runInt8(g, new Int8Array([-30, -5, -3, -1, 0, 1, 3, 5, 25])),
    [-10, -2, -1, 0, 0, 1, 2, 3, 10],
  );
});

Deno.test("relu() keeps the int8 top and clamps at the output zero point", () => {
  const g = unary("RELU", 5, [0.1, -5], [0.05, -128]);
  assert.deepEqual(runInt8(g, new Int8Array([-10, -5, 0, 60, 127])), [-128, -128, -118, 2, 127]);
});

Deno.test("relu() family matches an independent BigInt model on random quantizations", () => {
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const x = new Int8Array(256).map((_, i) => i - 128);
  for (let k = 0; k < 20; k++) {
    const inS = Math.fround(0.01 + next() * 0.2), outS = Math.fround(0.01 + next() * 0.2);
    const zi = Math.floor(next() * 41) - 20, zo = Math.floor(next() * 41) - 20;
    const op = (["RELU", "RELU6", "RELU_N1_TO_1"] as const)[k % 3]!;
    const y = runInt8(unary(op, 256, [inS, zi], [outS, zo]), x);
    // The multiplier from the float32 ratio: real = m * 2^(shift - 31).
    const real = Math.fround(inS / outS);
    let shift = Math.floor(Math.log2(real)) + 1;
    let m = Math.round(real * 2 ** (31 - shift));
    if (m === 2 ** 31) (m /= 2), shift++;
    const q = (f: number) => zo + Math.round(Math.fround(f / outS));
    const lo = Math.max(-128, q(op === "RELU_N1_TO_1" ? -1 : 0));
    const hi = op === "RELU" ? 127 : Math.min(127, q(op === "RELU6" ? 6 : 1));
    x.forEach((v, i) => {
      const want = Math.min(hi, Math.max(lo, zo + mbqmRef(v - zi, m, shift)));
      assert.equal(y[i], want, `${op} ${inS}/${outS} x=${v}`);
    });
  }
});

Deno.test("leaky_relu() uses the identity multiplier above zero and alpha below", () => {
  // alpha 0.25 with equal scales: (2^30, -1), so v -> RDBPOT(SRDHM(v, 2^30), 1):
  // -3 -> -1 (-0.75), -2 -> -1 (-0.5 away from zero), -6 -> -2 (-1.5), -1 -> 0 (-0.25).
  const g = oneNode([
    tensor("x", [8], "int8", [0.1, 0]),
    tensor("y", [8], "int8", [0.1, 0]),
  ], { op: "LEAKY_RELU", inputs: [0], outputs: [1], options: { alpha: 0.25 } });
  assert.deepEqual(
    runInt8(g, new Int8Array([-128, -6, -3, -2, -1, 0, 5, 127])),
    [-32, -2, -1, -1, 0, 0, 5, 127],
  );
});

Deno.test("leaky_relu() requantizes with zero points and saturates", () => {
  // in 0.2 zp 10 -> out 0.1 zp -20: identity x2, alpha 0.1 * 2 = 0.2.
  const g = oneNode([
    tensor("x", [5], "int8", [0.2, 10]),
    tensor("y", [5], "int8", [0.1, -20]),
  ], { op: "LEAKY_RELU", inputs: [0], outputs: [1], options: { alpha: 0.1 } });
  const y = runInt8(g, new Int8Array([10, 20, 127, 0, -128]));
  // 10 -> -20; 20 -> -20 + 20; 127 -> -20 + 234 -> 127; 0 -> -20 + round(-10 * 0.2) = -22;
  // -128 -> -20 + round(-138 * 0.2 = -27.6) = -48.
  assert.deepEqual(y, [-20, 0, 127, -22, -48]);
});
