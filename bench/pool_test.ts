import assert from "node:assert/strict";
import { fakeCase } from "./_test_fixtures.ts";
import { WorkerPool } from "./pool.ts";
import { expandJobs } from "./runner.ts";

Deno.test("WorkerPool runs jobs on workers and survives a worker that dies", async () => {
  using pool = new WorkerPool(2, { url: new URL("./_test_worker.ts", import.meta.url) });
  const jobs = expandJobs([fakeCase("a"), fakeCase("crash"), fakeCase("b")], { engines: ["tflm"] });
  const outcomes = await Promise.all(jobs.map((j) => pool.run(j)));
  assert.deepEqual(outcomes.map((o) => o.ok), [true, false, true]);
  assert.match(outcomes[1]!.ok ? "" : outcomes[1]!.error, /^worker: .*worker died/);
  const again = await pool.run(jobs[2]!);
  assert.equal(again.ok, true);
});
