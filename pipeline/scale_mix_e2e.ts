/**
 * The whole mixed-scale sweep (`deno task test:e2e`): every seed on both engines and boards.
 * `scale_mix_test.ts` runs the two seeds that once failed in `deno task test`.
 */
import assert from "node:assert/strict";
import { SCALE_MIX_SEEDS, scaleMixFailures } from "./_scale_mix_cases.ts";

for (const board of ["stm32f746", "stm32f412"]) {
  Deno.test(`every mixed-scale seed is bit-exact on both engines on ${board}`, async () => {
    assert.deepEqual(await scaleMixFailures(board, SCALE_MIX_SEEDS), []);
  });
}
