import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { buildModel } from "./mod.ts";
import { loadModelFile } from "../tflite/mod.ts";
import { convOutputSize, convPadding, inferOutputShape } from "../ops/mod.ts";
import { testWithConfigs, testWithModels } from "../util/_test_shared.ts";
import { sharedModelsDir } from "../util/mod.ts";
import { handBuiltGraphs } from "../ir/_test_graphs.ts";
import { OP_NAMES } from "../ir/mod.ts";

const MODELS = new URL(`file://${sharedModelsDir()}/`);

Deno.test("convPadding() follows TFLite: SAME pads the odd row after the input", () => {
  deepStrictEqual(convPadding(224, 3, 2, "SAME"), { out: 112, before: 0, after: 1 });
  deepStrictEqual(convPadding(7, 3, 2, "SAME"), { out: 4, before: 1, after: 1 });
  deepStrictEqual(convPadding(9, 5, 2, "SAME"), { out: 5, before: 2, after: 2 });
  deepStrictEqual(convPadding(10, 7, 1, "SAME"), { out: 10, before: 3, after: 3 });
  deepStrictEqual(convPadding(5, 1, 1, "SAME"), { out: 5, before: 0, after: 0 });
});

Deno.test("convOutputSize() gives floor((in - k) / s) + 1 for VALID and ceil(in / s) for SAME", () => {
  strictEqual(convOutputSize(96, 3, 2, "VALID"), 47);
  strictEqual(convOutputSize(96, 3, 2, "SAME"), 48);
  strictEqual(convOutputSize(5, 5, 1, "VALID"), 1);
  strictEqual(convOutputSize(9, 3, 1, "VALID", 2), 5);
  strictEqual(convOutputSize(9, 3, 1, "SAME", 2), 9);
});

Deno.test("convOutputSize() rejects windows larger than a VALID input and non-positive sizes", () => {
  throws(() => convOutputSize(3, 5, 1, "VALID"), RangeError);
  throws(() => convOutputSize(0, 3, 1, "SAME"), RangeError);
  throws(() => convOutputSize(8, 3, 0, "SAME"), RangeError);
});

testWithModels(
  "inferOutputShape() agrees with every output of the MLPerf Tiny and TFLM models",
  async () => {
    for (
      const file of [
        "mlperftiny_vww_mbv1_96_int8.tflite",
        "mlperftiny_ic_resnet8_int8.tflite",
        "mlperftiny_kws_dscnn_int8.tflite",
        "mlperftiny_ad_fc_autoencoder_int8.tflite",
        "tflm_person_detect_int8.tflite",
      ]
    ) {
      const g = await loadModelFile(new URL(file, MODELS));
      g.nodes.forEach((node, i) => {
        deepStrictEqual(
          inferOutputShape(g, node),
          [...g.tensors[node.outputs[0]!]!.shape],
          `${file} op ${i} ${node.op}`,
        );
      });
    }
  },
);

testWithConfigs("inferOutputShape() agrees with every output of the built models", () => {
  for (const spec of ["mbv2-w0.35-r144", "resnet8", "mcunet-320kb", "mbv1-w0.25-r96"]) {
    const g = buildModel(spec);
    g.nodes.forEach((node, i) => {
      deepStrictEqual(
        inferOutputShape(g, node),
        [...g.tensors[node.outputs[0]!]!.shape],
        `${spec} op ${i}`,
      );
    });
  }
});

Deno.test("inferOutputShape() matches the output of every node of every hand-built graph", () => {
  const seen = new Set<string>();
  for (const g of handBuiltGraphs()) {
    for (const n of g.nodes) {
      seen.add(n.op);
      deepStrictEqual(inferOutputShape(g, n), [...g.tensors[n.outputs[0]!]!.shape], g.name);
    }
  }
  // The hand-built graphs cover every operator, so this checks every shape rule.
  deepStrictEqual([...seen].sort(), [...OP_NAMES].sort());
});
