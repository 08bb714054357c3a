import assert from "node:assert/strict";
import { oneNode, runInt8, tensor } from "../_test_util.ts";

function graph(inQ: [number, number], outQ: [number, number], n: number) {
  return oneNode([
    tensor("x", [n], "int8", inQ),
    tensor("y", [n], "int8", outQ),
  ], { op: "HARD_SWISH", inputs: [0], outputs: [1], options: {} });
}

function hswish(x: number): number {
  return (x * Math.min(6, Math.max(0, x + 3))) / 6;
}

Deno.test("hardSwish() is exact at 0, at and beyond +-3", () => {
  // Scale 1/32: q = 0 -> 0; q = 96 (x = 3) -> 3 -> 96; q = -96 and below -> 0; q = 127 -> 127.
  const y = runInt8(graph([1 / 32, 0], [1 / 32, 0], 5), new Int8Array([0, 96, -96, -128, 127]));
  assert.deepEqual(y, [0, 96, 0, 0, 127]);
});

Deno.test("hardSwish() is within one step of the float function between -3 and 3", () => {
  const x = Array.from({ length: 41 }, (_, i) => i * 4 - 80);
  const cases: [[number, number], [number, number]][] = [
    [[1 / 32, 0], [1 / 32, 0]],
    [[0.05, 7], [0.02, -100]],
    [[0.1, -3], [0.08, -90]],
  ];
  for (const [[inScale, inZp], [outScale, outZp]] of cases) {
    const y = runInt8(graph([inScale, inZp], [outScale, outZp], x.length), new Int8Array(x));
    x.forEach((q, i) => {
      const real = hswish((q - inZp) * inScale);
      const want = Math.max(-128, Math.min(127, Math.round(real / outScale) + outZp));
      assert.ok(Math.abs(y[i]! - want) <= 1, `q=${q} in ${inScale}: ${y[i]} vs ${want}`);
    });
  }
});
