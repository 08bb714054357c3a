import assert from "node:assert/strict";
import { buildModel } from "../../builders/mod.ts";
import type { Graph } from "../../ir/mod.ts";
import { computeLifetimes } from "../../schedule/mod.ts";
import { runPasses } from "../../schedule/mod.ts";
import { linearPlanner, planMemory, PLANNERS } from "../../schedule/mod.ts";
import { validatePlan } from "../../schedule/mod.ts";
import { loadModelFile } from "../../tflite/mod.ts";
import { layerKernel } from "./templates.ts";
import { sharedModels } from "../../util/mod.ts";

async function graphs(): Promise<Graph[]> {
  const out: Graph[] = [
    buildModel("mbv2-w0.35-r144"),
    buildModel("resnet8"),
    buildModel("mcunet-5fps"),
  ];
  for (const path of sharedModels()) out.push(await loadModelFile(path));
  return out;
}

Deno.test("every planner gives a valid plan no larger than linear on every model", async () => {
  for (const g of await graphs()) {
    const lowered = runPasses(g);
    const kernels = lowered.layers.map((l) => layerKernel(lowered, l));
    for (const mode of ["shared", "per-layer"] as const) {
      const { buffers } = computeLifetimes(lowered, {
        scratchBytes: (i) => kernels[i]!.scratchBytes,
        scratchMode: mode,
      });
      const linear = linearPlanner(buffers).totalBytes;
      for (const [name, planner] of Object.entries(PLANNERS)) {
        const p = planner(buffers);
        assert.deepEqual(validatePlan(buffers, p), [], `${g.name} ${mode} ${name}`);
        assert.ok(p.totalBytes <= linear, `${g.name} ${name} above linear`);
      }
      const best = planMemory(buffers);
      assert.ok(best.placement.totalBytes <= linear);
    }
  }
});
