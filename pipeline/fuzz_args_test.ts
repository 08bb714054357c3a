import assert from "node:assert/strict";
import { parseFuzzArgs } from "./fuzz.ts";

Deno.test("deno task fuzz: --help does not run, the last --count wins, a bad value is a usage error", () => {
  const out: string[] = [];
  const err: string[] = [];
  const write = { out: (s: string) => out.push(s), err: (s: string) => err.push(s) };
  assert.equal(parseFuzzArgs(["--count", "500", "--help"], write), undefined);
  assert.match(out.join(""), /Usage: fuzz/);
  assert.deepEqual(parseFuzzArgs(["--count", "500", "--seed", "1", "--count", "20"], write), {
    count: 20,
    seed: 1,
    workers: 2,
  });
  assert.equal(parseFuzzArgs(["--count", "many"], write), undefined);
  assert.match(err.join(""), /option '--count <n>' argument 'many' is invalid/);
  assert.doesNotMatch(err.join(""), /at .*\.ts:\d+/);
});
