/**
 * The reference interpreter on the real models in ../shared/models (or $MCU_MODELS_DIR):
 * every supported model runs on a seeded random input, and TF-Lite Micro's person-detection
 * example classifies its two test images correctly.
 */

import assert from "node:assert/strict";
import { type Graph, tensorBytes } from "../ir/mod.ts";
import { loadModelFile } from "../tflite/mod.ts";
import { readBmp, toInt8 } from "../util/mod.ts";
import { createRng } from "../util/mod.ts";
import { interpret } from "./interpret.ts";
import { sharedModelsDir } from "../util/mod.ts";

const MODELS_DIR = sharedModelsDir();

function exists(path: string): boolean {
  if (Deno.permissions.querySync({ name: "read", path }).state !== "granted") return false;
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

const present = exists(MODELS_DIR);
const skipNote = present ? "" : ` (skipped: ${MODELS_DIR} not found; set MCU_MODELS_DIR)`;

/** Models the interpreter cannot run, with the reason. */
const UNSUPPORTED: Record<string, string> = {};

const models = present
  ? [...Deno.readDirSync(MODELS_DIR)]
    .map((e) => e.name)
    .filter((n) => n.endsWith(".tflite") && !(n in UNSUPPORTED))
    .sort()
  : [];

function randomInputs(graph: Graph, seed: number): Uint8Array[] {
  const rng = createRng(seed);
  return graph.inputs.map((index) => {
    const t = graph.tensors[index]!;
    const bytes = new Uint8Array(tensorBytes(t));
    if (t.dtype === "float32") {
      const f = new Float32Array(bytes.buffer);
      for (let i = 0; i < f.length; i++) f[i] = (rng.next() * 2 - 1) * 4;
    } else {
      for (let i = 0; i < bytes.length; i++) bytes[i] = rng.int(256);
    }
    return bytes;
  });
}

Deno.test({
  name: `interpret() runs every supported model in ../shared/models on a seeded input${skipNote}`,
  ignore: !present,
  fn: async (t) => {
    assert.ok(models.length >= 10, `expected the shared models, found ${models.length}`);
    for (const name of models) {
      await t.step(name, async (t) => {
        const graph = await loadModelFile(`${MODELS_DIR}/${name}`);
        const inputs = randomInputs(graph, 20261125);
        const first = interpret(graph, inputs);
        const again = interpret(graph, inputs);
        assert.equal(first.outputs.length, graph.outputs.length);
        const summary: { dtype: string; sha256: string; head: number[] }[] = [];
        for (const [i, out] of first.outputs.entries()) {
          const t = graph.tensors[graph.outputs[i]!]!;
          assert.equal(out.byteLength, tensorBytes(t));
          assert.deepEqual(out, again.outputs[i], "outputs are deterministic");
          const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new Uint8Array(out)));
          const head = t.dtype === "float32"
            ? Array.from(new Float32Array(out.buffer, 0, Math.min(8, out.byteLength >> 2)))
            : Array.from(new Int8Array(out.buffer, 0, Math.min(16, out.byteLength)));
          summary.push({
            dtype: t.dtype,
            sha256: Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join(""),
            head,
          });
        }
        // Committed expectations: a change here changes what firmware is checked against.
        await t.assertSnapshot(summary);
      });
    }
  },
});

Deno.test({
  name: `interpret() runs the ~7.5M-MAC MLPerf VWW model in well under a few seconds${skipNote}`,
  ignore: !present || !exists(`${MODELS_DIR}/mlperftiny_vww_mbv1_96_int8.tflite`),
  fn: async () => {
    const graph = await loadModelFile(`${MODELS_DIR}/mlperftiny_vww_mbv1_96_int8.tflite`);
    const inputs = randomInputs(graph, 1);
    const start = performance.now();
    interpret(graph, inputs);
    const ms = performance.now() - start;
    assert.ok(ms < 5000, `VWW took ${ms.toFixed(0)} ms`);
  },
});

const PERSON_MODEL = `${MODELS_DIR}/tflm_person_detect_int8.tflite`;

Deno.test({
  name: `interpret() ranks TFLM's person.bmp as person and no_person.bmp as no person${skipNote}`,
  ignore: !present || !exists(PERSON_MODEL),
  fn: async () => {
    const graph = await loadModelFile(PERSON_MODEL);
    // TFLM's model_settings: category 0 = "notperson", 1 = "person". The example test memcpy's
    // the BMP's 8-bit pixel bytes (as generate_cc_arrays.py embeds them) into the int8 input.
    const score = (file: string) => {
      const img = readBmp(Deno.readFileSync(`${MODELS_DIR}/testdata/${file}`));
      assert.equal(img.width * img.height * img.channels, 96 * 96);
      const input = toInt8(img.indices ?? img.pixels, "reinterpret");
      const [out] = interpret(graph, [input]).outputs;
      return Array.from(new Int8Array(out!.buffer));
    };
    const [noPersonOnPerson, personOnPerson] = score("tflm_person.bmp") as [number, number];
    const [noPersonOnEmpty, personOnEmpty] = score("tflm_no_person.bmp") as [number, number];
    assert.ok(
      personOnPerson > noPersonOnPerson,
      `person.bmp: ${personOnPerson} vs ${noPersonOnPerson}`,
    );
    assert.ok(
      noPersonOnEmpty > personOnEmpty,
      `no_person.bmp: ${noPersonOnEmpty} vs ${personOnEmpty}`,
    );
    // TF-Lite Micro itself gives 'not a person' = -113, 'person' = 113 for this model on the
    // person image (tensorflow/tflite-micro issue #395): an independent bit-exact anchor.
    assert.deepEqual([noPersonOnPerson, personOnPerson], [-113, 113]);
    // Regression anchor of this interpreter for the no-person image.
    assert.deepEqual([noPersonOnEmpty, personOnEmpty], [57, -57]);
  },
});
