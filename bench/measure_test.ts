import assert from "node:assert/strict";
import type { Graph } from "../engine/ir/mod.ts";
import type { RunReport } from "../pipeline/mod.ts";
import { fakeCase, fakeReport } from "./_test_fixtures.ts";
import { type MeasureApi, measureJob } from "./measure.ts";
import { expandJobs } from "./runner.ts";

const GRAPH: Graph = { name: "g", tensors: [], nodes: [], inputs: [], outputs: [] };

function api(seen: unknown[], overrides: Partial<MeasureApi> = {}): MeasureApi {
  return {
    loadModel: () => Promise.resolve(GRAPH),
    runModel: (_g, options) => {
      seen.push(options);
      const r = fakeReport("m", options.engine, options.board);
      return Promise.resolve({ ...r, output: [1, 2, 3] } as unknown as RunReport);
    },
    ...overrides,
  };
}

Deno.test("measureJob() passes the firmware cache to runModel and drops the output values", async () => {
  const seen: unknown[] = [];
  const [job] = expandJobs([fakeCase("m")], { engines: ["tflm"] });
  const outcome = await measureJob(job!, api(seen), { firmwareCacheDir: "/tmp/fw" });
  assert.deepEqual(seen, [{
    engine: "tflm",
    board: "stm32f746",
    modelName: "m",
    cacheDir: "/tmp/fw",
  }]);
  assert.ok(outcome.ok);
  assert.equal(outcome.value.report?.outputLength, 3);
  assert.equal("output" in (outcome.value.report ?? {}), false);
});

Deno.test("measureJob() keeps the measurement when the plan or liveness extras fail", async () => {
  const [job] = expandJobs([fakeCase("m")], { engines: ["tinyengine"] });
  const outcome = await measureJob(
    job!,
    api([], {
      planBuffers: () => {
        throw new Error("no plan");
      },
      liveness: () => {
        throw new Error("no bound");
      },
    }),
  );
  assert.ok(outcome.ok);
  assert.equal(outcome.value.memoryProfile, undefined);
  assert.equal(outcome.value.livenessLowerBoundBytes, undefined);
});

Deno.test("measureJob() names the stage that failed", async () => {
  const [job] = expandJobs([fakeCase("m")], { engines: ["tflm"] });
  const failing = api([], { runModel: () => Promise.reject(new RangeError("bad board")) });
  assert.deepEqual(await measureJob(job!, failing), {
    ok: false,
    error: "run: RangeError: bad board",
  });
});
