/**
 * The quick training path end to end, for real: PyTorch trains a small MBConv net on
 * Fashion-MNIST, the int8 graph is built, exported, scored by the reference interpreter and run
 * on the emulated board.
 */
import { equal, ok } from "node:assert/strict";
import { trainCommand } from "./train.ts";
import { readTflite } from "../engine/tflite/mod.ts";
import { mbconvBlocks } from "../engine/builders/mod.ts";
import { interpretBatch } from "../engine/reference/mod.ts";
import { argmax } from "../pipeline/mod.ts";
import type { AccuracyReport } from "../train/mod.ts";

const TINY = {
  resolution: 28,
  inputChannels: 1,
  classes: 10,
  firstConv: { outChannels: 8 },
  blocks: mbconvBlocks("k3e1s1c8 k3e4s2c16 k5e4s1c16 k3e4s2c24"),
};

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

Deno.test("mcu train --preset quick trains, quantizes, exports and measures a real network", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/tiny.json`, JSON.stringify(TINY));
    const { io, out, err } = capture();
    const code = await trainCommand(`${dir}/tiny.json`, {
      dataset: "fashion-mnist",
      preset: "quick",
      epochs: 1,
      seed: 1,
      board: "stm32f412",
      out: `${dir}/out`,
      json: true,
    }, io);
    equal(code, 0, err.join("\n"));
    ok(err.some((l) => l.startsWith("[train] epoch 1/1")), "progress lines");
    const report = JSON.parse(out[0]!) as AccuracyReport;
    equal(report.images.test, 2000);
    equal(report.images.train, 10000);
    // Chance is 10%; one epoch over 10k images reaches about 65-70%.
    ok(report.floatTestAccuracy > 0.5, `float ${report.floatTestAccuracy}`);
    ok(report.referenceInt8TestAccuracy > 0.5, `int8 ${report.referenceInt8TestAccuracy}`);
    ok(
      Math.abs(report.referenceInt8TestAccuracy - report.floatTestAccuracy) < 0.02,
      `int8 ${report.referenceInt8TestAccuracy} vs float ${report.floatTestAccuracy}`,
    );
    ok(report.referenceMatch, "the firmware equals the reference on a test image");
    ok(report.fits && report.peakSramBytes > 0 && report.instructions > 0);
    // Every test image on the emulated board, byte for byte the reference's outputs.
    ok(report.onDevice.measured);
    equal(report.onDevice.outputMismatches, 0);
    ok(report.onDevice.matchesReference);
    equal(report.onDevice.accuracy, report.referenceInt8TestAccuracy);
    // The exported .tflite is the same int8 network: same predictions on every test image.
    const graph = readTflite(await Deno.readFile(`${dir}/out/model.tflite`));
    const dw = graph.tensors.find((t) => t.name === "block1/depthwise/weights")!;
    equal(dw.quant!.axis, 3);
    equal(dw.quant!.scale.length, 32);
    const images = await Deno.readFile(`${dir}/out/worker/test_images.bin`);
    const labels = await Deno.readFile(`${dir}/out/worker/test_labels.bin`);
    const bytes = images.length / labels.length;
    const inputs = Array.from({ length: labels.length }, (_, i) => [
      images.subarray(i * bytes, (i + 1) * bytes).map((p) => p - 128),
    ]);
    const outputs = await interpretBatch(graph, inputs, { workers: 2 });
    let right = 0;
    outputs.forEach((o, i) => {
      if (argmax(new Int8Array(o[0]!.buffer, o[0]!.byteOffset, o[0]!.length)) === labels[i]) {
        right++;
      }
    });
    equal(right / labels.length, report.referenceInt8TestAccuracy);
    const text = await Deno.readTextFile(`${dir}/out/report.txt`);
    ok(text.includes("every output equals the reference's on every image"), text);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mcu train refuses an unknown data set and a missing data folder with one line", async () => {
  const a = capture();
  equal(await trainCommand("mbv2-w0.35-r28", { dataset: "cifar-10", preset: "quick" }, a.io), 1);
  ok(a.err.join("").includes("Cannot train on data set 'cifar-10'"), a.err.join(""));
  const previous = Deno.env.get("MCU_FASHION_MNIST_DIR");
  Deno.env.set("MCU_FASHION_MNIST_DIR", "/nonexistent-fmnist");
  try {
    const b = capture();
    equal(await trainCommand("mbv2-w0.35-r28", { dataset: "fashion-mnist" }, b.io), 1);
    ok(b.err.join("").includes("/nonexistent-fmnist lacks train-images-idx3-ubyte.gz"));
    const c = capture();
    equal(await trainCommand("nonsense-net", { dataset: "fashion-mnist" }, c.io), 1);
    ok(c.err.join("").startsWith("error: Cannot build model 'nonsense-net'"), c.err.join(""));
  } finally {
    if (previous === undefined) Deno.env.delete("MCU_FASHION_MNIST_DIR");
    else Deno.env.set("MCU_FASHION_MNIST_DIR", previous);
  }
});
