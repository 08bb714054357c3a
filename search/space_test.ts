import { assert, assertEquals, deepStrictEqual } from "./_test_assert.ts";
import { createRng } from "../engine/util/mod.ts";
import { loadMcunetConfig, makeDivisible } from "../engine/builders/mod.ts";
import { archFromMbconv } from "./from_mbconv.ts";
import {
  archKey,
  archViolation,
  crossoverArch,
  MCUNET_SPACE,
  mutateArch,
  sampleArch,
  stageWidths,
  toMbconvArch,
} from "./space.ts";

const PAIR = { width: 0.5, resolution: 96 };

Deno.test("sampled architectures are points of the space and repeat for the same seed", () => {
  const a = createRng(7);
  const b = createRng(7);
  for (let i = 0; i < 200; i++) {
    const x = sampleArch(MCUNET_SPACE, a, PAIR);
    const y = sampleArch(MCUNET_SPACE, b, PAIR);
    assertEquals(archViolation(MCUNET_SPACE, x), undefined);
    deepStrictEqual(x, y);
  }
});

Deno.test("mutation and crossover stay in the space and are seeded-deterministic", () => {
  const run = (seed: number) => {
    const rng = createRng(seed);
    const out: string[] = [];
    let p = sampleArch(MCUNET_SPACE, rng, PAIR);
    let q = sampleArch(MCUNET_SPACE, rng, PAIR);
    for (let i = 0; i < 300; i++) {
      const m = mutateArch(MCUNET_SPACE, p, rng, { prob: 0.3 });
      const c = crossoverArch(m, q, rng);
      assertEquals(archViolation(MCUNET_SPACE, m), undefined);
      assertEquals(archViolation(MCUNET_SPACE, c), undefined);
      out.push(archKey(c));
      p = c;
      q = m;
    }
    return out;
  };
  const first = run(11);
  deepStrictEqual(first, run(11));
  assert(new Set(first).size > 100, "mutation explores the space");
  assert(run(12).join() !== first.join(), "another seed gives another walk");
});

Deno.test("mutation with probability zero returns the same architecture", () => {
  const rng = createRng(3);
  const a = sampleArch(MCUNET_SPACE, rng, PAIR);
  deepStrictEqual(mutateArch(MCUNET_SPACE, a, rng, { prob: 0 }), a);
});

Deno.test("make-divisible scales the ProxylessNAS widths as the reference code does", () => {
  assertEquals(makeDivisible(32 * 0.6, 8), 24);
  assertEquals(stageWidths(MCUNET_SPACE, 0.5), [16, 8, 16, 24, 40, 48, 96, 160]);
  assertEquals(stageWidths(MCUNET_SPACE, 0.6), [24, 16, 16, 24, 48, 56, 112, 192]);
  assertEquals(stageWidths(MCUNET_SPACE, 1.0), [32, 16, 24, 40, 80, 96, 192, 320]);
});

Deno.test("the published MCUNet networks are points of the space", () => {
  const expected: Record<string, [number, number]> = {
    "mcunet-320kb-1mb": [0.5, 176],
    "mcunet-256kb-1mb": [0.5, 160],
    "mcunet-512kb-2mb": [1.0, 160],
    "mcunet-5fps": [0.5, 96],
    "mcunet-10fps": [0.6, 48],
    "mcunet-320kb-1mb-int4": [0.9, 176],
    "mcunet-512kb-2mb-int4": [1.5, 192],
  };
  for (const [name, [width, resolution]] of Object.entries(expected)) {
    const net = loadMcunetConfig(name).arch;
    const arch = archFromMbconv(MCUNET_SPACE, net);
    assertEquals([arch.width, arch.resolution], [width, resolution], name);
    // Lowering the point gives back the published network, block for block.
    const lowered = toMbconvArch(MCUNET_SPACE, arch, {
      classes: net.classes,
      inputChannels: net.inputChannels,
    });
    assertEquals(lowered.firstConv.outChannels, net.firstConv.outChannels, name);
    deepStrictEqual(
      lowered.blocks.map((b) => [b.kernel, b.expand, b.stride, b.outChannels]),
      net.blocks.map((b) => [b.kernel, b.expand, b.stride, b.outChannels]),
    );
  }
});

Deno.test("networks outside the space are rejected with a reason", () => {
  const mbv2 = loadMcunetConfig("mbv2-w0.35-r144").arch;
  let message = "";
  try {
    archFromMbconv(MCUNET_SPACE, mbv2);
  } catch (e) {
    message = e instanceof Error ? e.message : String(e);
  }
  assert(message.startsWith("Cannot map the network to space 'mcunet'"), message);
});
