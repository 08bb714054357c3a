import assert from "node:assert/strict";
import { createRng } from "../util/mod.ts";
import { mbqmRef, shiftRef, srdhmRef } from "./_test_util.ts";
import {
  activationRange,
  calculateInputRadius,
  downScaleInt32ToInt16Multiplier,
  foldCountIntoMultiplier,
  frexp,
  INT32_MAX,
  INT32_MIN,
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
  roundHalfAwayFromZero,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
  softmaxParamsFromScale,
} from "./mod.ts";

Deno.test("quantizeMultiplier() gives TFLite's values for powers of two", () => {
  assert.deepEqual(quantizeMultiplier(0.5), { multiplier: 1073741824, shift: 0 });
  assert.deepEqual(quantizeMultiplier(0.25), { multiplier: 1073741824, shift: -1 });
  assert.deepEqual(quantizeMultiplier(1), { multiplier: 1073741824, shift: 1 });
  assert.deepEqual(quantizeMultiplier(2), { multiplier: 1073741824, shift: 2 });
  assert.deepEqual(quantizeMultiplier(0), { multiplier: 0, shift: 0 });
});

Deno.test("quantizeMultiplier() rounds the significand half away from zero", () => {
  // 0.75 = 0.75 * 2^0 -> 0.75 * 2^31 = 1610612736 exactly.
  assert.deepEqual(quantizeMultiplier(0.75), { multiplier: 1610612736, shift: 0 });
  // 3 = 0.75 * 2^2.
  assert.deepEqual(quantizeMultiplier(3), { multiplier: 1610612736, shift: 2 });
  // 1/3 = 0.666.. * 2^-1 -> round(2^32 / 3) = 1431655765 (1431655765.33).
  assert.deepEqual(quantizeMultiplier(1 / 3), { multiplier: 1431655765, shift: -1 });
  // 0.1 = 0.8 * 2^-3 -> round(0.8 * 2^31) = 1717986918 (…918.4).
  assert.deepEqual(quantizeMultiplier(0.1), { multiplier: 1717986918, shift: -3 });
});

Deno.test("quantizeMultiplier() folds a significand that rounds up to 2^31 into the exponent", () => {
  const justBelowOne = 1 - 2 ** -40; // rounds to 2^31 in Q0.31
  assert.deepEqual(quantizeMultiplier(justBelowOne), { multiplier: 1073741824, shift: 1 });
});

Deno.test("quantizeMultiplier() flushes multipliers below 2^-32 to zero", () => {
  assert.deepEqual(quantizeMultiplier(2 ** -33), { multiplier: 0, shift: 0 });
  assert.deepEqual(quantizeMultiplier(2 ** -32), { multiplier: 1073741824, shift: -31 });
});

Deno.test("frexp() splits doubles exactly, subnormals included", () => {
  assert.deepEqual(frexp(8), { fraction: 0.5, exponent: 4 });
  assert.deepEqual(frexp(0.3), { fraction: 0.6, exponent: -1 });
  assert.deepEqual(frexp(-3), { fraction: -0.75, exponent: 2 });
  assert.deepEqual(frexp(2 ** -1070), { fraction: 0.5, exponent: -1069 });
});

Deno.test("saturatingRoundingDoublingHighMul() saturates INT32_MIN * INT32_MIN to INT32_MAX", () => {
  assert.equal(saturatingRoundingDoublingHighMul(INT32_MIN, INT32_MIN), INT32_MAX);
  assert.equal(saturatingRoundingDoublingHighMul(INT32_MIN, INT32_MAX), -2147483647);
  assert.equal(saturatingRoundingDoublingHighMul(INT32_MAX, INT32_MAX), 2147483646);
});

Deno.test("saturatingRoundingDoublingHighMul() rounds halves toward +infinity like SQRDMULH", () => {
  // 1 * 2^30 / 2^31 = 0.5 -> 1; -1 * 2^30 / 2^31 = -0.5 -> 0; -3 * 2^30 / 2^31 = -1.5 -> -1.
  assert.equal(saturatingRoundingDoublingHighMul(1, 1 << 30), 1);
  assert.equal(saturatingRoundingDoublingHighMul(-1, 1 << 30), 0);
  assert.equal(saturatingRoundingDoublingHighMul(-3, 1 << 30), -1);
  assert.equal(saturatingRoundingDoublingHighMul(0, INT32_MIN), 0);
});

Deno.test("saturatingRoundingDoublingHighMul() matches a BigInt model on random operands", () => {
  const rng = createRng(7);
  const pick = () => {
    const r = rng.next();
    if (r < 0.1) return [INT32_MIN, INT32_MAX, 0, 1, -1][rng.int(5)]!;
    if (r < 0.4) return rng.int(65536) - 32768;
    return (rng.int(4294967296) | 0);
  };
  for (let i = 0; i < 20000; i++) {
    const a = pick();
    const b = pick();
    assert.equal(saturatingRoundingDoublingHighMul(a, b), Number(srdhmRef(a, b)), `${a} * ${b}`);
  }
});

Deno.test("roundingDivideByPOT() rounds to nearest with ties away from zero", () => {
  assert.equal(roundingDivideByPOT(5, 1), 3);
  assert.equal(roundingDivideByPOT(-5, 1), -3);
  assert.equal(roundingDivideByPOT(-6, 2), -2); // -1.5 -> -2
  assert.equal(roundingDivideByPOT(-5, 2), -1); // -1.25 -> -1
  assert.equal(roundingDivideByPOT(7, 0), 7);
  assert.equal(roundingDivideByPOT(INT32_MIN, 31), -1);
  assert.equal(roundingDivideByPOT(INT32_MAX, 31), 1);
  const rng = createRng(11);
  for (let i = 0; i < 5000; i++) {
    const x = rng.int(4294967296) | 0;
    const e = rng.int(32);
    assert.equal(roundingDivideByPOT(x, e), Number(shiftRef(BigInt(x), e)), `${x} >> ${e}`);
  }
});

Deno.test("multiplyByQuantizedMultiplier() applies left shifts before and right shifts after SRDHM", () => {
  assert.equal(multiplyByQuantizedMultiplier(100, 1 << 30, 0), 50);
  assert.equal(multiplyByQuantizedMultiplier(100, 1 << 30, -1), 25);
  assert.equal(multiplyByQuantizedMultiplier(27, 1 << 30, -2), 4); // 13.5 -> 14, 14/4 = 3.5 -> 4
  assert.equal(multiplyByQuantizedMultiplier(3, 1610612736, 2), 9); // x 3
  // The INT32_MIN overflow of SRDHM passes through the right shift.
  assert.equal(multiplyByQuantizedMultiplier(INT32_MIN, INT32_MIN, 0), INT32_MAX);
  assert.equal(multiplyByQuantizedMultiplier(INT32_MIN, INT32_MIN, -1), 1073741824);
  const rng = createRng(3);
  for (let i = 0; i < 20000; i++) {
    const x = rng.next() < 0.5 ? rng.int(200001) - 100000 : rng.int(4294967296) | 0;
    const m = (1 << 30) + rng.int(1 << 30);
    const shift = rng.int(44) - 31; // [-31, 12]
    assert.equal(
      multiplyByQuantizedMultiplier(x, m, shift),
      mbqmRef(x, m, shift),
      `${x} ${m} ${shift}`,
    );
  }
});

Deno.test("roundHalfAwayFromZero() rounds like C's std::round", () => {
  assert.deepEqual([2.5, -2.5, 0.5, -0.5, 1.4999, -1.5].map(roundHalfAwayFromZero), [
    3,
    -3,
    1,
    -1,
    1,
    -2,
  ]);
});

Deno.test("activationRange() quantizes the bounds with the float32 output scale", () => {
  assert.deepEqual(activationRange("NONE", { scale: 0.1, zeroPoint: 3 }), { min: -128, max: 127 });
  assert.deepEqual(activationRange("RELU", { scale: 0.1, zeroPoint: 3 }), { min: 3, max: 127 });
  // 6 / float(0.05) = 120.0000018 in float -> 120; -128 + 120 = -8.
  assert.deepEqual(activationRange("RELU6", { scale: 0.05, zeroPoint: -128 }), {
    min: -128,
    max: -8,
  });
  assert.deepEqual(activationRange("RELU6", { scale: 0.01, zeroPoint: 0 }), { min: 0, max: 127 });
  assert.deepEqual(activationRange("RELU_N1_TO_1", { scale: 0.25, zeroPoint: 10 }), {
    min: 6,
    max: 14,
  });
});

Deno.test("foldCountIntoMultiplier() folds 1/count as TFLite's integer mean does", () => {
  assert.deepEqual(foldCountIntoMultiplier({ multiplier: 1 << 30, shift: 1 }, 4), {
    multiplier: 1 << 30,
    shift: -1,
  });
  // k = 1; (2^30 << 1) / 3 = 715827882 (truncated).
  assert.deepEqual(foldCountIntoMultiplier({ multiplier: 1 << 30, shift: 1 }, 3), {
    multiplier: 715827882,
    shift: 0,
  });
  // k is capped at 31 + shift = 1, losing precision: (2^30 << 1) / 16 = 2^27.
  assert.deepEqual(foldCountIntoMultiplier({ multiplier: 1 << 30, shift: -30 }, 16), {
    multiplier: 1 << 27,
    shift: -31,
  });
});

Deno.test("calculateInputRadius() and softmax scaling follow TFLite's formulas", () => {
  // 31 * 2^26 / 2^23 = 248.
  assert.equal(calculateInputRadius(5, 23), 248);
  assert.deepEqual(softmaxParamsFromScale(1, 1 / 16), {
    inputMultiplier: 1073741824,
    inputLeftShift: 23,
    diffMin: -248,
  });
});

Deno.test("downScaleInt32ToInt16Multiplier() rounds and saturates", () => {
  assert.equal(downScaleInt32ToInt16Multiplier(1 << 30), 16384);
  assert.equal(downScaleInt32ToInt16Multiplier((1 << 30) + 32768), 16385);
  assert.equal(downScaleInt32ToInt16Multiplier(INT32_MAX), 32767);
});
