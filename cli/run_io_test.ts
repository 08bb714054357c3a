import assert from "node:assert/strict";
import { runCommand } from "./run.ts";
import { compileCommand } from "./compile.ts";
import { floatIoModel, floatIoTflite } from "../engine/builders/_test_float_io.ts";
import { toInt8Io, withFloatIo } from "../engine/ir/mod.ts";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

Deno.test("toInt8Io drops the float boundary and undoes withFloatIo; int8 graphs stay as they are", () => {
  const g = floatIoModel();
  const int8 = toInt8Io(g);
  assert.equal(g.nodes[0]!.op, "QUANTIZE");
  assert.equal(g.nodes.at(-1)!.op, "DEQUANTIZE");
  assert.equal(int8.nodes.length, g.nodes.length - 2);
  assert.ok(!int8.nodes.some((n) => n.op === "QUANTIZE" || n.op === "DEQUANTIZE"));
  assert.equal(int8.tensors[int8.inputs[0]!]!.dtype, "int8");
  assert.equal(int8.tensors[int8.outputs[0]!]!.dtype, "int8");
  assert.equal(toInt8Io(int8), int8);
  assert.deepEqual(toInt8Io(withFloatIo(int8)).nodes, int8.nodes);
});

for (const engine of ["tinyengine", "tflm"]) {
  Deno.test(`mcu run --io int8 on a float-I/O model is bit-exact without the boundary ops (${engine})`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "mcu-io-test-" });
    try {
      const path = `${dir}/float_io.tflite`;
      await Deno.writeFile(path, floatIoTflite());
      const reports = [];
      for (const io of ["model", "int8"]) {
        const c = capture();
        const code = await runCommand(path, { engine, board: "stm32f412", io, json: true }, c.io);
        assert.equal(code, 0, c.err.join("\n"));
        reports.push(JSON.parse(c.out[0]!));
      }
      const [model, int8] = reports;
      assert.equal(model.referenceMatch, true);
      assert.equal(int8.referenceMatch, true);
      assert.equal(model.layers[0].op, "QUANTIZE");
      assert.ok(!int8.layers.some((l: { op: string }) => /QUANTIZE/.test(l.op)));
      assert.ok(int8.instructions < model.instructions);
      assert.ok(int8.output.every((v: number) => Number.isInteger(v) && v >= -128 && v <= 127));
      const c = capture();
      assert.equal(
        await compileCommand(
          path,
          { engine, board: "stm32f412", out: `${dir}/out`, io: "int8" },
          c.io,
        ),
        0,
      );
      const plan = JSON.parse(await Deno.readTextFile(`${dir}/out/plan.json`));
      assert.ok(!plan.layers.some((l: { op: string }) => /QUANTIZE/.test(l.op)));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("mcu run --io with an unknown mode is a one-line usage error", async () => {
  const c = capture();
  assert.equal(
    await runCommand("mbv2-w0.35-r64", {
      engine: "tflm",
      board: "stm32f746",
      io: "float",
      json: false,
    }, c.io),
    1,
  );
  assert.deepEqual(c.err, ["error: Unknown --io 'float': expected one of model, int8"]);
});
