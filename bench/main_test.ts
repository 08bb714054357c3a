import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fakeRow } from "./_test_fixtures.ts";
import { writeOutputs } from "./bench.ts";
import { benchProgram } from "./main.ts";

Deno.test("bench merge DIR... --out OUT writes the merged report into OUT", async () => {
  const tmp = Deno.makeTempDirSync();
  try {
    const meta = { codeVersion: "v", suites: ["gate"], notes: [] };
    await writeOutputs([fakeRow("a", "tflm", "stm32f746")], meta, join(tmp, "s1"), {
      plots: false,
    });
    await writeOutputs([fakeRow("b", "tflm", "stm32f746")], meta, join(tmp, "s2"), {
      plots: false,
    });
    const out = join(tmp, "merged");
    await benchProgram().exitOverride().parseAsync(
      ["merge", join(tmp, "s1"), join(tmp, "s2"), "--out", out, "--no-plots"],
      { from: "user" },
    );
    const text = Deno.readTextFileSync(join(out, "results.csv"));
    assert.equal(text.trimEnd().split("\n").length, 3);
    assert.ok(existsSync(join(out, "report.md")));
  } finally {
    Deno.removeSync(tmp, { recursive: true });
  }
});
