import { assert, assertEquals } from "../search/_test_assert.ts";
import { searchCommand } from "./search.ts";

function captureIo() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { out: (l: string) => out.push(l), err: (t: string) => err.push(t), isTty: false },
    out,
    err,
  };
}

/** A search small enough for a unit test: 20 samples, 2 generations of 12, no emulator. */
const SMALL_SEARCH = {
  board: "stm32f412",
  classes: 10,
  seed: 3,
  json: true,
  samples: 20,
  generations: 2,
  population: 12,
  measure: false,
} as const;

Deno.test("searchCommand screens, evolves and writes its artifacts without the emulator", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { io, out, err } = captureIo();
    const code = await searchCommand({ ...SMALL_SEARCH, out: dir }, io);
    assertEquals(code, 0, err.join(""));
    const summary = JSON.parse(out[0]!);
    assert(summary.predicted.sramBytes <= 256 * 1024);
    assert(summary.predicted.flashBytes <= 1024 * 1024);
    for (
      const f of [
        "arch.json",
        "stage1.md",
        "stage1.csv",
        "stage1.svg",
        "pareto.svg",
        "population.json",
      ]
    ) {
      assert((await Deno.stat(`${dir}/${f}`)).size > 0, f);
    }
    assert(err.join("").includes("[evolve 2/2]"), "plain progress lines on a non-TTY");
    // Same seed, same result.
    const again = captureIo();
    await searchCommand({ ...SMALL_SEARCH, out: dir }, again.io);
    assertEquals(JSON.parse(again.out[0]!).arch, summary.arch);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("searchCommand rejects an unknown board with exit code 2", async () => {
  const { io, err } = captureIo();
  assertEquals(await searchCommand({ board: "nope", classes: 10, seed: 1, json: false }, io), 2);
  assert(err.join("").includes("Cannot find board 'nope'"));
});

Deno.test("stage-1 shards 1/2 and 2/2 merge to the ranking of one run; 0/2 is a usage error", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const base = { board: "stm32f412", classes: 10, seed: 2, json: true, samples: 10, out: dir };
    const whole = captureIo();
    assertEquals(await searchCommand({ ...base, shard: "1/1" }, whole.io), 0, whole.err.join(""));
    for (const shard of ["1/2", "2/2"]) {
      const part = captureIo();
      assertEquals(await searchCommand({ ...base, shard }, part.io), 0, part.err.join(""));
    }
    const merged = captureIo();
    const files = [`${dir}/stage1.shard-1-of-2.json`, `${dir}/stage1.shard-2-of-2.json`];
    assertEquals(await searchCommand({ ...base, merge: files }, merged.io), 0);
    assertEquals(JSON.parse(merged.out[0]!), JSON.parse(whole.out[0]!));
    const bad = captureIo();
    assertEquals(await searchCommand({ ...base, shard: "0/2" }, bad.io), 2);
    assert(bad.err.join("").includes("1 <= i <= n"), bad.err.join(""));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
