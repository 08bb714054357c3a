import assert from "node:assert/strict";
import { getBoard } from "../engine/target/mod.ts";
import { buildFirmware } from "../engine/build/mod.ts";
import { buildModel } from "../engine/builders/mod.ts";
import { compileTinyEngine } from "../engine/codegen/mod.ts";

Deno.test("the same graph gives byte-identical C and firmware", async () => {
  const board = getBoard("stm32f746");
  const a = compileTinyEngine(buildModel("mbv2-w0.35-r32"), { board });
  const b = compileTinyEngine(buildModel("mbv2-w0.35-r32"), { board });
  assert.deepEqual(Object.keys(a.sources.files), Object.keys(b.sources.files));
  for (const [path, content] of Object.entries(a.sources.files)) {
    assert.deepEqual(b.sources.files[path], content, path);
  }
  assert.deepEqual(a.plan, b.plan);
  const fa = await buildFirmware(a.sources, { board });
  const fb = await buildFirmware(b.sources, { board });
  assert.equal(fa.sha256, fb.sha256);
});
