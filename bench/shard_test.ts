import assert from "node:assert/strict";
import { parseShard, selectShard } from "./shard.ts";

Deno.test("selectShard() splits jobs into disjoint shards that cover all of them", () => {
  const jobs = Array.from({ length: 11 }, (_, i) => ({ id: `job-${String(i).padStart(2, "0")}` }));
  const shuffled = [...jobs].reverse();
  const shards = [1, 2, 3].map((index) =>
    selectShard(shuffled, { index, count: 3 }).map((j) => j.id)
  );
  assert.deepEqual(shards.flat().sort(), jobs.map((j) => j.id));
  assert.deepEqual(shards.map((s) => s.length), [4, 4, 3]);
  assert.deepEqual(selectShard(jobs, { index: 2, count: 3 }).map((j) => j.id), shards[1]);
});

Deno.test("parseShard() reads i/n and rejects out-of-range shards", () => {
  assert.deepEqual(parseShard("2/4"), { index: 2, count: 4 });
  assert.throws(() => parseShard("0/4"), /Cannot parse shard '0\/4'/);
  assert.throws(() => parseShard("5/4"), RangeError);
  assert.throws(() => parseShard("1-4"), RangeError);
});
