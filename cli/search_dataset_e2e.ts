/**
 * `mcu search --dataset fashion-mnist --preset quick` for real (PyTorch, Fashion-MNIST, gcc,
 * Unicorn: `deno task setup`): a small super-network, a short evolution, fine-tuning, int8 export
 * and on-device scoring of a test subset. Run by `deno task test:e2e` (CI).
 */
import { ok, strictEqual } from "node:assert/strict";
import { searchCommand } from "./search.ts";
import type { AccuracySearchSummary } from "./search_dataset.ts";

Deno.test("the quick accuracy search returns a trained int8 network that fits 16 KiB / 64 KiB, bit-exact on device and well above chance", async () => {
  const out = await Deno.makeTempDir();
  const lines: string[] = [];
  const progress: string[] = [];
  try {
    const code = await searchCommand({
      board: "stm32f412",
      classes: 10,
      seed: 1,
      json: true,
      dataset: "fashion-mnist",
      preset: "quick",
      sram: 16384,
      flash: 65536,
      out,
    }, { out: (l) => lines.push(l), err: (t) => progress.push(t), isTty: false });
    strictEqual(code, 0, progress.join(""));
    const s = JSON.parse(lines[0]!) as AccuracySearchSummary;
    ok(s.fits);
    ok(s.peakSramBytes <= 16384, `SRAM ${s.peakSramBytes}`);
    ok(s.flashBytes <= 65536, `Flash ${s.flashBytes}`);
    ok(s.accuracy.onDeviceMatchesReference);
    strictEqual(s.accuracy.onDeviceInt8Test, s.accuracy.referenceInt8Test);
    // Chance is 10%; one epoch of fine-tuning a tiny network is far above it.
    ok(s.accuracy.onDeviceInt8Test > 0.5, `on-device accuracy ${s.accuracy.onDeviceInt8Test}`);
    ok(s.scoring.subnets >= 8);
    ok(progress.join("").includes("[supernet]"), "progress while training");
    ok(progress.join("").includes("[evolve"), "progress while searching");
    const tflite = await Deno.stat(`${out}/model.tflite`);
    ok(tflite.size > 0);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
