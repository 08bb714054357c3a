import { ok, strictEqual } from "node:assert/strict";
import { createRng } from "../engine/util/mod.ts";
import { createDefaultArch, sampleArch, TINY_SPACE } from "../search/mod.ts";
import { subnetOf, supernetSpace } from "./supernet.ts";
import { WORKER_PYTHON, workerScript } from "./worker.ts";

const HEAD = { classes: 10, inputChannels: 1 };
const PAIR = { width: 0.1, resolution: 28 };

Deno.test("supernetSpace lowers a (width, resolution) point with every stage's choices", () => {
  const s = supernetSpace(TINY_SPACE, PAIR, HEAD);
  strictEqual(s.stages.length, TINY_SPACE.stages.length);
  strictEqual(s.resolution, 28);
  strictEqual(s.inputChannels, 1);
  ok(s.stages.every((st) => st.kernels.join() === "3,5,7" && st.expands.join() === "3,4,5,6"));
  const sub = subnetOf(TINY_SPACE, createDefaultArch(TINY_SPACE, PAIR), HEAD);
  strictEqual(sub.net.blocks.length, 1 + sub.depths.reduce((a, b) => a + b, 0));
});

Deno.test("every subnet extracted from the super-network computes what the super-network computes for it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const rng = createRng(5);
    const subnets = [
      subnetOf(TINY_SPACE, createDefaultArch(TINY_SPACE, PAIR), HEAD),
      ...Array.from(
        { length: 5 },
        () => subnetOf(TINY_SPACE, sampleArch(TINY_SPACE, rng, PAIR), HEAD),
      ),
    ];
    const job = `${dir}/job.json`;
    await Deno.writeTextFile(
      job,
      JSON.stringify({ space: supernetSpace(TINY_SPACE, PAIR, HEAD), seed: 3, subnets }),
    );
    const out = await new Deno.Command(WORKER_PYTHON, {
      args: [workerScript("supernet_worker.py"), "check", job],
      env: { OMP_NUM_THREADS: "1", PYTHONDONTWRITEBYTECODE: "1" },
    }).output();
    const lines = new TextDecoder().decode(out.stderr).trim().split("\n");
    const last = JSON.parse(lines[lines.length - 1]!);
    strictEqual(last.event, "checked", lines.join("\n"));
    strictEqual(last.subnets, subnets.length);
    ok(last.maxDifference < 1e-4, `max difference ${last.maxDifference}`);
    strictEqual(out.code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
