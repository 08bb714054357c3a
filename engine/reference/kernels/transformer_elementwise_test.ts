import assert from "node:assert/strict";
import { oneNode, runInt8, tensor } from "../_test_util.ts";
import { UnsupportedKernelError } from "../errors.ts";
import { invSqrtQuantizedMultiplierExp } from "../../quant/mod.ts";

const all = Int8Array.from({ length: 256 }, (_, i) => i - 128);

/** Real value of an int8 `q`. */
const real = (q: number, s: number, z: number) => s * (q - z);
/** `v` quantized (clamped). */
const quant = (v: number, s: number, z: number) =>
  Math.max(-128, Math.min(127, Math.round(v / s) + z));

Deno.test("invSqrtQuantizedMultiplierExp() gives 1/sqrt(x) as multiplier * 2^shift", () => {
  for (const x of [2, 3, 10, 255, 1000, 123456]) {
    const { multiplier, shift } = invSqrtQuantizedMultiplierExp(x, 1);
    const got = (multiplier / 2 ** 31) * 2 ** -shift;
    assert.ok(Math.abs(got - 1 / Math.sqrt(x)) < 1e-6 / Math.sqrt(x) * 100, `x ${x}: ${got}`);
  }
});

Deno.test("rsqrt() is within one step of 1/sqrt(x) and refuses x below zero", () => {
  const [si, zi, so, zo] = [0.05, -128, 0.02, -100];
  const g = oneNode([
    tensor("x", [256], "int8", [si, zi]),
    tensor("y", [256], "int8", [so, zo]),
  ], { op: "RSQRT", inputs: [0], outputs: [1], options: {} });
  const y = runInt8(g, all);
  y.forEach((v, i) => {
    if (i === 0) return assert.equal(v, 127); // x = 0: the largest output
    const want = quant(1 / Math.sqrt(real(all[i]!, si, zi)), so, zo);
    assert.ok(Math.abs(v - want) <= 1, `x ${all[i]}: ${v} vs ${want}`);
  });
  const neg = oneNode([
    tensor("x", [2], "int8", [si, 0]),
    tensor("y", [2], "int8", [so, zo]),
  ], { op: "RSQRT", inputs: [0], outputs: [1], options: {} });
  assert.throws(() => runInt8(neg, new Int8Array([4, -1])), UnsupportedKernelError);
});

Deno.test("squaredDifference() is within one step of (a - b)^2, broadcasting b", () => {
  const [sa, za, sb, zb, so, zo] = [0.03, 5, 0.05, -7, 0.08, -128];
  const b = Int8Array.from({ length: 16 }, (_, i) => i * 13 - 100);
  const g = oneNode([
    tensor("a", [16, 16], "int8", [sa, za]),
    tensor("b", [16], "int8", [sb, zb]),
    tensor("y", [16, 16], "int8", [so, zo]),
  ], { op: "SQUARED_DIFFERENCE", inputs: [0, 1], outputs: [2], options: {} });
  const y = runInt8(g, all, b);
  y.forEach((v, i) => {
    const d = real(all[i]!, sa, za) - real(b[i % 16]!, sb, zb);
    const want = quant(d * d, so, zo);
    assert.ok(Math.abs(v - want) <= 1, `element ${i}: ${v} vs ${want}`);
  });
});

Deno.test("prelu() is within one step of max(x, 0) + alpha * min(x, 0) per channel", () => {
  const [si, zi, sa, za, so, zo] = [0.04, 3, 0.01, -20, 0.03, 10];
  const alpha = Int8Array.from({ length: 8 }, (_, i) => i * 30 - 110);
  const g = oneNode([
    tensor("x", [32, 8], "int8", [si, zi]),
    tensor("alpha", [8], "int8", [sa, za], alpha),
    tensor("y", [32, 8], "int8", [so, zo]),
  ], { op: "PRELU", inputs: [0, 1], outputs: [2], options: {} });
  const y = runInt8(g, all);
  y.forEach((v, i) => {
    const x = real(all[i]!, si, zi);
    const want = quant(x >= 0 ? x : real(alpha[i % 8]!, sa, za) * x, so, zo);
    assert.ok(Math.abs(v - want) <= 1, `element ${i}: ${v} vs ${want}`);
  });
});
