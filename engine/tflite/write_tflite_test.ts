import assert from "node:assert/strict";
import { type Graph, OP_NAMES } from "../ir/mod.ts";
import { ModelFormatError } from "../ir/mod.ts";
import { readTflite } from "./read_tflite.ts";
import { writeTflite } from "./write_tflite.ts";
import { FlatReader } from "./_flat.ts";
import { BUFFER, MODEL, OPERATOR_CODE } from "./_schema.ts";
import { handBuiltGraphs } from "../ir/_test_graphs.ts";
import { LSTM_MODEL, modelBytes, sharedModels, skipNote } from "./_test_util.ts";

const models = sharedModels().filter((f) => f !== LSTM_MODEL);

Deno.test({
  name: `writeTflite() round-trips every shared model field for field${skipNote()}`,
  ignore: models.length === 0,
  fn() {
    for (const file of models) {
      const g = readTflite(modelBytes(file));
      const bytes = writeTflite(g);
      assert.deepEqual(readTflite(bytes), g, `${file} changed in the round trip`);
      // Writing is deterministic.
      assert.deepEqual(writeTflite(readTflite(bytes)), bytes, `${file} is not written stably`);
    }
  },
});

Deno.test("writeTflite() round-trips a hand-built graph of every operator", () => {
  const graphs = handBuiltGraphs();
  assert.deepEqual(
    [...new Set(graphs.flatMap((g) => g.nodes.map((n) => n.op)))].sort(),
    [...OP_NAMES].sort(),
    "the hand-built graphs cover every IR operator",
  );
  for (const g of graphs) {
    assert.deepEqual(readTflite(writeTflite(g)), g, `graph '${g.name}' changed in the round trip`);
  }
});

Deno.test("writeTflite() writes version 3, an empty buffer 0 and 16-byte aligned data", () => {
  for (const g of handBuiltGraphs()) {
    const bytes = writeTflite(g);
    assert.equal(bytes.byteOffset, 0);
    const r = new FlatReader(bytes);
    const model = r.root("model");
    assert.equal(model.u32(MODEL.version, "version"), 3);
    const buffers = model.vector(MODEL.buffers, "buffers", 4)!;
    // Variable tensors get no buffer: their data is the reset value readers recreate.
    const constants = g.tensors.filter((t) => t.data && !t.variable).length;
    assert.equal(buffers.length, 1 + constants);
    assert.equal(model.tableAt(buffers, 0, "buffer 0").vector(BUFFER.data, "data", 1), undefined);
    for (let i = 1; i < buffers.length; i++) {
      const data = model.tableAt(buffers, i, `buffer ${i}`).vector(BUFFER.data, "data", 1)!;
      assert.equal(data.start % 16, 0, `buffer ${i} of '${g.name}' is not 16-byte aligned`);
    }
  }
});

Deno.test("writeTflite() fills both deprecated_builtin_code and builtin_code", () => {
  const g = handBuiltGraphs().find((x) => x.name === "hardswish")!;
  const model = new FlatReader(writeTflite(g)).root("model");
  const codes = model.vector(MODEL.operatorCodes, "operator_codes", 4)!;
  assert.equal(codes.length, 1);
  const code = model.tableAt(codes, 0, "operator code 0");
  assert.equal(code.i8(OPERATOR_CODE.deprecatedBuiltinCode, "deprecated_builtin_code"), 117);
  assert.equal(code.i32(OPERATOR_CODE.builtinCode, "builtin_code"), 117);
  assert.equal(code.i32(OPERATOR_CODE.version, "version"), 1);
});

Deno.test("writeTflite() shares one operator code between nodes of the same operator", () => {
  const add = handBuiltGraphs().find((x) => x.name === "add")!;
  const g: Graph = {
    ...add,
    tensors: [...add.tensors, add.tensors[2]!],
    nodes: [
      add.nodes[0]!,
      { op: "ADD", inputs: [2, 0], outputs: [3], options: { activation: "NONE" } },
    ],
    outputs: [3],
  };
  const bytes = writeTflite(g);
  const model = new FlatReader(bytes).root("model");
  assert.equal(model.vector(MODEL.operatorCodes, "operator_codes", 4)!.length, 1);
  assert.deepEqual(readTflite(bytes), g);
});

Deno.test("writeTflite() refuses an invalid graph with ModelFormatError", () => {
  const g = handBuiltGraphs()[0]!;
  assert.throws(
    () => writeTflite({ ...g, outputs: [42] }),
    (e: unknown) => e instanceof ModelFormatError && /output 0 refers to tensor 42/.test(e.message),
  );
});
