import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { buildModel } from "../builders/mod.ts";
import { depthwiseOptions, type Graph, type Tensor } from "../ir/mod.ts";
import { loadModelFile } from "../tflite/mod.ts";
import { layerwiseBounds, livenessBound } from "./liveness.ts";
import { testWithModels } from "../../engine/util/_test_shared.ts";
import { sharedModelsDir } from "../util/mod.ts";

const MODELS = new URL(`file://${sharedModelsDir()}/`);

testWithModels("the MLPerf Tiny VWW model's liveness lower bound is 55,296 bytes", async () => {
  const g = await loadModelFile(new URL("mlperftiny_vww_mbv1_96_int8.tflite", MODELS));
  const b = livenessBound(g);
  strictEqual(b.bytes, 55_296);
  strictEqual(b.peakOpName, "CONV_2D");
  deepStrictEqual(b.live.map((l) => [l.role, l.bytes]), [["input", 18_432], ["output", 36_864]]);
});

testWithModels(
  "the MLPerf Tiny bounds match the published ones (ResNet-8, DS-CNN, autoencoder)",
  async () => {
    const bound = async (f: string) => livenessBound(await loadModelFile(new URL(f, MODELS))).bytes;
    strictEqual(await bound("mlperftiny_ic_resnet8_int8.tflite"), 49_152);
    strictEqual(await bound("mlperftiny_kws_dscnn_int8.tflite"), 16_000);
    strictEqual(await bound("mlperftiny_ad_fc_autoencoder_int8.tflite"), 768);
  },
);

Deno.test("MobileNetV2 w1.0 r224: 1,505,280 B without in-place, 1,404,928 B with it", () => {
  const g = buildModel("mbv2-w1.0-r224");
  const { tflm, inPlace } = layerwiseBounds(g);
  // Without in-place: the first expand-ratio-6 block's stride-2 depthwise.
  strictEqual(tflm.bytes, 1_505_280);
  strictEqual(tflm.peakOpName, "DEPTHWISE_CONV_2D");
  deepStrictEqual(tflm.live.map((l) => l.shape), [[1, 112, 112, 96], [1, 56, 56, 96]]);
  // In place: that block's expansion 1x1 conv (112x112x16 in + 112x112x96 out).
  strictEqual(inPlace.bytes, 1_404_928);
  strictEqual(inPlace.peakOpName, "CONV_2D");
  strictEqual(inPlace.peakOp, tflm.peakOp - 1);
  deepStrictEqual(inPlace.live.map((l) => [l.role, l.shape]), [
    ["input", [1, 112, 112, 16]],
    ["output", [1, 112, 112, 96]],
  ]);
  strictEqual(g.tensors[inPlace.live[1]!.tensor]!.name, "block1/expand");
});

Deno.test("a residual input stays live across the block as a carried tensor", () => {
  const g = buildModel("resnet8");
  const b = livenessBound(g);
  strictEqual(b.bytes, 49_152);
  deepStrictEqual(b.live.map((l) => l.role).sort(), ["carried", "input", "output"]);
});

function tensor(name: string, shape: number[], constant = false): Tensor {
  return constant
    ? { name, shape, dtype: "int8", data: new Uint8Array(shape.reduce((a, b) => a * b, 1)) }
    : { name, shape, dtype: "int8" };
}

const DW = depthwiseOptions();

Deno.test("a depthwise convolution runs in place only when its input is not needed later", () => {
  // x -> dw -> y; ADD(x, y) -> z: x is still needed, so the depthwise cannot overwrite it.
  const g: Graph = {
    name: "dw-residual",
    tensors: [
      tensor("x", [1, 8, 8, 4]),
      tensor("w", [1, 3, 3, 4], true),
      tensor("y", [1, 8, 8, 4]),
      tensor("z", [1, 8, 8, 4]),
    ],
    nodes: [
      { op: "DEPTHWISE_CONV_2D", inputs: [0, 1, -1], outputs: [2], options: DW },
      { op: "ADD", inputs: [0, 2], outputs: [3], options: { activation: "NONE" } },
    ],
    inputs: [0],
    outputs: [3],
  };
  const b = livenessBound(g, { inPlace: ["DEPTHWISE_CONV_2D"] });
  deepStrictEqual(b.perOp, [512, 768]);
  deepStrictEqual(b.inPlaceOps, []);
  // Without the ADD the depthwise may overwrite its input.
  const chain: Graph = { ...g, nodes: [g.nodes[0]!], outputs: [2] };
  deepStrictEqual(livenessBound(chain, { inPlace: ["DEPTHWISE_CONV_2D"] }).perOp, [256]);
  deepStrictEqual(livenessBound(chain).perOp, [512]);
});

Deno.test("livenessBound() ignores constants and reports 0 for a graph without operators", () => {
  const g: Graph = {
    name: "empty",
    tensors: [tensor("x", [1, 4])],
    nodes: [],
    inputs: [0],
    outputs: [0],
  };
  const b = livenessBound(g);
  strictEqual(b.bytes, 0);
  strictEqual(b.peakOp, -1);
});
