import assert from "node:assert/strict";
import { ToolchainError } from "../../engine/target/mod.ts";
import { buildNativeHelper } from "./build.ts";

Deno.test("buildNativeHelper compiles once and then reports the library up to date", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const output = `${dir}/libmcucount.so`;
    const first = await buildNativeHelper({ output });
    assert.equal(first.built, true);
    assert.ok((await Deno.stat(output)).size > 0);
    const second = await buildNativeHelper({ output });
    assert.deepEqual(second, { path: output, built: false, command: [] });
    const forced = await buildNativeHelper({ output, force: true });
    assert.equal(forced.built, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a missing host compiler is a ToolchainError that says to run deno task setup", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      buildNativeHelper({ output: `${dir}/x.so`, cc: "cc-not-installed-anywhere" }),
      (e: unknown) => e instanceof ToolchainError && /deno task setup/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
