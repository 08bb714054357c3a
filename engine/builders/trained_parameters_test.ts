import { deepStrictEqual, equal, ok, throws } from "node:assert/strict";
import { buildMbconv, type MbconvArch } from "./mbconv.ts";
import { int8RangeQuantization, type TrainedParameters } from "./trained_parameters.ts";
import { int32Data, int8Data } from "../ir/mod.ts";

const ARCH: MbconvArch = {
  resolution: 8,
  inputChannels: 1,
  classes: 3,
  firstConv: { outChannels: 4 },
  blocks: [{ kernel: 3, expand: 2, stride: 1, outChannels: 4 }],
};

/** Deterministic "trained" values: weight i of a layer is a function of its position. */
function fakeTrained(): { trained: TrainedParameters; asked: string[] } {
  const sizes: Record<string, [number, number]> = {
    first_conv: [4 * 9, 4],
    "block0/expand": [8 * 4, 8],
    "block0/depthwise": [9 * 8, 8],
    "block0/project": [4 * 8, 4],
    "head/classifier": [3 * 4, 3],
  };
  const asked: string[] = [];
  return {
    asked,
    trained: {
      layer(name) {
        const s = sizes[name];
        if (!s) throw new RangeError(`no layer ${name}`);
        return {
          weights: Float32Array.from({ length: s[0] }, (_, i) => Math.sin(i + 1) * 0.5),
          bias: Float32Array.from({ length: s[1] }, (_, i) => 0.01 * (i - 1)),
        };
      },
      range(name) {
        asked.push(name);
        return name.endsWith("project") || name.endsWith("add") || name === "head/classifier"
          ? { min: -3, max: 5 }
          : { min: -0.5, max: 7 };
      },
    },
  };
}

Deno.test("int8RangeQuantization follows TFLite: zero exactly representable, ReLU ranges at -128", () => {
  const relu = int8RangeQuantization({ min: 0, max: 6 });
  equal(relu.zeroPoint, -128);
  equal(relu.scale, Math.fround(6 / 255));
  const linear = int8RangeQuantization({ min: -3, max: 5 });
  equal(linear.zeroPoint, Math.round(-128 + 3 / linear.scale));
  // A range that excludes zero is widened to contain it.
  equal(int8RangeQuantization({ min: 1, max: 2 }).zeroPoint, -128);
  throws(() => int8RangeQuantization({ min: 2, max: 1 }), /min <= max/);
});

Deno.test("buildMbconv with trained parameters quantizes them per channel and calibrates activations", () => {
  const { trained, asked } = fakeTrained();
  const g = buildMbconv(ARCH, { name: "t", trained });
  deepStrictEqual(asked, [
    "first_conv",
    "block0/expand",
    "block0/depthwise",
    "block0/project",
    "block0/add",
    "head/classifier",
  ]);
  const dw = g.tensors.find((t) => t.name === "block0/depthwise/weights")!;
  const w = trained.layer("block0/depthwise").weights;
  const q = int8Data(dw);
  equal(dw.quant!.axis, 3);
  for (let c = 0; c < 8; c++) {
    // Layout 1HWC: tap j of channel c is element j * 8 + c.
    let max = 0;
    for (let j = 0; j < 9; j++) max = Math.max(max, Math.abs(w[j * 8 + c]!));
    const scale = dw.quant!.scale[c]!;
    equal(scale, Math.fround(max / 127));
    for (let j = 0; j < 9; j++) equal(q[j * 8 + c], Math.round(w[j * 8 + c]! / scale));
  }
  const bias = g.tensors.find((t) => t.name === "block0/depthwise/bias")!;
  const input = g.tensors.find((t) => t.name === "block0/expand")!;
  const b = int32Data(bias);
  for (let c = 0; c < 8; c++) {
    const bs = Math.fround(input.quant!.scale[0]! * dw.quant!.scale[c]!);
    equal(bias.quant!.scale[c], bs);
    equal(b[c], Math.round(trained.layer("block0/depthwise").bias[c]! / bs));
  }
  // ReLU6 outputs clamp the calibrated [-0.5, 7] to [0, 6]; linear outputs keep their range.
  equal(input.quant!.zeroPoint[0], -128);
  equal(input.quant!.scale[0], Math.fround(6 / 255));
  // FULLY_CONNECTED takes one weight scale, as the TFLite converter writes it.
  const fc = g.tensors.find((t) => t.name === "head/classifier/weights")!;
  const fcWeights = trained.layer("head/classifier").weights;
  let fcMax = 0;
  for (let i = 0; i < fcWeights.length; i++) fcMax = Math.max(fcMax, Math.abs(fcWeights[i]!));
  deepStrictEqual(fc.quant!.scale, [Math.fround(fcMax / 127)]);
  equal(g.tensors.find((t) => t.name === "head/classifier/bias")!.quant!.scale.length, 1);
  const project = g.tensors.find((t) => t.name === "block0/project")!;
  deepStrictEqual(project.quant!.scale, [int8RangeQuantization({ min: -3, max: 5 }).scale]);
});

Deno.test("buildMbconv refuses trained parameters of the wrong size, naming the layer", () => {
  const { trained } = fakeTrained();
  const wrong: TrainedParameters = {
    ...trained,
    layer: (name) =>
      name === "block0/project"
        ? { weights: new Float32Array(3), bias: new Float32Array(4) }
        : trained.layer(name),
  };
  throws(() => buildMbconv(ARCH, { trained: wrong }), /block0\/project.*needs 32 weights/);
  ok(buildMbconv(ARCH, { trained }).nodes.length > 0);
});
