import assert from "node:assert/strict";
import { memoryProfile } from "./memory_profile.ts";

Deno.test("memoryProfile() counts aliased (in-place) buffers once and adds the tail", () => {
  const profile = memoryProfile([
    { tensor: 0, name: "in", offset: 0, size: 100, firstUse: 0, lastUse: 1 },
    { tensor: 1, name: "dw", offset: 0, size: 100, firstUse: 1, lastUse: 2 }, // in place over "in"
    { tensor: 2, name: "out", offset: 100, size: 50, firstUse: 2, lastUse: 2 },
    { tensor: -1, name: "scratch", offset: 120, size: 40, firstUse: 1, lastUse: 1 },
  ], { tailBytes: 7 });
  assert.deepEqual(profile, [
    { step: 0, liveBytes: 107 },
    { step: 1, liveBytes: 147 },
    { step: 2, liveBytes: 157 },
  ]);
});
