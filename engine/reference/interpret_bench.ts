import { tensorBytes } from "../ir/mod.ts";
import { loadModelFile } from "../tflite/mod.ts";
import { interpret } from "./interpret.ts";
import { sharedModelsDir } from "../util/mod.ts";

const dir = sharedModelsDir();
const graph = await loadModelFile(`${dir}/mlperftiny_vww_mbv1_96_int8.tflite`);
const input = new Uint8Array(tensorBytes(graph.tensors[graph.inputs[0]!]!)).fill(37);

Deno.bench({
  group: "reference",
  name: "interpret() MLPerf VWW (MobileNetV1 0.25, 96x96, 7.5M MACs)",
  baseline: true,
  fn: () => {
    interpret(graph, [input]);
  },
});
