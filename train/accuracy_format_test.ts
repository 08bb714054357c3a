import { match, ok } from "node:assert/strict";
import { type AccuracyRow, type AccuracyRun, formatAccuracyTable } from "./accuracy_format.ts";
import { DEFAULT_RECIPE } from "./recipe.ts";
import type { AccuracyReport } from "./report.ts";

const budget = { budget: "16k-64k", board: "stm32f412", sram: 16384, flash: 65536 };
const tiny: AccuracyRow = { ...budget, family: "TinyNAS", spec: "w0.05-r48|k3e3" };
const mbv2: AccuracyRow = { ...budget, family: "MbV2 depth-scaled", spec: "mbv2-w0.05-d0.5-r40" };

function report(device: number, mismatches = 0): AccuracyReport {
  return {
    model: "m",
    dataset: "fashion-mnist",
    preset: "full",
    arch: {
      resolution: 28,
      inputChannels: 1,
      classes: 10,
      firstConv: { outChannels: 8 },
      blocks: [],
    },
    recipe: DEFAULT_RECIPE,
    seed: 1,
    splitSeed: 0,
    images: { train: 55000, validation: 5000, test: 10000, calibration: 2000 },
    parameters: 1000,
    floatValidationAccuracy: device,
    floatTestAccuracy: device + 0.001,
    referenceInt8TestAccuracy: device,
    onDevice: {
      measured: true,
      accuracy: device,
      matchesReference: mismatches === 0,
      outputMismatches: mismatches,
      predictionMismatches: 0,
      instructionsMean: 1,
      peakSramBytes: 1,
    },
    engine: "tinyengine",
    board: "stm32f412",
    fits: true,
    peakSramBytes: 14772,
    flashBytes: 58816,
    macs: 486304,
    instructions: 1234567,
    latencyMs: 12.5,
    referenceMatch: true,
    torchVersion: "1.13.1",
    imagesPerSecond: 400,
    wallSeconds: { training: 1, evaluation: 1, firmware: 1, total: 3 },
    cpuSeconds: 2,
  };
}

const meta = { epochs: 3, seeds: [1, 2, 3], recipe: DEFAULT_RECIPE };

Deno.test("the accuracy table says whether TinyNAS's lead beats the seed spread", () => {
  const runs = (row: AccuracyRow, accs: number[], mismatches = 0): AccuracyRun[] =>
    accs.map((a, i) => ({ row, seed: i + 1, report: report(a, mismatches) }));
  const clear = formatAccuracyTable([tiny, mbv2], [
    ...runs(tiny, [0.85, 0.851, 0.852]),
    ...runs(mbv2, [0.82, 0.83, 0.825]),
  ], meta);
  match(
    clear,
    /\| 16k-64k \| TinyNAS - MbV2 depth-scaled `mbv2-w0.05-d0.5-r40` \| 1,2,3 \| 2\.60 \| 0\.20 \| 1\.00 \| yes \|/,
  );
  match(clear, /\| 10000\/10000 \|/);
  match(clear, /12\.50/);
  const noisy = formatAccuracyTable([tiny, mbv2], [
    ...runs(tiny, [0.85, 0.87, 0.84]),
    ...runs(mbv2, [0.845, 0.84, 0.85]),
  ], meta);
  match(
    noisy,
    /TinyNAS - MbV2 depth-scaled `mbv2-w0.05-d0.5-r40` \| 1,2,3 \| 0\.83 \| 3\.00 \| 1\.00 \| no \|/,
  );
  // A run whose outputs disagreed with the reference is flagged, not hidden.
  const bad = formatAccuracyTable([tiny], runs(tiny, [0.85], 3), meta);
  match(bad, /\| NO \|/);
  match(bad, /\| 9997\/10000 \|/);
  ok(!bad.includes("TinyNAS - "));
});
