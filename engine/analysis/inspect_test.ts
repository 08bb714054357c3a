import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { buildModel } from "../builders/mod.ts";
import { loadModelFile } from "../tflite/mod.ts";
import { inspectGraph } from "./inspect.ts";
import { testWithConfigs, testWithModels } from "../../engine/util/_test_shared.ts";
import { sharedModelsDir } from "../util/mod.ts";

const MODELS = new URL(`file://${sharedModelsDir()}/`);

testWithModels("inspectGraph() reports VWW's 7,489,664 MACs and 55,296 B lower bound", async () => {
  const g = await loadModelFile(new URL("mlperftiny_vww_mbv1_96_int8.tflite", MODELS));
  const r = inspectGraph(g);
  strictEqual(r.totals.macs, 7_489_664);
  strictEqual(r.liveness.tflm.bytes, 55_296);
  strictEqual(r.totals.ops, 31);
  deepStrictEqual(r.inputs.map((t) => t.shape), [[1, 96, 96, 3]]);
  strictEqual(r.ops[0]!.attrs, "3x3 s2 SAME RELU");
  strictEqual(r.opCounts.DEPTHWISE_CONV_2D, 13);
});

testWithConfigs("inspectGraph() returns a JSON-serializable report", () => {
  const r = inspectGraph(buildModel("mcunet-5fps"));
  deepStrictEqual(JSON.parse(JSON.stringify(r)), r);
});

Deno.test("inspectGraph() per-op figures add up to the totals", () => {
  const r = inspectGraph(buildModel("mbv2-w0.35-r144"));
  strictEqual(r.ops.reduce((s, o) => s + o.macs, 0), r.totals.macs);
  strictEqual(r.ops.reduce((s, o) => s + o.params, 0), r.totals.params);
  strictEqual(Math.max(...r.ops.map((o) => o.liveBytes)), r.liveness.tflm.bytes);
  strictEqual(Math.max(...r.ops.map((o) => o.liveBytesInPlace)), r.liveness.inPlace.bytes);
  strictEqual(
    r.tensors.filter((t) => t.constant).reduce((s, t) => s + t.bytes, 0),
    r.totals.paramBytes,
  );
});
