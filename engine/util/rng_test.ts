import assert from "node:assert/strict";
import { createRng } from "./rng.ts";

Deno.test("createRng() repeats the same sequence for the same seed", () => {
  const a = createRng(7);
  const b = createRng(7);
  for (let i = 0; i < 100; i++) assert.equal(a.next(), b.next());
});

Deno.test("createRng() gives different sequences for different seeds", () => {
  const a = createRng(1);
  const b = createRng(2);
  const sa = Array.from({ length: 8 }, () => a.next());
  const sb = Array.from({ length: 8 }, () => b.next());
  assert.notDeepEqual(sa, sb);
});

Deno.test("createRng() next() stays in [0, 1) and int(n) in [0, n)", () => {
  const rng = createRng(123);
  const seen = new Set<number>();
  for (let i = 0; i < 10000; i++) {
    const x = rng.next();
    assert.ok(x >= 0 && x < 1);
    const k = rng.int(10);
    assert.ok(Number.isInteger(k) && k >= 0 && k < 10);
    seen.add(k);
  }
  assert.equal(seen.size, 10);
});

Deno.test("createRng() int() rejects a bound that is not a positive integer", () => {
  const rng = createRng(0);
  assert.throws(() => rng.int(0), RangeError);
  assert.throws(() => rng.int(2.5), RangeError);
});
