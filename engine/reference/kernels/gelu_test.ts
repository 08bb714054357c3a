import assert from "node:assert/strict";
import { oneNode, runInt8, tensor } from "../_test_util.ts";
import { erfc, geluTable, geluTransform } from "../../quant/mod.ts";

Deno.test("erfc() matches published values to 1e-14 relative", () => {
  const known: [number, number][] = [
    [0, 1],
    [0.5, 0.4795001221869535],
    [1, 0.15729920705028513],
    [1.5, 0.033894853524689274],
    [2, 0.004677734981047266],
    [2.9, 4.1097878099458836e-5],
    [3, 2.209049699858544e-5],
    [5, 1.5374597944280349e-12],
    [-1, 1.8427007929497148],
  ];
  for (const [x, want] of known) {
    assert.ok(
      Math.abs(erfc(x) - want) <= 1e-14 * want,
      `erfc(${x}) = ${erfc(x)}, expected ${want}`,
    );
  }
});

Deno.test("geluTransform() gives tf.nn.gelu's published values, exact and approximate", () => {
  // tf.nn.gelu([-3, -1, 0, 1, 3]) and tf.nn.gelu(..., approximate=True), from its documentation
  // (float32; its exact form adds erf to 1, which loses about 2e-7 at -3: TFLite's table uses
  // erfc for that reason, so the tolerance is absolute 1e-6).
  const xs = [-3, -1, 0, 1, 3];
  const exact = [-0.00404951, -0.15865529, 0, 0.8413447, 2.9959507];
  const approx = [-0.00363752, -0.15880796, 0, 0.841192, 2.9963627];
  xs.forEach((x, i) => {
    assert.ok(Math.abs(geluTransform(x, false) - exact[i]!) < 1e-6, `gelu(${x})`);
    assert.ok(Math.abs(geluTransform(x, true) - approx[i]!) < 1e-6, `gelu approximate(${x})`);
  });
});

Deno.test("gelu() looks up TFLite's table: within half a step of the float GELU", () => {
  const [si, zi, so, zo] = [0.04, 5, 0.025, -60];
  const all = Int8Array.from({ length: 256 }, (_, i) => i - 128);
  for (const approximate of [false, true]) {
    const g = oneNode([
      tensor("x", [256], "int8", [si, zi]),
      tensor("y", [256], "int8", [so, zo]),
    ], { op: "GELU", inputs: [0], outputs: [1], options: { approximate } });
    const y = runInt8(g, all);
    const table = geluTable(
      { scale: si, zeroPoint: zi },
      { scale: so, zeroPoint: zo },
      approximate,
    );
    y.forEach((v, i) => {
      assert.equal(v, table[i], `entry ${i}`);
      const x = si * (all[i]! - zi);
      const real = approximate
        ? 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)))
        : 0.5 * x * erfc(-x / Math.sqrt(2));
      const want = Math.max(-128, Math.min(127, real / so + zo));
      assert.ok(Math.abs(v - want) <= 0.5 + 1e-4, `x ${all[i]}: ${v} vs ${want}`);
    });
  }
});

Deno.test("geluTable() maps the input zero point to the output zero point and rounds to nearest", () => {
  const t = geluTable({ scale: 1, zeroPoint: 0 }, { scale: 1, zeroPoint: 3 }, false);
  assert.equal(t[128], 3);
  // x = 1 -> 0.8413...: rounds to 1; x = -1 -> -0.1586...: rounds to 0 (then + zero point).
  assert.deepEqual([t[129], t[127]], [4, 3]);
});
