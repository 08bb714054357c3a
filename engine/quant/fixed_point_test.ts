import assert from "node:assert/strict";
import {
  expOnNegativeValues,
  getReciprocal,
  logistic,
  oneOverOnePlusXForXIn01,
  roundingHalfSum,
  saturatingRoundingMultiplyByPOT,
} from "./fixed_point.ts";

const Q31 = 2 ** 31;

Deno.test("saturatingRoundingMultiplyByPOT() saturates left shifts and rounds right shifts", () => {
  assert.equal(saturatingRoundingMultiplyByPOT(1 << 28, 2), 1 << 30);
  assert.equal(saturatingRoundingMultiplyByPOT(1 << 29, 2), 2147483647);
  assert.equal(saturatingRoundingMultiplyByPOT(-(1 << 29), 2), -2147483648);
  assert.equal(saturatingRoundingMultiplyByPOT(-6, -2), -2);
});

Deno.test("roundingHalfSum() rounds half away from zero", () => {
  assert.equal(roundingHalfSum(1, 2), 2);
  assert.equal(roundingHalfSum(-1, -2), -2);
  assert.equal(roundingHalfSum(2147483647, 2147483647), 2147483647);
});

Deno.test("expOnNegativeValues() gives exp(0) = 1 and tracks Math.exp within 1e-6", () => {
  assert.equal(expOnNegativeValues(0, 5), 2147483647);
  for (const bits of [4, 5]) {
    for (let x = 0.01 - 2 ** bits; x <= 0; x += 0.37) {
      const raw = Math.round(x * 2 ** (31 - bits));
      const got = expOnNegativeValues(raw, bits) / Q31;
      assert.ok(Math.abs(got - Math.exp(raw / 2 ** (31 - bits))) < 1e-6, `exp(${x}) = ${got}`);
    }
  }
});

Deno.test("oneOverOnePlusXForXIn01() tracks 1/(1+x) within 1e-7", () => {
  for (let x = 0; x < 1; x += 0.013) {
    const got = oneOverOnePlusXForXIn01(Math.round(x * Q31)) / Q31;
    assert.ok(Math.abs(got - 1 / (1 + x)) < 1e-7, `1/(1+${x}) = ${got}`);
  }
});

Deno.test("logistic() is exactly one half at zero and tracks the sigmoid elsewhere", () => {
  assert.equal(logistic(0, 4), 1 << 30);
  for (let x = -15.9; x < 16; x += 0.41) {
    const raw = Math.round(x * 2 ** 27);
    const got = logistic(raw, 4) / Q31;
    assert.ok(Math.abs(got - 1 / (1 + Math.exp(-raw / 2 ** 27))) < 1e-6, `sigmoid(${x}) = ${got}`);
  }
});

Deno.test("getReciprocal() returns 1/x scaled into [0.5, 1) and the bits above one", () => {
  // x = 2.0 in Q12.19 -> one bit over unit, reciprocal saturates at 1.0 (2.0 * 2^-1).
  assert.deepEqual(getReciprocal(2 << 19, 12), { reciprocal: 2147483647, numBitsOverUnit: 1 });
  // x = 3.0 -> 1/3 * 2^1 = 0.6667.
  const r = getReciprocal(3 << 19, 12);
  assert.equal(r.numBitsOverUnit, 1);
  assert.ok(Math.abs(r.reciprocal / Q31 - 2 / 3) < 1e-8);
});
