import { ok, strictEqual } from "node:assert/strict";
import { buildModel } from "./mod.ts";
import { loadModelFile } from "../tflite/mod.ts";
import { graphCost } from "../ops/mod.ts";
import { opMacs } from "../ops/mod.ts";
import { opParamBytes, opParamCount } from "../ops/mod.ts";
import { testWithConfigs, testWithModels } from "../util/_test_shared.ts";
import { sharedModelsDir } from "../util/mod.ts";

const MODELS = new URL(`file://${sharedModelsDir()}/`);

function near(actual: number, expected: number, tolerance: number, what: string): void {
  const rel = Math.abs(actual - expected) / expected;
  ok(rel <= tolerance, `${what}: ${actual} is ${(rel * 100).toFixed(2)}% from ${expected}`);
}

testWithModels("graphCost() counts 7,489,664 MACs in the MLPerf Tiny VWW model", async () => {
  const g = await loadModelFile(new URL("mlperftiny_vww_mbv1_96_int8.tflite", MODELS));
  strictEqual(graphCost(g).macs, 7_489_664);
});

testWithModels(
  "graphCost() counts the MLPerf Tiny ResNet-8, DS-CNN and autoencoder MACs",
  async () => {
    const macs = async (f: string) => graphCost(await loadModelFile(new URL(f, MODELS))).macs;
    strictEqual(await macs("mlperftiny_ic_resnet8_int8.tflite"), 12_501_632);
    near(await macs("mlperftiny_kws_dscnn_int8.tflite"), 2.66e6, 0.01, "kws");
    near(await macs("mlperftiny_ad_fc_autoencoder_int8.tflite"), 0.26e6, 0.02, "ad");
  },
);

Deno.test("opMacs() follows the conv, depthwise and fully connected conventions", () => {
  const g = buildModel("mbv1-w0.25-r96-c2");
  const first = g.nodes[0]!;
  strictEqual(opMacs(g, first), 48 * 48 * 8 * 3 * 3 * 3);
  strictEqual(opMacs(g, g.nodes[1]!), 48 * 48 * 8 * 3 * 3);
  strictEqual(opMacs(g, g.nodes[2]!), 48 * 48 * 16 * 8);
  const fc = g.nodes[g.nodes.length - 1]!;
  strictEqual(fc.op, "FULLY_CONNECTED");
  strictEqual(opMacs(g, fc), 256 * 2);
  strictEqual(opMacs(g, g.nodes[g.nodes.length - 3]!), 0); // AVERAGE_POOL_2D
});

Deno.test("opParamBytes() counts int8 weights and int32 biases", () => {
  const g = buildModel("mbv1-w0.25-r96-c2");
  strictEqual(opParamBytes(g, g.nodes[0]!), 8 * 3 * 3 * 3 + 8 * 4);
  strictEqual(opParamCount(g, g.nodes[0]!), 8 * 3 * 3 * 3 + 8);
});

testWithConfigs(
  "MbV2 w0.35 r144 has 23.5M MACs and Proxyless w0.25 r112 10.7M (MCUNet paper)",
  () => {
    near(graphCost(buildModel("mbv2-w0.35-r144")).macs, 23.5e6, 0.01, "mbv2-w0.35-r144");
    near(graphCost(buildModel("proxyless-w0.25-r112")).macs, 10.7e6, 0.01, "proxyless-w0.25-r112");
    near(graphCost(buildModel("proxyless-w0.3-r176")).macs, 38.3e6, 0.01, "proxyless-w0.3-r176");
    near(graphCost(buildModel("mbv2-w0.3-r80")).macs, 7.3e6, 0.01, "mbv2-w0.3-r80");
  },
);

testWithConfigs("the MCUNet configs have the published MACs", () => {
  near(graphCost(buildModel("mcunet-256kb")).macs, 67.3e6, 0.01, "256kB");
  near(graphCost(buildModel("mcunet-512kb")).macs, 125.9e6, 0.01, "512kB");
  near(graphCost(buildModel("mcunet-5fps")).macs, 12.8e6, 0.01, "5fps");
  near(graphCost(buildModel("mcunet-10fps")).macs, 6.4e6, 0.01, "10fps");
});

testWithConfigs("MCUNet 320kB/1MB at 176x176 has 81.8M MACs and 0.74M parameters", () => {
  const cost = graphCost(buildModel("mcunet-320kb"));
  near(cost.macs, 81.8e6, 0.01, "MACs");
  // The paper counts the float network before batch-norm folding (gamma and beta per channel).
  near(cost.trainingParams, 0.74e6, 0.01, "parameters");
  strictEqual(cost.trainingParams, 737_408);
  strictEqual(cost.params, 729_720); // deployed weights + folded biases
});
