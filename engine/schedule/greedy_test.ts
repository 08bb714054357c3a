import assert from "node:assert/strict";
import { alignGreedy, greedyPlanner } from "./greedy.ts";
import type { BufferRequest } from "./types.ts";
import { createRng } from "../util/mod.ts";

/**
 * An independent, deliberately plain statement of TFLM's greedy rules: for each buffer in
 * (rounded size desc, request order asc) order, the offset is the smallest of 0 and the ends of
 * the already placed buffers that are live at the same time such that the buffer collides with
 * none of them. (TFLM finds the same offset by walking those buffers in offset order.)
 */
function straightforwardGreedy(buffers: readonly BufferRequest[]): number[] {
  const size = buffers.map((b) => Math.ceil(b.size / 16) * 16);
  const order = [...buffers.keys()].sort((a, b) => size[b]! - size[a]! || a - b);
  const offset: number[] = new Array(buffers.length).fill(-1);
  const placed: number[] = [];
  for (const i of order) {
    const b = buffers[i]!;
    const live = placed.filter((j) =>
      buffers[j]!.firstUse <= b.lastUse && b.firstUse <= buffers[j]!.lastUse
    );
    const candidates = [0, ...live.map((j) => offset[j]! + size[j]!)].sort((x, y) => x - y);
    const fits = (c: number) =>
      live.every((j) => c + size[i]! <= offset[j]! || offset[j]! + size[j]! <= c);
    offset[i] = candidates.find(fits)!;
    placed.push(i);
  }
  return offset;
}

function randomBuffers(seed: number): BufferRequest[] {
  const rng = createRng(seed);
  const n = 1 + rng.int(40);
  const ops = 1 + rng.int(30);
  return Array.from({ length: n }, (_, i) => {
    const a = rng.int(ops);
    const b = a + rng.int(Math.max(1, ops - a));
    const size = rng.int(4) === 0 ? 16 * (1 + rng.int(8)) : 1 + rng.int(5000);
    return { id: i, name: `b${i}`, size, firstUse: a, lastUse: b };
  });
}

Deno.test("greedyPlanner matches a straightforward implementation of TFLM's rules on random buffer sets", () => {
  for (let seed = 1; seed <= 300; seed++) {
    const buffers = randomBuffers(seed);
    const got = greedyPlanner(buffers);
    assert.deepEqual([...got.offsets], straightforwardGreedy(buffers), `seed ${seed}`);
  }
});

Deno.test("greedyPlanner never overlaps buffers that are live at the same time", () => {
  for (let seed = 1; seed <= 300; seed++) {
    const buffers = randomBuffers(seed);
    const { offsets, totalBytes } = greedyPlanner(buffers);
    buffers.forEach((a, i) => {
      const ea = offsets[i]! + alignGreedy(a.size);
      assert.ok(ea <= totalBytes, `seed ${seed}: buffer ${i} ends past the total`);
      assert.equal(offsets[i]! % 16, 0);
      buffers.forEach((b, j) => {
        if (j <= i || a.lastUse < b.firstUse || b.lastUse < a.firstUse) return;
        const eb = offsets[j]! + alignGreedy(b.size);
        assert.ok(ea <= offsets[j]! || eb <= offsets[i]!, `seed ${seed}: ${i} and ${j} overlap`);
      });
    });
  }
});

Deno.test("greedyPlanner never needs more than the linear planner (all buffers side by side)", () => {
  for (let seed = 1; seed <= 100; seed++) {
    const buffers = randomBuffers(seed);
    const linear = buffers.reduce((s, b) => s + alignGreedy(b.size), 0);
    assert.ok(greedyPlanner(buffers).totalBytes <= linear);
  }
});

Deno.test("greedyPlanner places the largest buffer at 0 and breaks size ties by request order", () => {
  const p = greedyPlanner([
    { id: 0, name: "a", size: 100, firstUse: 0, lastUse: 1 },
    { id: 1, name: "b", size: 50, firstUse: 1, lastUse: 2 },
    { id: 2, name: "c", size: 100, firstUse: 1, lastUse: 3 },
  ]);
  assert.deepEqual([...p.offsets], [0, 224, 112]);
  assert.equal(p.totalBytes, 288);
});

Deno.test("greedyPlanner rejects a buffer whose lifetime ends before it starts", () => {
  assert.throws(
    () => greedyPlanner([{ id: 0, name: "x", size: 4, firstUse: 3, lastUse: 1 }]),
    RangeError,
  );
});
