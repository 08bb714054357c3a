import assert from "node:assert/strict";
import { OP_NAMES } from "../../ir/mod.ts";
import { BASE_OP_TABLE_SIZE, OP_CODES } from "./_serialize.ts";

const runtime = (f: string) => Deno.readTextFileSync(new URL(`./runtime/${f}`, import.meta.url));

/** `TFLM_OP_*` names of tflm.h's op enum, in code order. */
function headerOps(header: string): string[] {
  const body = /enum\s*\{\s*(TFLM_OP_CONV_2D = 0,[^}]*)\}/.exec(header)?.[1];
  assert.ok(body, "tflm.h has no op enum starting at TFLM_OP_CONV_2D = 0");
  return [...body.matchAll(/TFLM_OP_(\w+)/g)].map((m) => m[1]!).filter((n) => n !== "COUNT");
}

Deno.test("tflm.h's op enum lists every operator in the order of OP_CODES", () => {
  const byCode = Object.entries(OP_CODES).sort((a, b) => a[1] - b[1]).map(([op]) => op);
  assert.deepEqual(byCode.map((_, i) => OP_CODES[byCode[i] as keyof typeof OP_CODES]), [
    ...byCode.keys(),
  ]);
  assert.deepEqual(headerOps(runtime("tflm.h")), byCode);
  assert.deepEqual([...byCode].sort(), [...OP_NAMES].sort());
});

Deno.test("registrations.c declares and registers every operator of the enum", () => {
  const src = runtime("registrations.c");
  const xList = [...src.matchAll(/^\s*X\((\w+), (\w+)\)/gm)].map((m) => m[1]!);
  const registered = [...src.matchAll(/\[TFLM_OP_(\w+)\] = &tflm_register_(\w+)/g)];
  const ops = headerOps(runtime("tflm.h"));
  assert.deepEqual(xList, ops);
  assert.deepEqual(registered.map((m) => m[1]), ops);
  for (const m of registered) assert.equal(m[2], m[1]!.toLowerCase());
});

Deno.test("the default registration table size in tflm.h is BASE_OP_TABLE_SIZE", () => {
  const m = /#define TFLM_OP_TABLE_SIZE \(TFLM_OP_(\w+) \+ 1\)/.exec(runtime("tflm.h"));
  assert.ok(m, "tflm.h does not define its default TFLM_OP_TABLE_SIZE");
  assert.equal(OP_CODES[m[1] as keyof typeof OP_CODES] + 1, BASE_OP_TABLE_SIZE);
});
