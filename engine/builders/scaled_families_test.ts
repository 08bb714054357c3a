import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { testWithConfigs } from "../util/_test_shared.ts";
import {
  loadMcunetConfig,
  mobileNetV2Arch,
  modelArch,
  proxylessMobileArch,
  stageDepth,
} from "./mod.ts";

Deno.test("stageDepth keeps ceil(n * depth) blocks, at least one, and refuses bad multipliers", () => {
  deepStrictEqual([1, 2, 3, 4].map((n) => stageDepth(n, 0.5)), [1, 1, 2, 2]);
  deepStrictEqual([1, 2, 3, 4].map((n) => stageDepth(n, 0.01)), [1, 1, 1, 1]);
  deepStrictEqual([1, 2, 3, 4].map((n) => stageDepth(n, 1)), [1, 2, 3, 4]);
  throws(() => stageDepth(3, 0), /\(0, 1\]/);
  throws(() => stageDepth(3, 1.5), /\(0, 1\]/);
});

Deno.test("depth-scaled MobileNetV2: fewer blocks per stage, same channels and strides", () => {
  const full = mobileNetV2Arch({ width: 0.35, resolution: 32 });
  const half = modelArch("mbv2-w0.35-d0.5-r32")!;
  strictEqual(full.blocks.length, 17);
  strictEqual(half.blocks.length, 1 + 1 + 2 + 2 + 2 + 2 + 1);
  deepStrictEqual(
    [...new Set(half.blocks.map((b) => b.outChannels))],
    [...new Set(full.blocks.map((b) => b.outChannels))],
  );
  // Downsampling is kept: the same strides in the same stages.
  strictEqual(half.blocks.filter((b) => b.stride === 2).length, 4);
  deepStrictEqual(half.featureMix, full.featureMix);
  deepStrictEqual(modelArch("mbv2-w0.35-d1-r32"), full);
  throws(() => modelArch("mbv2-w0.35-d0-r32"), /depth multiplier must be in \(0, 1\]/);
  throws(() => modelArch("mbv1-w0.25-d0.5-r32"), /no depth-scaled variant/);
});

Deno.test("ProxylessNAS-Mobile from its block list: 20 blocks, 1280 head, published shortcuts", () => {
  const arch = proxylessMobileArch();
  strictEqual(arch.blocks.length, 20);
  strictEqual(arch.firstConv.outChannels, 32);
  deepStrictEqual(arch.featureMix, { outChannels: 1280 });
  strictEqual(arch.blocks.reduce((n, b) => n + (b.stride === 2 ? 1 : 0), 0), 4);
  // Scaled to w0.25, the 96-channel stage's first block maps 24 -> 24 channels but stays plain.
  const narrow = proxylessMobileArch({ width: 0.25, resolution: 112 });
  strictEqual(narrow.blocks[11]!.outChannels, 24);
  strictEqual(narrow.blocks[10]!.outChannels, 24);
  strictEqual(narrow.blocks[11]!.residual, false);
  const shallow = modelArch("proxyless-w0.5-d0.25-r32")!;
  strictEqual(shallow.blocks.length, 7);
});

testWithConfigs(
  "the ProxylessNAS block list equals the published proxyless_mobile and w0.25",
  () => {
    deepStrictEqual(proxylessMobileArch(), loadMcunetConfig("proxyless_mobile").arch);
    deepStrictEqual(
      proxylessMobileArch({ width: 0.25, resolution: 112 }),
      loadMcunetConfig("proxyless-w0.25-r112").arch,
    );
  },
);
