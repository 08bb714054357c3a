import { deepStrictEqual, doesNotMatch, match, strictEqual } from "node:assert/strict";
import { inspectCommand } from "./inspect.ts";
import { unsupportedOpModel } from "../engine/tflite/_test_util.ts";
import { testWithModels } from "../engine/util/_test_shared.ts";
import { sharedModelsDir } from "../engine/util/mod.ts";

const MODELS = new URL(`file://${sharedModelsDir()}/`);

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

testWithModels(
  "inspect prints a table with MACs and both liveness bounds for a .tflite file",
  async () => {
    const c = capture();
    const path = decodeURIComponent(new URL("mlperftiny_vww_mbv1_96_int8.tflite", MODELS).pathname);
    strictEqual(await inspectCommand(path, { json: false }, c.io), 0);
    const text = c.out.join("\n");
    match(text, /MACs: 7,489,664 \(7\.49M\)/);
    match(text, /TF-Lite Micro\): 55,296 B at op 2 \(CONV_2D\)/);
    deepStrictEqual(c.err, []);
  },
);

Deno.test("inspect --json prints one JSON object for a builder name", async () => {
  const c = capture();
  strictEqual(await inspectCommand("mbv2-w1.0-r224", { json: true }, c.io), 0);
  strictEqual(c.out.length, 1);
  const r = JSON.parse(c.out[0]!);
  strictEqual(r.liveness.inPlace.bytes, 1_404_928);
  strictEqual(r.liveness.tflm.bytes, 1_505_280);
});

Deno.test("inspect reports a missing file, a bad file and an unknown name in one line each", async () => {
  for (const model of ["/nonexistent/model.tflite", "no-such-model"]) {
    const c = capture();
    strictEqual(await inspectCommand(model, { json: false }, c.io), 1);
    strictEqual(c.err.length, 1);
    match(c.err[0]!, /^error: Cannot /);
    doesNotMatch(c.err[0]!, /\n\s+at /);
  }
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeTextFileSync(`${dir}/bad.tflite`, "not a model");
    const c = capture();
    strictEqual(await inspectCommand(`${dir}/bad.tflite`, { json: true }, c.io), 1);
    match(c.err[0]!, /bad\.tflite/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("inspect names an unsupported operator and its index", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeFileSync(`${dir}/bilstm.tflite`, unsupportedOpModel());
    const c = capture();
    strictEqual(await inspectCommand(`${dir}/bilstm.tflite`, { json: false }, c.io), 1);
    match(c.err[0]!, /operator \d+ \(BIDIRECTIONAL_SEQUENCE_LSTM\)/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
