import assert from "node:assert/strict";
import { createRng } from "../engine/util/mod.ts";
import { DEFAULT_CALIBRATION } from "./cost.ts";
import { archLayers } from "./layers.ts";
import { bestPatchPlan, costWithPatches } from "./patch_cost.ts";
import { MCUNET_SPACE, sampleArch, toMbconvArch } from "./space.ts";
import { samplePair } from "./stage1.ts";

const head = { classes: 10, inputChannels: 3 };
const layersAt = (width: number, resolution: number, seed: number) =>
  archLayers(
    toMbconvArch(
      MCUNET_SPACE,
      sampleArch(MCUNET_SPACE, createRng(seed), { width, resolution }),
      head,
    ),
  );

Deno.test("costWithPatches lowers the SRAM estimate of a high-resolution network within the bound", () => {
  const layers = layersAt(0.35, 192, 5);
  const plain = costWithPatches(layers, DEFAULT_CALIBRATION, 0);
  const patched = costWithPatches(layers, DEFAULT_CALIBRATION, 0.05);
  assert.equal(plain.plan, undefined, "no recomputation allowed, yet a patch plan");
  assert.ok(patched.plan, "no patch plan within 5% MACs");
  assert.ok(patched.plan.macOverhead <= 0.05);
  assert.ok(patched.cost.sramBytes < plain.cost.sramBytes);
  // MACs and Flash are those of the network, not of the plan.
  assert.equal(patched.cost.macs, plain.cost.macs);
  assert.equal(patched.cost.flashBytes, plain.cost.flashBytes);
});

Deno.test("bestPatchPlan's halos cost more MACs on finer grids", () => {
  const layers = layersAt(0.5, 160, 7);
  const coarse = bestPatchPlan(layers, DEFAULT_CALIBRATION, 0.01);
  const loose = bestPatchPlan(layers, DEFAULT_CALIBRATION, 0.5);
  assert.ok(loose && (!coarse || loose.peakBytes <= coarse.peakBytes));
  assert.ok(!coarse || coarse.macOverhead <= 0.01);
});

Deno.test("stage 1 with patches finds at least as many fitting models, more where SRAM binds", () => {
  const base = {
    space: MCUNET_SPACE,
    head,
    limits: { sramBytes: 256 * 1024, flashBytes: 1024 * 1024 },
    calibration: DEFAULT_CALIBRATION,
    seed: 1,
    samples: 30,
  };
  const pair = { width: 0.5, resolution: 208 };
  const off = samplePair(base, pair);
  const on = samplePair({ ...base, patchMacOverhead: 0.05 }, pair);
  assert.ok(on.satisfied > off.satisfied, `${on.satisfied} vs ${off.satisfied}`);
});
