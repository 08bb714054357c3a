import { floatIoModel, floatIoTflite } from "../engine/builders/_test_float_io.ts";
import { toInt8Io } from "../engine/ir/mod.ts";
import { writeTflite } from "../engine/tflite/mod.ts";
import assert from "node:assert/strict";
import { join } from "node:path";
import { defaultSuites, resolveSuite } from "./suites.ts";

const absent = "/nonexistent/mcunet-bench";

Deno.test("resolveSuite('paper') measures each network on its published boards plus stm32f746", () => {
  const dir = Deno.makeTempDirSync();
  try {
    for (const f of ["mcunet-256kb-1mb_imagenet.json", "mbv2-w0.3-r80_imagenet.json"]) {
      Deno.writeTextFileSync(join(dir, f), "{}");
    }
    // Configs present for two networks: those two, the MobileNetV2s and Proxyless w0.3-r64 (the
    // builder scales a config from the folder); the other MCUNet/Proxyless networks are skipped.
    const partial = resolveSuite("paper", { configsDir: dir, modelsDir: absent });
    assert.deepEqual(partial.cases.map((c) => c.id), [
      "mcunet-256kb-1mb",
      "mbv2-w0.3-r80",
      "mbv2-w0.35-r144",
      "mbv2-w0.35-r64",
      "proxyless-w0.3-r64",
    ]);
    assert.equal(partial.notes.length, 6);
    for (
      const n of ["320kb-1mb", "512kb-2mb", "5fps", "10fps"].map((x) => `mcunet-${x}`)
        .concat(["mbv2-w0.35-r144", "proxyless-w0.25-r112", "proxyless-w0.3-r176"])
    ) {
      Deno.writeTextFileSync(join(dir, `${n}_imagenet.json`), "{}");
    }
    const { cases, notes } = resolveSuite("paper", { configsDir: dir, modelsDir: absent });
    assert.deepEqual(notes, []);
    assert.ok(
      cases.filter((c) => c.id !== "mbv2-w0.35-r64" && c.id !== "proxyless-w0.3-r64")
        .every((c) => c.source.kind === "config"),
    );
    const byId = new Map(cases.map((c) => [c.id, c]));
    assert.deepEqual(byId.get("mcunet-256kb-1mb")?.boards, ["stm32h743", "stm32f412", "stm32f746"]);
    assert.deepEqual(byId.get("mcunet-256kb-1mb")?.source.kind, "config");
    assert.deepEqual(byId.get("proxyless-w0.3-r176")?.boards, ["stm32h743", "stm32f746"]);
    assert.deepEqual(byId.get("mbv2-w0.35-r64")?.source, {
      kind: "builder",
      spec: "mbv2-w0.35-r64",
    });
    assert.equal(cases.length, 11);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("resolveSuite('paper') builds what it can without the configs and names what it skips", () => {
  const { cases, notes } = resolveSuite("paper", { configsDir: absent });
  assert.ok(cases.every((c) => c.source.kind === "builder"));
  assert.deepEqual(cases.map((c) => c.id), [
    "mbv2-w0.3-r80",
    "mbv2-w0.35-r144",
    "mbv2-w0.35-r64",
  ]);
  assert.equal(notes.length, 8);
  assert.match(
    notes[0] ?? "",
    /^paper: skipped mcunet-256kb-1mb, it needs .* \(set MCU_CONFIGS_DIR\)$/,
  );
});

Deno.test("resolveSuite('mlperf') is skipped with a clear line when the models are absent", () => {
  const { cases, notes } = resolveSuite("mlperf", { modelsDir: absent });
  assert.equal(cases.length, 0);
  assert.match(notes[0] ?? "", /^mlperf: skipped, .* is absent \(set MCU_MODELS_DIR/);
});

Deno.test("resolveSuite('mlperf') puts the models present on the MLPerf board and stm32f746", () => {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeFileSync(join(dir, "mlperftiny_kws_dscnn_int8.tflite"), new Uint8Array(4));
    const { cases } = resolveSuite("mlperf", { modelsDir: dir });
    assert.deepEqual(cases.map((c) => [c.id, c.boards]), [["mlperf-kws", [
      "nucleo-l4r5zi",
      "stm32f746",
    ]]]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("resolveSuite('gate') keeps its builder models and skips absent shared ones with a note", () => {
  const { cases, notes } = resolveSuite("gate", { configsDir: absent, modelsDir: absent });
  assert.deepEqual(cases.map((c) => [c.id, c.boards]), [
    ["mbv2-w0.35-r64", ["stm32f746", "stm32f412"]],
    ["mbv1-w0.25-r96-c2", ["stm32f746", "stm32f412"]],
    ["real-cls-48", ["stm32f746", "stm32f412"]],
    ["real-det-64x80", ["stm32f746", "stm32f412"]],
    ["real-attention", ["stm32f746", "stm32f412"]],
  ]);
  assert.equal(notes.length, 3);
  assert.match(notes[0]!, /^gate: skipped mcunet-10fps, .* is absent$/);
});

Deno.test("resolveSuite() rejects an unknown suite naming the known ones", () => {
  assert.throws(
    () => resolveSuite("nope"),
    /Cannot find suite 'nope': known suites are paper, mlperf/,
  );
  assert.deepEqual(defaultSuites(), ["paper", "mlperf", "real"]);
});

Deno.test("resolveSuite('real'): generated export-pattern models, empty slots and the shared models beside mlperf", () => {
  const dir = Deno.makeTempDirSync({ prefix: "mcu-suite-real-" });
  try {
    Deno.writeFileSync(join(dir, "floaty.tflite"), floatIoTflite());
    Deno.writeFileSync(join(dir, "mlperftiny_kws_dscnn_int8.tflite"), floatIoTflite());
    const { cases, notes } = resolveSuite("real", { modelsDir: dir });
    const ids = cases.map((c) => c.id);
    assert.deepEqual(ids.filter((id) => id.startsWith("real-")), [
      "real-cls-80",
      "real-det-128x160",
      "real-cls-48",
      "real-det-64x80",
      "real-lstm",
      "real-svdf",
      "real-attention",
    ]);
    // The models folder's files not measured by the mlperf suite, with their int8-I/O twins.
    assert.deepEqual(ids.filter((id) => !id.startsWith("real-")), ["floaty", "floaty-int8io"]);
    // Every slot is filled: no operator is pending.
    assert.ok(!notes.some((n) => n.startsWith("real: slot ")), notes.join("; "));
    const { cases: none, notes: why } = resolveSuite("real", { modelsDir: absent });
    assert.equal(none.length, 7);
    assert.ok(why.some((n) => /skipped the shared models, .* is absent/.test(n)));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a float-I/O .tflite gets an int8-I/O twin case (--io int8); an int8 model does not", () => {
  const dir = Deno.makeTempDirSync({ prefix: "mcu-suite-io-" });
  try {
    Deno.writeFileSync(join(dir, "floaty.tflite"), floatIoTflite());
    Deno.writeFileSync(join(dir, "int8.tflite"), writeTflite(toInt8Io(floatIoModel())));
    const { cases } = resolveSuite("external", { externalDir: dir });
    assert.deepEqual(cases.map((c) => [c.id, c.source.kind === "tflite" && c.source.io]), [
      ["floaty", undefined],
      ["floaty-int8io", "int8"],
      ["int8", undefined],
    ]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
