import assert from "node:assert/strict";
import type { BufferRequest } from "../types.ts";
import { validatePlan } from "../validate.ts";
import { linearPlanner, livenessLowerBound, planMemory, PLANNERS } from "./mod.ts";

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomBuffers(seed: number, n: number): BufferRequest[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const a = Math.floor(r() * 20);
    const len = Math.floor(r() * 6);
    return {
      id: i,
      name: `b${i}`,
      size: 8 * (1 + Math.floor(r() * 100)),
      firstUse: a,
      lastUse: a + len,
    };
  });
}

Deno.test("every planner gives valid plans never larger than linear on random buffer sets", () => {
  for (let seed = 1; seed <= 60; seed++) {
    const buffers = randomBuffers(seed, 1 + (seed % 14));
    const linear = linearPlanner(buffers).totalBytes;
    const bound = livenessLowerBound(buffers);
    for (const [name, planner] of Object.entries(PLANNERS)) {
      const p = planner(buffers);
      assert.deepEqual(validatePlan(buffers, p), [], `${name} seed ${seed}`);
      assert.ok(p.totalBytes <= linear || name === "linear", `${name} seed ${seed}`);
      assert.ok(p.totalBytes >= bound, `${name} below the lower bound`);
    }
  }
});

Deno.test("planMemory picks a plan no larger than any single planner", () => {
  for (let seed = 100; seed < 120; seed++) {
    const buffers = randomBuffers(seed, 10);
    const chosen = planMemory(buffers);
    for (const planner of Object.values(PLANNERS)) {
      assert.ok(chosen.placement.totalBytes <= planner(buffers).totalBytes);
    }
  }
});

Deno.test("branch and bound beats greedy by size on a known adversarial set", () => {
  const buffers: BufferRequest[] = [
    { id: 0, name: "a", size: 32, firstUse: 0, lastUse: 1 },
    { id: 1, name: "b", size: 24, firstUse: 1, lastUse: 2 },
    { id: 2, name: "c", size: 32, firstUse: 2, lastUse: 3 },
    { id: 3, name: "d", size: 16, firstUse: 0, lastUse: 0 },
    { id: 4, name: "e", size: 16, firstUse: 3, lastUse: 3 },
    { id: 5, name: "f", size: 8, firstUse: 1, lastUse: 3 },
  ];
  const bb = PLANNERS["branch-and-bound"]!(buffers);
  assert.deepEqual(validatePlan(buffers, bb), []);
  assert.ok(bb.totalBytes <= PLANNERS["first-fit-by-size"]!(buffers).totalBytes);
  assert.ok(bb.totalBytes >= livenessLowerBound(buffers));
});

Deno.test("validatePlan reports overlapping live buffers", () => {
  const buffers: BufferRequest[] = [
    { id: 0, name: "a", size: 16, firstUse: 0, lastUse: 2 },
    { id: 1, name: "b", size: 16, firstUse: 1, lastUse: 3 },
  ];
  assert.equal(validatePlan(buffers, { offsets: [0, 8], totalBytes: 24 }).length, 1);
  assert.deepEqual(validatePlan(buffers, { offsets: [0, 16], totalBytes: 32 }), []);
});
