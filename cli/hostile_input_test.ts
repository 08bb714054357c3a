/**
 * Hostile and careless input (#12 item 6): each bad input is fed and its message checked.
 */
import assert from "node:assert/strict";
import { getBoard } from "../engine/target/mod.ts";
import { getBackend } from "../engine/codegen/mod.ts";
import type { Graph } from "../engine/ir/mod.ts";
import { checkTensorSizes, compileModel, defaultBudget, fitMessage } from "../pipeline/mod.ts";
import { runModel } from "../pipeline/mod.ts";
import { readTflite } from "../engine/tflite/mod.ts";
import { writeTflite } from "../engine/tflite/mod.ts";
import { loadModelFile } from "../engine/tflite/mod.ts";
import { runCommand } from "./run.ts";
import { userPath } from "./_common.ts";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

/** in (int8, zero point `zp`) -> RELU -> out. */
function reluGraph(zp: number, dtype: "int8" | "float32" = "int8", n = 4): Graph {
  const quant = dtype === "int8" ? { quant: { scale: [0.1], zeroPoint: [zp], axis: 0 } } : {};
  return {
    name: "relu",
    tensors: [
      { name: "in", shape: [1, n], dtype, ...quant },
      { name: "out", shape: [1, n], dtype, ...quant },
    ],
    nodes: [{ op: "RELU", inputs: [0], outputs: [1], options: {} }],
    inputs: [0],
    outputs: [1],
  };
}

Deno.test("an out-of-range zero point is refused at import, naming the tensor and the range", () => {
  for (const zp of [200, -129, 2 ** 32 + 5]) {
    assert.throws(
      () => readTflite(writeTflite(reluGraph(zp))),
      (e: Error) =>
        e.name === "ModelFormatError" &&
        e.message.includes(`zero point ${zp} is outside the int8 range [-128, 127]`) &&
        e.message.includes("'in'"),
    );
  }
  assert.equal(readTflite(writeTflite(reluGraph(127))).tensors[0]!.quant!.zeroPoint[0], 127);
});

Deno.test("board, engine and planner lookups do not see object prototype names", async () => {
  for (const name of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
    assert.throws(() => getBoard(name), /Cannot find board '.*': known boards are stm32f746/);
    assert.throws(() => getBackend(name), /Cannot find engine '.*': known engines are/);
    const c = capture();
    const code = await runCommand(
      "mbv2-w0.35-r64",
      { engine: "tflm", board: name, json: false },
      c.io,
    );
    assert.equal(code, 1);
    assert.match(c.err[0] ?? "", /^error: Cannot find board/);
  }
});

Deno.test("a float32-only model names the op and its index and says int8 quantization is needed", () => {
  for (const engine of ["tinyengine", "tflm"] as const) {
    assert.throws(
      () => compileModel(reluGraph(0, "float32"), { engine, board: getBoard("stm32f746") }),
      (e: Error) =>
        e.name === "UnsupportedOpError" &&
        e.message.startsWith("Cannot import operator 0 (RELU)") &&
        e.message.includes("quantize the model to int8"),
      engine,
    );
  }
});

Deno.test("'does not fit' says by how many bytes and where the activations peak", () => {
  const board = getBoard("stm32f746");
  const msg = fitMessage(
    { peakSramBytes: 400_000, flashBytes: 1_100_000 },
    board,
    "layer 5 (CONV_2D, 380000 B live)",
  );
  assert.equal(
    msg,
    "does not fit: needs 400000 bytes of SRAM, board has 327680 (72320 over); needs 1100000 " +
      "bytes of Flash, board has 1048576 (51424 over) (SRAM peak at layer 5 (CONV_2D, 380000 B live))",
  );
});

Deno.test("mcu compile of a model that does not fit says by how much and that the project is partial", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mcu-nofit-" });
  try {
    const { compileCommand } = await import("./compile.ts");
    const c = capture();
    const code = await compileCommand(
      "mbv2-w0.35-r144",
      { engine: "tflm", board: "stm32f412", out: dir },
      c.io,
    );
    assert.equal(code, 1);
    assert.match(c.err[0] ?? "", /needs \d+ bytes of SRAM, board has 262144 \(\d+ over\)/);
    assert.match(c.err[0] ?? "", /SRAM peak at operator \d+ \(\w+, \d+ B of tensors live\)/);
    assert.match(c.err[0] ?? "", /firmware\.elf was not built/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tensors no board or emulator map can hold are refused before anything is allocated", async () => {
  const huge = reluGraph(0, "int8", 2 ** 29); // 512 MiB activations (a 2 GB one is the same)
  assert.throws(
    () => checkTensorSizes(huge),
    /tensor 0 \('in', int8 \[1,536870912\]\) needs 536870912 bytes; no microcontroller/,
  );
  await assert.rejects(
    () => runModel(huge, { engine: "tflm", board: getBoard("stm32f746") }),
    /no microcontroller has that much SRAM/,
  );
  // The model file itself stays small: the refusal comes from its declared shapes.
  assert.ok(writeTflite(huge).length < 2000);
});

Deno.test("--input /dev/zero and a model that is a symlink to it are refused before reading", async () => {
  const c = capture();
  const code = await runCommand(
    "mbv2-w0.35-r64",
    { engine: "tflm", board: "stm32f746", input: "/dev/zero", json: false },
    c.io,
  );
  assert.equal(code, 1);
  assert.match(c.err[0] ?? "", /Cannot read input file '\/dev\/zero': it is not a regular file/);
  const dir = await Deno.makeTempDir({ prefix: "mcu-zero-" });
  try {
    await Deno.symlink("/dev/zero", `${dir}/model.tflite`);
    await assert.rejects(
      () => loadModelFile(`${dir}/model.tflite`),
      /Cannot read model '.*model\.tflite': it is not a regular file/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("LEAKY_RELU alpha -0 survives the writer and the reader", () => {
  const g = reluGraph(0);
  const leaky: Graph = {
    ...g,
    nodes: [{ op: "LEAKY_RELU", inputs: [0], outputs: [1], options: { alpha: -0 } }],
  };
  const back = readTflite(writeTflite(leaky)).nodes[0]!;
  assert.equal(back.op, "LEAKY_RELU");
  assert.ok(back.op === "LEAKY_RELU" && Object.is(back.options.alpha, -0));
});

Deno.test("relative paths resolve against the user's directory (INIT_CWD under deno task)", () => {
  const before = Deno.env.get("INIT_CWD");
  try {
    Deno.env.set("INIT_CWD", "/home/me/models");
    assert.equal(userPath("a/model.tflite"), "/home/me/models/a/model.tflite");
    assert.equal(userPath("/abs/m.tflite"), "/abs/m.tflite");
    Deno.env.delete("INIT_CWD");
    assert.equal(userPath("a/model.tflite"), "a/model.tflite");
  } finally {
    if (before !== undefined) Deno.env.set("INIT_CWD", before);
    else Deno.env.delete("INIT_CWD");
  }
});

Deno.test("the default instruction budget comes from the model", () => {
  const small = reluGraph(0);
  assert.equal(defaultBudget(small), 2000 * 8 + 20_000_000);
});

Deno.test("Ctrl-C during mcu run leaves no mcu-fw-* build folder behind", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "mcu-sigint-" });
  const cwd = await Deno.makeTempDir({ prefix: "mcu-sigint-cwd-" });
  const repo = new URL("..", import.meta.url).pathname;
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--config",
        `${repo}deno.json`,
        `${repo}cli.ts`,
        "run",
        "mbv2-w0.35-r64",
        "--engine",
        "tflm",
      ],
      cwd, // an empty firmware cache: the run must build
      env: { TMPDIR: tmp },
      stdout: "null",
      stderr: "null",
    }).spawn();
    const started = Date.now();
    let seen = false;
    while (!seen && Date.now() - started < 120_000) {
      for (const e of Deno.readDirSync(tmp)) if (e.name.startsWith("mcu-fw-")) seen = true;
      if (!seen) await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(seen, "the run never started a build");
    child.kill("SIGINT");
    const status = await child.status;
    assert.equal(status.code, 130);
    // (gcc's own cc*.s temporaries are gcc's: it removes them when it ends.)
    const left = [...Deno.readDirSync(tmp)].map((e) => e.name).filter((n) => n.startsWith("mcu-"));
    assert.deepEqual(left, []);
  } finally {
    await Deno.remove(tmp, { recursive: true });
    await Deno.remove(cwd, { recursive: true });
  }
});
