/**
 * The tflm memory plan on the MLPerf Tiny models: TFLM's greedy head sizes, and a tail that is
 * exactly the runtime's allocations.
 */
import assert from "node:assert/strict";
import type { Graph } from "../../ir/mod.ts";
import { greedyPlanner } from "../../schedule/mod.ts";
import { loadModelFile } from "../../tflite/mod.ts";
import { bufferRequests, planHead, scratchBytes, tailBytes } from "./_layout.ts";
import { sharedModelsDir } from "../../util/mod.ts";

const MODELS_DIR = sharedModelsDir();

function exists(file: string): boolean {
  try {
    return Deno.statSync(`${MODELS_DIR}/${file}`).isFile;
  } catch {
    return false;
  }
}

async function model(file: string): Promise<Graph> {
  return await loadModelFile(`${MODELS_DIR}/${file}`);
}

/** A test that needs shared models; ignored, with the reason in its name, when they are absent. */
function modelTest(name: string, files: readonly string[], fn: () => Promise<void>) {
  const missing = files.filter((f) => !exists(f));
  Deno.test({
    name: missing.length
      ? `${name} (skipped: ${missing.join(", ")} not in ${MODELS_DIR}; set MCU_MODELS_DIR)`
      : name,
    ignore: missing.length > 0,
    fn,
  });
}

/** The head without scratch buffers: the activation arena alone. */
function activationHead(graph: Graph): number {
  const { requests } = bufferRequests(graph);
  return greedyPlanner(requests.filter((r) => r.id >= 0)).totalBytes;
}

const VWW = "mlperftiny_vww_mbv1_96_int8.tflite";
const RESNET = "mlperftiny_ic_resnet8_int8.tflite";
const KWS = "mlperftiny_kws_dscnn_int8.tflite";
const AD = "mlperftiny_ad_fc_autoencoder_int8.tflite";

modelTest("tflm plans the VWW MobileNetV1 head at TFLM's 64,512 bytes", [VWW], async () => {
  const g = await model(VWW);
  assert.equal(activationHead(g), 64512);
  // Its scratch buffers (112 bytes of im2col for the first 3x3 conv, 2 * align4(27) * 2; 1,024
  // for the average pool's int32 sums; the 1x1 convs and 3x3 depthwise layers need none) fit
  // into gaps: the head stays 64,512.
  assert.equal(planHead(g).headBytes, 64512);
});

modelTest(
  "tflm plans the ResNet-8 activations at 49,152 bytes plus a 576-byte scratch share",
  [RESNET],
  async () => {
    const g = await model(RESNET);
    assert.equal(activationHead(g), 49152);
    // The 3x3x64 convolutions ask for 2 * align4(576) * 2 = 2,304 bytes of im2col scratch, live
    // only during their op; the greedy planner fits most of it into gaps and the head grows by 576.
    assert.equal(Math.max(...g.nodes.map((n) => scratchBytes(g, n))), 2304);
    assert.equal(planHead(g).headBytes, 49728);
  },
);

modelTest(
  "tflm plans the KWS DS-CNN and AD autoencoder heads at TFLM's sizes",
  [KWS, AD],
  async () => {
    assert.equal(planHead(await model(KWS)).headBytes, 16000);
    assert.equal(planHead(await model(AD)).headBytes, 768);
  },
);

modelTest(
  "tflm tail counts 12 bytes per tensor, 16 per node and each op's data",
  [RESNET],
  async () => {
    const g = await model(RESNET);
    let opData = 0;
    for (const n of g.nodes) {
      const cout = g.tensors[n.outputs[0]!]!.shape.at(-1)!;
      if (n.op === "CONV_2D") opData += 36 + 8 * cout;
      else if (n.op === "ADD") opData += 52;
      else if (n.op === "AVERAGE_POOL_2D") opData += 16;
      else if (n.op === "FULLY_CONNECTED") opData += 32 + 8;
      else if (n.op === "SOFTMAX") opData += 32;
    }
    assert.equal(tailBytes(g), 12 * g.tensors.length + 16 * g.nodes.length + opData);
  },
);
