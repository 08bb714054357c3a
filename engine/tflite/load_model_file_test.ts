import assert from "node:assert/strict";
import { ModelFormatError, UnsupportedOpError } from "../ir/mod.ts";
import { loadModelFile } from "./load_model_file.ts";
import { writeTflite } from "./write_tflite.ts";
import { handBuiltGraphs } from "../ir/_test_graphs.ts";
import { modelsDir, unsupportedOpModel } from "./_test_util.ts";

Deno.test("loadModelFile() reports a missing file as ModelFormatError naming the path", async () => {
  const path = `${modelsDir()}/does_not_exist.tflite`;
  await assert.rejects(loadModelFile(path), (e: unknown) => {
    assert.ok(e instanceof ModelFormatError);
    assert.equal(e.message, `Cannot load model '${path}': no such file`);
    assert.ok(e.cause instanceof Deno.errors.NotFound);
    return true;
  });
});

Deno.test("loadModelFile() reports an empty file and a directory clearly", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const empty = `${dir}/empty.tflite`;
    await Deno.writeFile(empty, new Uint8Array(0));
    await assert.rejects(
      loadModelFile(empty),
      /Cannot load model '.*empty\.tflite': the file is empty/,
    );
    await assert.rejects(loadModelFile(dir), ModelFormatError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadModelFile() names the file in format errors and names the graph after it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const good = `${dir}/tiny_conv.tflite`;
    const bytes = writeTflite(handBuiltGraphs()[0]!);
    await Deno.writeFile(good, bytes);
    const g = await loadModelFile(good);
    assert.equal(g.name, "tiny_conv");
    const bad = `${dir}/cut.tflite`;
    await Deno.writeFile(bad, bytes.subarray(0, 40));
    await assert.rejects(
      loadModelFile(bad),
      /^ModelFormatError: Cannot load model '.*cut\.tflite': Cannot read /,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadModelFile() passes UnsupportedOpError through", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/bilstm.tflite`, unsupportedOpModel());
    await assert.rejects(loadModelFile(`${dir}/bilstm.tflite`), UnsupportedOpError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
