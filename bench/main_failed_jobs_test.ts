import assert from "node:assert/strict";
import { benchProgram } from "./main.ts";

Deno.test("bench reports failed jobs to its caller (the command exits 1)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mcu-bench-fail-" });
  try {
    await Deno.writeFile(`${dir}/broken.tflite`, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
    let failed = -1;
    await benchProgram((n) => failed = n).parseAsync(
      [
        "--models",
        dir,
        "--engines",
        "tflm",
        "--out",
        `${dir}/out`,
        "--no-plots",
        "--quiet",
        "--jobs",
        "1",
        "--history-file",
        "off",
      ],
      { from: "user" },
    );
    assert.equal(failed, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
