import assert from "node:assert/strict";
import { WorkerPool } from "./pool.ts";
import { expandJobs } from "./runner.ts";

Deno.test("a real job runs through the worker, runModel and the analysis (needs deno task setup)", async () => {
  using pool = new WorkerPool(1);
  const jobs = expandJobs([{
    id: "mbv1-w0.25-r32-c2",
    suite: "external",
    label: "tiny MobileNetV1",
    source: { kind: "builder", spec: "mbv1-w0.25-r32-c2" },
    boards: ["stm32f746"],
  }]);
  for (const job of jobs) {
    const outcome = await pool.run(job);
    if (!outcome.ok) {
      assert.fail(
        `${job.id} failed: ${outcome.error} (toolchain or emulator missing? run deno task setup)`,
      );
    }
    const { report, memoryProfile, livenessLowerBoundBytes, livenessProfile } = outcome.value;
    assert.equal(report?.referenceMatch, true);
    assert.ok((report?.instructions ?? 0) > 0);
    assert.equal("output" in (report ?? {}), false);
    assert.ok((memoryProfile?.length ?? 0) > 0, "memory profile from the plan");
    assert.ok((livenessLowerBoundBytes ?? 0) > 0);
    assert.ok((livenessProfile?.length ?? 0) > 0);
    const peakPlan = Math.max(...(memoryProfile ?? []).map((s) => s.liveBytes));
    assert.ok(peakPlan <= (report?.arenaBytes ?? 0), "live bytes never exceed the planned arena");
  }
});
