import { assert, assertEquals } from "./_test_assert.ts";
import { searchCommand } from "../cli/search.ts";

function captureIo() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { out: (l: string) => out.push(l), err: (t: string) => err.push(t), isTty: false },
    out,
    err,
  };
}

Deno.test("searchCommand screens, evolves and writes its artifacts without the emulator", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { io, out, err } = captureIo();
    const code = await searchCommand({
      board: "stm32f412",
      classes: 10,
      seed: 3,
      json: true,
      samples: 20,
      generations: 2,
      population: 12,
      measure: false,
      out: dir,
    }, io);
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
    await searchCommand({
      board: "stm32f412",
      classes: 10,
      seed: 3,
      json: true,
      samples: 20,
      generations: 2,
      population: 12,
      measure: false,
      out: dir,
    }, again.io);
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
