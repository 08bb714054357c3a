import { ok, rejects } from "node:assert/strict";
import { DEFAULT_RECIPE } from "./recipe.ts";
import { runTrainingWorker, TrainingError, type TrainingJob } from "./worker.ts";

function job(dir: string, dataDir: string): TrainingJob {
  return {
    arch: {
      resolution: 28,
      inputChannels: 1,
      classes: 10,
      firstConv: { outChannels: 8 },
      blocks: [{ kernel: 3, expand: 1, stride: 1, outChannels: 8 }],
    },
    recipe: { ...DEFAULT_RECIPE, epochs: 1 },
    seed: 1,
    splitSeed: 0,
    threads: 1,
    dataDir,
    outDir: dir,
    validationImages: 100,
    calibrationImages: 10,
  };
}

Deno.test("runTrainingWorker names a missing Python interpreter and how to install it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await rejects(
      runTrainingWorker(job(dir, dir), { python: "/nonexistent/python3" }),
      (e: unknown) =>
        e instanceof TrainingError && e.message.includes("/nonexistent/python3") &&
        e.message.includes("python3-torch"),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runTrainingWorker passes the worker's own error on (unreadable data), not a trace", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const events: string[] = [];
    await rejects(
      runTrainingWorker(job(dir, `${dir}/no-such-folder`), {
        onEvent: (e) => events.push(e.event),
      }),
      (e: unknown) => {
        ok(e instanceof TrainingError, String(e));
        ok(e.message.includes("Cannot read"), e.message);
        ok(e.message.includes("train-images-idx3-ubyte.gz"), e.message);
        ok(!e.message.includes("Traceback"), e.message);
        return true;
      },
    );
    ok(events.includes("error"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
