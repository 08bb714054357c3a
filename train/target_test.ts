import { strictEqual, throws } from "node:assert/strict";
import { resolveTrainTarget } from "./target.ts";

const HEAD = { classes: 10, inputChannels: 1 };

Deno.test("a search key is read in the space its stage count names (tiny: 5, mcunet: 6)", () => {
  const tiny = resolveTrainTarget("w0.15-r44|k3e3,k5e6,k5e4|k5e4|k3e3|k3e3|k3e3", HEAD);
  // first conv, the fixed first block, 3 + 1 + 1 + 1 searchable blocks and the last block
  strictEqual(tiny.arch.blocks.length, 1 + 6 + 1);
  strictEqual(tiny.arch.resolution, 44);
  strictEqual(tiny.arch.inputChannels, 1);
  const mcunet = resolveTrainTarget(
    "w0.3-r48|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3|k3e3",
    HEAD,
  );
  strictEqual(mcunet.arch.blocks.length, 1 + 10 + 1);
});

Deno.test("a search key with a stage count no space has names the known counts", () => {
  throws(
    () => resolveTrainTarget("w0.3-r48|k3e3|k3e3", HEAD),
    /has 2 stages, and no search space has that many \(mcunet: 6, tiny: 5\)/,
  );
});
