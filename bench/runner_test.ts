import assert from "node:assert/strict";
import { fakeCase, fakeExecutor } from "./_test_fixtures.ts";
import { expandJobs, runJobs } from "./runner.ts";

Deno.test("expandJobs() crosses cases with boards and engines and drops duplicates", () => {
  const jobs = expandJobs([
    fakeCase("a", ["stm32h743", "stm32f746"]),
    fakeCase("a", ["stm32f746"], "gate"),
    fakeCase("b"),
  ]);
  assert.deepEqual(jobs.map((j) => j.id), [
    "a|tinyengine|stm32h743",
    "a|tflm|stm32h743",
    "a|tinyengine|stm32f746",
    "a|tflm|stm32f746",
    "b|tinyengine|stm32f746",
    "b|tflm|stm32f746",
  ]);
  const narrowed = expandJobs([fakeCase("a", ["stm32h743"])], {
    boards: ["stm32f412"],
    engines: ["tflm"],
  });
  assert.deepEqual(narrowed.map((j) => j.id), ["a|tflm|stm32f412"]);
});

Deno.test("runJobs() records a failed case as a row with its error and keeps the others", async () => {
  const jobs = expandJobs([fakeCase("good"), fakeCase("broken")]);
  const { rows, stats } = await runJobs(jobs, {
    executor: fakeExecutor({ fail: ["broken"] }),
    codeVersion: "v1",
  });
  assert.equal(rows.length, 4);
  assert.deepEqual(stats, { measured: 2, cached: 0, failed: 2 });
  const broken = rows.filter((r) => r.model === "broken");
  assert.ok(broken.every((r) => r.report === undefined && /compile error/.test(r.error ?? "")));
  assert.ok(rows.filter((r) => r.model === "good").every((r) => r.report !== undefined));
});

Deno.test("runJobs() answers a second run from the cache until the code version changes", async () => {
  const cacheDir = Deno.makeTempDirSync();
  try {
    const jobs = expandJobs([fakeCase("m", ["stm32f746", "stm32f412"])]);
    const calls: string[] = [];
    const first = await runJobs(jobs, {
      executor: fakeExecutor({ calls }),
      codeVersion: "v1",
      cacheDir,
    });
    assert.equal(calls.length, 4);
    const second = await runJobs(jobs, {
      executor: fakeExecutor({ calls }),
      codeVersion: "v1",
      cacheDir,
    });
    assert.equal(calls.length, 4);
    assert.deepEqual(second.stats, { measured: 0, cached: 4, failed: 0 });
    assert.deepEqual(second.rows, first.rows);
    await runJobs(jobs, {
      executor: fakeExecutor({ calls }),
      codeVersion: "v1",
      cacheDir,
      noCache: true,
    });
    assert.equal(calls.length, 8);
    await runJobs(jobs, { executor: fakeExecutor({ calls }), codeVersion: "v2", cacheDir });
    assert.equal(calls.length, 12);
  } finally {
    Deno.removeSync(cacheDir, { recursive: true });
  }
});

Deno.test("runJobs() never caches a failure", async () => {
  const cacheDir = Deno.makeTempDirSync();
  try {
    const jobs = expandJobs([fakeCase("broken")], { engines: ["tflm"] });
    const calls: string[] = [];
    await runJobs(jobs, {
      executor: fakeExecutor({ fail: ["broken"], calls }),
      codeVersion: "v",
      cacheDir,
    });
    await runJobs(jobs, {
      executor: fakeExecutor({ fail: ["broken"], calls }),
      codeVersion: "v",
      cacheDir,
    });
    assert.equal(calls.length, 2);
  } finally {
    Deno.removeSync(cacheDir, { recursive: true });
  }
});
