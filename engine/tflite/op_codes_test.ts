import assert from "node:assert/strict";
import { OP_NAMES } from "../ir/mod.ts";
import { OPS } from "../ops/mod.ts";
import { BUILTIN_OP_NAMES } from "./_schema.ts";

Deno.test("every operator definition's builtin code (and alias codes) names that operator", () => {
  for (const op of OP_NAMES) {
    const codec = OPS[op].tflite;
    assert.equal(BUILTIN_OP_NAMES[codec.code], op, `${op}: code ${codec.code}`);
    for (const alias of codec.aliases ?? []) {
      assert.equal(BUILTIN_OP_NAMES[alias.code], alias.name, `${op} alias ${alias.name}`);
    }
  }
});
