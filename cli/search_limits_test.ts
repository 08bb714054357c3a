import assert from "node:assert/strict";
import { getBoard } from "../engine/target/mod.ts";
import { cycleLimit } from "./search.ts";

Deno.test("--latency-ms and --energy-mj become one modelled cycle limit (the tighter)", () => {
  const f746 = getBoard("stm32f746");
  assert.equal(cycleLimit(f746, {}), undefined);
  assert.equal(cycleLimit(f746, { latencyMs: 50 }), 10_800_000); // 50 ms x 216 MHz
  // 472 µA/MHz x 216 MHz x 3.3 V = 0.336442 W: 10 mJ = 29.7228 ms = 6,420,133 cycles.
  assert.equal(cycleLimit(f746, { energyMj: 10 }), 6_420_133);
  assert.equal(cycleLimit(f746, { latencyMs: 50, energyMj: 10 }), 6_420_133);
  assert.equal(cycleLimit(f746, { latencyMs: 20, energyMj: 10 }), 4_320_000);
  const { timing: _timing, ...noPower } = f746;
  assert.throws(() => cycleLimit(noPower, { energyMj: 1 }), /no run-current figure/);
});
