import assert from "node:assert/strict";
import { ModelFormatError, UnsupportedOpError } from "../ir/mod.ts";
import { readTflite } from "./read_tflite.ts";
import { writeTflite } from "./write_tflite.ts";
import {
  buildRawModel,
  LSTM_MODEL,
  modelBytes,
  sharedModels,
  skipNote,
  unsupportedOpModel,
} from "./_test_util.ts";
import { handBuiltGraphs } from "../ir/_test_graphs.ts";

const models = sharedModels();
const noModels = models.length === 0;

Deno.test({
  name: `readTflite() imports every shared model${skipNote()}`,
  ignore: noModels,
  fn() {
    assert.ok(models.length >= 10, `expected at least 10 models, found ${models.length}`);
    for (const file of models) {
      const g = readTflite(modelBytes(file));
      assert.ok(g.nodes.length > 0, `${file} has no nodes`);
      assert.ok(g.inputs.length > 0 && g.outputs.length > 0, `${file} has no inputs or outputs`);
    }
  },
});

Deno.test({
  name:
    `readTflite() reads the LSTM model's state as variable tensors at their reset value${skipNote()}`,
  ignore: !models.includes(LSTM_MODEL),
  fn() {
    const g = readTflite(modelBytes(LSTM_MODEL));
    const lstm = g.nodes[0]!;
    assert.equal(lstm.op, "UNIDIRECTIONAL_SEQUENCE_LSTM");
    assert.deepEqual(lstm.options, { cellClip: 10, projClip: 0, timeMajor: false });
    const hidden = g.tensors[lstm.inputs[18]!]!;
    const cell = g.tensors[lstm.inputs[19]!]!;
    assert.ok(hidden.variable && cell.variable);
    assert.deepEqual([hidden.dtype, cell.dtype], ["int8", "int16"]);
    assert.ok(cell.data!.every((v) => v === 0));
    assert.equal(cell.quant!.scale[0], 2 ** -12);
  },
});

Deno.test("readTflite() names an unsupported operator and its index", () => {
  assert.throws(() => readTflite(unsupportedOpModel()), (e: unknown) => {
    assert.ok(e instanceof UnsupportedOpError);
    assert.equal(e.opName, "BIDIRECTIONAL_SEQUENCE_LSTM");
    assert.equal(e.opIndex, 0);
    assert.match(e.message, /operator 0 \(BIDIRECTIONAL_SEQUENCE_LSTM\)/);
    return true;
  });
});

Deno.test({
  name: `readTflite() reads the VWW MobileNetV1 model's input, output and layers${skipNote()}`,
  ignore: !models.includes("mlperftiny_vww_mbv1_96_int8.tflite"),
  fn() {
    const g = readTflite(modelBytes("mlperftiny_vww_mbv1_96_int8.tflite"));
    const input = g.tensors[g.inputs[0]!]!;
    const output = g.tensors[g.outputs[0]!]!;
    assert.deepEqual(input.shape, [1, 96, 96, 3]);
    assert.equal(input.dtype, "int8");
    assert.deepEqual(output.shape, [1, 2]);
    assert.equal(output.dtype, "int8");
    const count = (op: string) => g.nodes.filter((n) => n.op === op).length;
    assert.equal(count("CONV_2D"), 14);
    assert.equal(count("DEPTHWISE_CONV_2D"), 13);
    const first = g.nodes[0]!;
    assert.equal(first.op, "CONV_2D");
    if (first.op === "CONV_2D") {
      assert.equal(first.options.strideH, 2);
      const w = g.tensors[first.inputs[1]!]!;
      assert.deepEqual(w.shape, [8, 3, 3, 3]);
      assert.equal(w.quant?.scale.length, 8, "filter is quantized per output channel");
      assert.equal(w.data?.byteLength, 8 * 3 * 3 * 3);
    }
  },
});

Deno.test({
  name:
    `readTflite() reads float input and output around QUANTIZE/DEQUANTIZE in ToyCar${skipNote()}`,
  ignore: !models.includes("mlperftiny_ad_toycar_fullint_floatio.tflite"),
  fn() {
    const g = readTflite(modelBytes("mlperftiny_ad_toycar_fullint_floatio.tflite"));
    assert.equal(g.tensors[g.inputs[0]!]!.dtype, "float32");
    assert.deepEqual(g.tensors[g.inputs[0]!]!.shape, [1, 640]);
    assert.equal(g.nodes[0]!.op, "QUANTIZE");
    assert.equal(g.nodes[g.nodes.length - 1]!.op, "DEQUANTIZE");
  },
});

Deno.test({
  name: `readTflite() reads the hello world model's three fully connected layers${skipNote()}`,
  ignore: !models.includes("tflm_hello_world_int8.tflite"),
  fn() {
    const g = readTflite(modelBytes("tflm_hello_world_int8.tflite"));
    assert.deepEqual(g.nodes.map((n) => n.op), [
      "FULLY_CONNECTED",
      "FULLY_CONNECTED",
      "FULLY_CONNECTED",
    ]);
    assert.deepEqual(g.tensors[g.inputs[0]!]!.shape, [1, 1]);
  },
});

Deno.test("readTflite() uses options.name, else the subgraph name", () => {
  const g = handBuiltGraphs()[0]!;
  const bytes = writeTflite(g);
  assert.equal(readTflite(bytes).name, g.name);
  assert.equal(readTflite(bytes, { name: "renamed" }).name, "renamed");
});

Deno.test("readTflite() rejects empty, short and non-TFLite input with ModelFormatError", () => {
  assert.throws(() => readTflite(new Uint8Array(0)), ModelFormatError);
  assert.throws(() => readTflite(new Uint8Array(7)), /too few for a flatbuffer/);
  const bytes = writeTflite(handBuiltGraphs()[0]!);
  bytes[4] = "X".charCodeAt(0);
  assert.throws(() => readTflite(bytes), /file identifier is "XFL3", expected "TFL3"/);
});

Deno.test("readTflite() says where a truncated file ends", () => {
  const bytes = writeTflite(handBuiltGraphs()[0]!);
  for (const n of [8, 16, 64, bytes.length >> 1, (bytes.length * 3) >> 2]) {
    assert.throws(
      () => readTflite(bytes.subarray(0, n)),
      (e: unknown) =>
        e instanceof ModelFormatError && /^Cannot read .+: .*(outside|claims)/.test(e.message),
    );
  }
});

Deno.test("readTflite() rejects a schema version other than 3", () => {
  const bytes = buildRawModel({ version: 2, opcodes: [], ops: [], tensors: [], buffers: [null] });
  assert.throws(() => readTflite(bytes), /schema version is 2, expected 3/);
});

Deno.test("readTflite() reports a tensor's buffer index out of range", () => {
  const bytes = buildRawModel({
    opcodes: [],
    ops: [],
    tensors: [{ shape: [1, 4], type: 0, buffer: 0 }, { shape: [4], type: 0, buffer: 99 }],
    buffers: [null, null],
  });
  assert.throws(
    () => readTflite(bytes),
    (e: unknown) =>
      e instanceof ModelFormatError &&
      e.message ===
        "Cannot read tensor 1 of subgraph 0: buffer index 99 out of range (model has 2 buffers)",
  );
});

Deno.test("readTflite() names custom operators by their custom code", () => {
  const bytes = buildRawModel({
    opcodes: [{ deprecated: 32, builtin: 32, custom: "TFLite_Detection_PostProcess" }],
    ops: [{ opcode: 0, inputs: [0], outputs: [0] }],
    tensors: [{ shape: [1, 4], type: 0, buffer: 0 }],
    buffers: [null],
  });
  assert.throws(() => readTflite(bytes), (e: unknown) => {
    assert.ok(e instanceof UnsupportedOpError);
    assert.equal(e.opName, "TFLite_Detection_PostProcess");
    assert.equal(e.opIndex, 0);
    assert.match(e.message, /it is not supported: it is a custom operator/);
    return true;
  });
});

Deno.test("readTflite() takes the larger of deprecated_builtin_code and builtin_code", () => {
  const raw = (deprecated: number, builtin: number) =>
    buildRawModel({
      opcodes: [{ deprecated: 0 }, { deprecated, builtin }],
      ops: [{ opcode: 1, inputs: [0], outputs: [0] }],
      tensors: [{ shape: [1, 4], type: 0, buffer: 0 }],
      buffers: [null],
    });
  // DYNAMIC_UPDATE_SLICE (151) cannot be held by the int8 field: old writers put 127 there.
  assert.throws(() => readTflite(raw(127, 151)), (e: unknown) => {
    assert.ok(e instanceof UnsupportedOpError);
    assert.equal(e.opName, "DYNAMIC_UPDATE_SLICE");
    return true;
  });
  // Old files have only the deprecated field.
  assert.throws(() => readTflite(raw(36, 0)), (e: unknown) => {
    assert.ok(e instanceof UnsupportedOpError);
    assert.equal(e.opName, "GATHER");
    return true;
  });
  // Codes newer than the name table still get a name.
  assert.throws(() => readTflite(raw(127, 400)), /BUILTIN_400/);
});

Deno.test("readTflite() says when subgraph 0 calls other subgraphs", () => {
  const bytes = buildRawModel({
    opcodes: [{ deprecated: 119, builtin: 119 }],
    ops: [{ opcode: 0, inputs: [0], outputs: [0] }],
    tensors: [{ shape: [1], type: 2, buffer: 0 }],
    buffers: [null],
    subgraphCount: 3,
  });
  assert.throws(() => readTflite(bytes), (e: unknown) => {
    assert.ok(e instanceof UnsupportedOpError);
    assert.equal(e.opName, "WHILE");
    assert.match(e.message, /refers to other subgraphs \(the model has 3\)/);
    return true;
  });
});

Deno.test("readTflite() rejects an opcode index out of range", () => {
  const bytes = buildRawModel({
    opcodes: [{ deprecated: 0 }],
    ops: [{ opcode: 5, inputs: [0, 0], outputs: [0] }],
    tensors: [{ shape: [1, 4], type: 0, buffer: 0 }],
    buffers: [null],
  });
  assert.throws(
    () => readTflite(bytes),
    /operator 0 of subgraph 0: opcode index 5 out of range \(model has 1 operator codes\)/,
  );
});

Deno.test("readTflite() rejects tensor types the IR does not keep", () => {
  const bytes = buildRawModel({
    opcodes: [],
    ops: [],
    tensors: [{ shape: [1, 4], type: 1, buffer: 0 }],
    buffers: [null],
  });
  assert.throws(() => readTflite(bytes), /tensor 0 of subgraph 0: element type FLOAT16/);
});

Deno.test("readTflite() rejects a fused TANH activation as unsupported", () => {
  const g = handBuiltGraphs().find((x) => x.name === "add")!;
  const bytes = writeTflite(g);
  // AddOptions holds one byte, the fused activation (RELU = 1): find it through a second
  // model that differs only in that byte.
  const other = writeTflite({
    ...g,
    nodes: [{ op: "ADD", inputs: [0, 1], outputs: [2], options: { activation: "RELU6" } }],
  });
  const diffs = [...bytes.keys()].filter((i) => bytes[i] !== other[i]);
  assert.equal(diffs.length, 1);
  bytes[diffs[0]!] = 4; // TANH
  assert.throws(() => readTflite(bytes), (e: unknown) => {
    assert.ok(e instanceof UnsupportedOpError);
    assert.equal(e.opName, "ADD");
    assert.match(e.message, /fused activation TANH/);
    return true;
  });
  bytes[diffs[0]!] = 9;
  assert.throws(() => readTflite(bytes), /fused activation code 9 is invalid/);
});

Deno.test("readTflite() rejects a vector that claims more elements than the file holds", () => {
  const bytes = buildRawModel({
    opcodes: [],
    ops: [],
    tensors: [{ shape: [1, 2, 3, 4], type: 0, buffer: 0 }],
    buffers: [null],
  });
  // The shape vector [1, 2, 3, 4] is preceded by its length, 4.
  const view = new DataView(bytes.buffer);
  let at = -1;
  for (let i = 0; i + 20 <= bytes.length; i += 4) {
    if ([4, 1, 2, 3, 4].every((v, k) => view.getInt32(i + 4 * k, true) === v)) at = i;
  }
  assert.ok(at >= 0);
  view.setInt32(at, 0x7fffffff, true);
  assert.throws(() => readTflite(bytes), /vector 'shape' .* claims 2147483647 elements/);
});

Deno.test("readTflite() reads buffer data stored after the flatbuffer through offset and size", () => {
  const weights = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
  const raw = (offset: number) =>
    buildRawModel({
      opcodes: [],
      ops: [],
      tensors: [{ shape: [1, 4], type: 0, buffer: 0 }, { shape: [4], type: 0, buffer: 1 }],
      buffers: [null, { offset, size: weights.length }],
    });
  // The offset's value does not change the flatbuffer's size: build once to learn it.
  const size = raw(0x7fff).length;
  const head = raw(size);
  const file = new Uint8Array(size + weights.length);
  file.set(head);
  file.set(weights, size);
  assert.deepEqual(readTflite(file).tensors[1]!.data, weights);
  assert.throws(
    () => readTflite(file.subarray(0, file.length - 1)),
    /buffer 1 \(of tensor 1 of subgraph 0\): data stored outside the flatbuffer at byte \d+ \(16 bytes\) lies outside the file/,
  );
});

Deno.test("readTflite() gives tensors that share a buffer the same bytes", () => {
  const bytes = buildRawModel({
    opcodes: [],
    ops: [],
    tensors: [
      { shape: [1, 4], type: 0, buffer: 0 },
      { shape: [2], type: 2, buffer: 1 },
      { shape: [2], type: 2, buffer: 1 },
    ],
    buffers: [null, new Uint8Array([1, 0, 0, 0, 2, 0, 0, 0])],
  });
  const g = readTflite(bytes);
  assert.deepEqual(g.tensors[1]!.data, new Uint8Array([1, 0, 0, 0, 2, 0, 0, 0]));
  assert.deepEqual(g.tensors[2]!.data, g.tensors[1]!.data);
});

Deno.test({
  name:
    `readTflite() puts person detection's per-channel bias quantization on dimension 0${skipNote()}`,
  ignore: !models.includes("tflm_person_detect_int8.tflite"),
  fn() {
    // The file says quantized_dimension 3 for its rank-1 depthwise biases.
    const g = readTflite(modelBytes("tflm_person_detect_int8.tflite"));
    const biases = g.tensors.filter((t) =>
      t.shape.length === 1 && (t.quant?.scale.length ?? 0) > 1
    );
    assert.ok(biases.length > 0);
    for (const t of biases) assert.equal(t.quant!.axis, 0, t.name);
  },
});

Deno.test("readTflite() reads SQUEEZE and EXPAND_DIMS as RESHAPE to the output shape", () => {
  const axis = new Uint8Array(new Int32Array([1]).buffer);
  // SQUEEZE (43): [1, 1, 4] -> [1, 4].
  const squeeze = readTflite(buildRawModel({
    opcodes: [{ deprecated: 43, builtin: 43 }],
    ops: [{ opcode: 0, inputs: [0], outputs: [1] }],
    tensors: [
      { shape: [1, 1, 4], type: 9, buffer: 0, scale: 0.5 },
      { shape: [1, 4], type: 9, buffer: 0, scale: 0.5 },
    ],
    buffers: [null],
  }));
  assert.deepEqual(squeeze.nodes, [
    { op: "RESHAPE", inputs: [0], outputs: [1], options: { newShape: [1, 4] } },
  ]);
  // EXPAND_DIMS (70): [1, 4] -> [1, 1, 4]; the constant axis input is dropped from the node.
  const expand = readTflite(buildRawModel({
    opcodes: [{ deprecated: 70, builtin: 70 }],
    ops: [{ opcode: 0, inputs: [0, 1], outputs: [2] }],
    tensors: [
      { shape: [1, 4], type: 9, buffer: 0, scale: 0.5 },
      { shape: [1], type: 2, buffer: 1 },
      { shape: [1, 1, 4], type: 9, buffer: 0, scale: 0.5 },
    ],
    buffers: [null, axis],
  }));
  assert.deepEqual(expand.nodes, [
    { op: "RESHAPE", inputs: [0], outputs: [2], options: { newShape: [1, 1, 4] } },
  ]);
  // Written back as RESHAPE, the graph reads identically.
  assert.deepEqual(readTflite(writeTflite(expand)), expand);
  assert.deepEqual(readTflite(writeTflite(squeeze)), squeeze);
});

Deno.test("readTflite() maps the builtin codes of the activation and binary operators", () => {
  const codes = [
    [19, "RELU"],
    [20, "RELU_N1_TO_1"],
    [21, "RELU6"],
    [28, "TANH"],
    [98, "LEAKY_RELU"],
  ] as const;
  for (const [code, op] of codes) {
    const g = readTflite(buildRawModel({
      opcodes: [{ deprecated: code, builtin: code }],
      ops: [{ opcode: 0, inputs: [0], outputs: [1] }],
      tensors: [
        { shape: [1, 4], type: 9, buffer: 0, scale: 0.5 },
        { shape: [1, 4], type: 9, buffer: 0, scale: 1 / 128 },
      ],
      buffers: [null],
    }));
    assert.equal(g.nodes[0]!.op, op);
    // LEAKY_RELU without an options table has the schema default alpha 0.
    if (op === "LEAKY_RELU") assert.deepEqual(g.nodes[0]!.options, { alpha: 0 });
  }
  for (const [code, op] of [[41, "SUB"], [55, "MAXIMUM"], [57, "MINIMUM"]] as const) {
    const g = readTflite(buildRawModel({
      opcodes: [{ deprecated: code, builtin: code }],
      ops: [{ opcode: 0, inputs: [0, 1], outputs: [2] }],
      tensors: [
        { shape: [1, 4], type: 9, buffer: 0, scale: 0.5 },
        { shape: [4], type: 9, buffer: 1, scale: 0.5 },
        { shape: [1, 4], type: 9, buffer: 0, scale: 0.5 },
      ],
      buffers: [null, new Uint8Array([1, 2, 3, 4])],
    }));
    assert.equal(g.nodes[0]!.op, op);
  }
});

Deno.test("readTflite() rejects STRIDED_SLICE ellipsis and new-axis masks with UnsupportedOpError", () => {
  const vec = (v: number[]) => new Uint8Array(new Int32Array(v).buffer);
  const model = (slot: number, value: number) =>
    buildRawModel({
      opcodes: [{ deprecated: 0 }, { deprecated: 45, builtin: 45 }],
      ops: [
        { opcode: 0, inputs: [0, 0], outputs: [1] },
        {
          opcode: 1,
          inputs: [1, 2, 3, 4],
          outputs: [5],
          options: { type: 32, ints: [[0, 1], [slot, value]] },
        },
      ],
      tensors: [
        { shape: [2, 4], type: 9, buffer: 0, scale: 0.5 },
        { shape: [2, 4], type: 9, buffer: 0, scale: 0.5 },
        { shape: [2], type: 2, buffer: 1 },
        { shape: [2], type: 2, buffer: 2 },
        { shape: [2], type: 2, buffer: 3 },
        { shape: [2, 2], type: 9, buffer: 0, scale: 0.5 },
      ],
      buffers: [null, vec([0, 0]), vec([2, 4]), vec([1, 2])],
    });
  for (const [slot, name] of [[2, "ellipsis_mask"], [3, "new_axis_mask"]] as const) {
    assert.throws(() => readTflite(model(slot, 2)), (e: unknown) => {
      assert.ok(e instanceof UnsupportedOpError);
      assert.equal(e.opName, "STRIDED_SLICE");
      assert.equal(e.opIndex, 1);
      assert.match(
        e.message,
        new RegExp(
          `${name} 2 is not supported \\(only begin_mask, end_mask, shrink_axis_mask and offset\\)`,
        ),
      );
      return true;
    });
  }
  // begin_mask (slot 0) and end_mask (slot 1) are read from the real option slots.
  const g = readTflite(model(1, 1));
  assert.deepEqual(g.nodes[1]!.options, {
    beginMask: 1,
    endMask: 1,
    shrinkAxisMask: 0,
    offset: false,
  });
  assert.deepEqual(g.tensors[5]!.shape, [2, 2]);
});
