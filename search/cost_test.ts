import { assertEquals } from "./_test_assert.ts";
import { buildMbconv } from "../engine/builders/mod.ts";
import { computeLifetimes } from "../engine/schedule/mod.ts";
import { runPasses } from "../engine/schedule/mod.ts";
import { planMemory } from "../engine/schedule/mod.ts";
import { createRng } from "../engine/util/mod.ts";
import { DEFAULT_CALIBRATION, estimateCost, scheduleBytes, scheduleSteps } from "./cost.ts";
import { archLayers, layerMacs } from "./layers.ts";
import { MCUNET_SPACE, sampleArch, toMbconvArch } from "./space.ts";
import { graphCost } from "../engine/ops/mod.ts";

const HEAD = { classes: 10, inputChannels: 3 };

Deno.test("the schedule steps match the tinyengine lowering layer for layer", () => {
  const rng = createRng(21);
  for (let i = 0; i < 4; i++) {
    const net = toMbconvArch(
      MCUNET_SPACE,
      sampleArch(MCUNET_SPACE, rng, { width: 0.3, resolution: 48 + 16 * i }),
      HEAD,
    );
    const lowered = runPasses(buildMbconv(net, { seed: 1 }));
    const layers = archLayers(net);
    const steps = scheduleSteps(layers).map((st) => st.map((i) => layers[i]!.kind).join("+"));
    const lowOps = lowered.layers.map((l) =>
      [...("pre" in l && l.pre ? [(l.pre as { op: string }).op] : []), l.op].join("+")
    );
    assertEquals(steps, lowOps);
  }
});

Deno.test("shape-only MACs equal the engine's MACs of the built graph", () => {
  const rng = createRng(22);
  for (let i = 0; i < 3; i++) {
    const net = toMbconvArch(
      MCUNET_SPACE,
      sampleArch(MCUNET_SPACE, rng, { width: 0.4, resolution: 64 }),
      HEAD,
    );
    const ours = archLayers(net).reduce((s, l) => s + layerMacs(l), 0);
    assertEquals(ours, graphCost(buildMbconv(net, { seed: 1 })).macs);
    assertEquals(estimateCost(net, DEFAULT_CALIBRATION).macs, ours);
  }
});

Deno.test("the liveness estimate equals the tinyengine schedule's planned activations", () => {
  const rng = createRng(23);
  for (let i = 0; i < 6; i++) {
    const pair = { width: [0.2, 0.5, 0.8][i % 3]!, resolution: [48, 96, 128][i % 3]! };
    const net = toMbconvArch(MCUNET_SPACE, sampleArch(MCUNET_SPACE, rng, pair), HEAD);
    const lowered = runPasses(buildMbconv(net, { seed: 1 }));
    const planned = planMemory(computeLifetimes(lowered, {}).buffers).placement.totalBytes;
    const { liveBytes } = scheduleBytes(archLayers(net), { inputInArena: true });
    assertEquals(liveBytes, planned, `w${pair.width}-r${pair.resolution}`);
  }
});
