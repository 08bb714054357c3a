import assert from "node:assert/strict";
import { basename, join } from "node:path";
import { buildModel } from "../../builders/mod.ts";
import type { Graph } from "../../ir/mod.ts";
import { getBoard } from "../../target/mod.ts";
import { loadModelFile } from "../../tflite/mod.ts";
import { C_LINE_LIMIT, wrapC } from "./c_format.ts";
import { TE_RUNTIME_H_URL } from "./c_runtime.ts";
import { compileTinyEngine } from "./compile.ts";
import { sharedModels } from "../../util/mod.ts";

const STRICT = ["-Wall", "-Wextra", "-Werror"];
const M7 = ["-mcpu=cortex-m7", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv5-sp-d16", "-O3"];
const probeDir = new URL("../../../fixtures/firmware/", import.meta.url).pathname;

/** Compile one C file with gcc (object only); returns gcc's diagnostics, "" when clean. */
async function gccCompile(dir: string, file: string): Promise<string> {
  const out = await new Deno.Command("arm-none-eabi-gcc", {
    args: [...M7, ...STRICT, `-I${dir}`, `-I${probeDir}`, "-c", file, "-o", "/dev/null"],
    cwd: dir,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return out.success ? "" : new TextDecoder().decode(out.stderr) || "gcc failed";
}

async function mlperfModel(): Promise<Graph> {
  const path = sharedModels().find((p) => basename(p).startsWith("mlperftiny_kws"));
  if (!path) throw new Error("Cannot find the shared MLPerf KWS model in ../shared/models");
  return await loadModelFile(path);
}

async function checkGenerated(graph: Graph): Promise<void> {
  const m = compileTinyEngine(graph, { board: getBoard("stm32f746") });
  const dir = await Deno.makeTempDir({ prefix: "te_c_" });
  try {
    for (const [name, content] of Object.entries(m.sources.files)) {
      await Deno.writeFile(
        join(dir, name),
        typeof content === "string" ? new TextEncoder().encode(content) : content,
      );
    }
    for (const name of ["model.c", "main.c"]) {
      const text = m.sources.files[name] as string;
      const long = text.split("\n").filter((l) => l.length > C_LINE_LIMIT);
      assert.deepEqual(long, [], `${name} has lines over ${C_LINE_LIMIT} characters`);
      // Constant tables, tensors and scratch regions are used by name; their addresses appear
      // only in the #defines (and the assembler aliases of the I/O symbols).
      const raw = text.split("\n").filter((l) =>
        /(mcu_model_const|te_arena)\s*\+\s*\d/.test(l) && !l.startsWith("#define ") &&
        !l.includes(".set ")
      );
      assert.deepEqual(raw, [], `${name} uses raw mcu_model_const or te_arena offsets`);
      // Every requantizing kernel call names its scalar arguments: no bare integer argument.
      const calls = text.split("te_invoke(void) {")[1] ?? "";
      const literal = calls.replace(/\s+/g, " ").match(/te_\w+\([^;]*[(,] ?-?\d+ ?[,)][^;]*\);/g);
      assert.deepEqual(literal, null, `${name} passes unnamed literals in te_invoke()`);
      assert.equal(await gccCompile(dir, name), "", `${name} does not compile cleanly`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("te_runtime.h compiles on its own with -Wall -Wextra -Werror", async () => {
  const dir = await Deno.makeTempDir({ prefix: "te_h_" });
  try {
    await Deno.copyFile(TE_RUNTIME_H_URL, join(dir, "te_runtime.h"));
    await Deno.writeTextFile(join(dir, "use.c"), '#include "te_runtime.h"\nint te_use;\n');
    assert.equal(await gccCompile(dir, "use.c"), "");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("generated C for mbv2-w0.35-r144 is within 120 columns, named and warning-free", async () => {
  await checkGenerated(buildModel("mbv2-w0.35-r144"));
});

Deno.test("generated C for the MLPerf KWS model is within 120 columns, named and warning-free", async () => {
  await checkGenerated(await mlperfModel());
});

Deno.test("wrapC breaks long lines outside strings and comments and keeps the tokens", () => {
  const line = `  f(a, "x y z ${"s".repeat(40)}", b); /* note ${"w ".repeat(30)}*/ g(c); h(d);`;
  const wrapped = wrapC(line, 60);
  assert.ok(wrapped.split("\n").every((l) => l.length <= 60 || l.includes('"x y z')));
  assert.equal(wrapped.replace(/\s+/g, " "), line.replace(/\s+/g, " "));
  assert.ok(wrapped.includes(`"x y z ${"s".repeat(40)}"`), "a string literal was split");
});
