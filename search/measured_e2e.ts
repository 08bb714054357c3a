/**
 * Search predictions against compile + build + emulation (needs the toolchain and Unicorn:
 * `deno task setup`). Small resolutions keep these fast.
 */
import { assert } from "./_test_assert.ts";
import { getBoard } from "../engine/target/mod.ts";
import { createRng } from "../engine/util/mod.ts";
import { committedCalibration } from "./calibration.ts";
import { costOfLayers } from "./cost.ts";
import { createSearchEngine } from "./engine.ts";
import { archLayers } from "./layers.ts";
import { MCUNET_SPACE, sampleArch, toMbconvArch } from "./space.ts";
import { checkLatencyTable, ensureLatencyTable } from "./latency_runs.ts";

Deno.test("constraint checks agree with compile and emulate on random architectures", async () => {
  const head = { classes: 1000, inputChannels: 3 };
  const engine = createSearchEngine();
  const board = getBoard("stm32f746");
  const calibration = committedCalibration(board.core);
  const rng = createRng(77);
  for (const pair of [{ width: 0.3, resolution: 48 }, { width: 0.5, resolution: 64 }]) {
    const net = toMbconvArch(MCUNET_SPACE, sampleArch(MCUNET_SPACE, rng, pair), head);
    const graph = engine.buildGraph(net, { name: "check", seed: 1 });
    const plan = engine.plan(graph, board);
    const report = await engine.runModel(graph, board);
    const cost = costOfLayers(archLayers(net), calibration);
    // The exact plan is what the firmware reserves.
    assert(
      plan.arenaBytes === report.arenaBytes,
      `plan ${plan.arenaBytes} vs ${report.arenaBytes}`,
    );
    // SRAM as the search predicts it (exact arena + static + stack allowance) bounds the measured
    // peak from above, tightly.
    const sram = plan.arenaBytes + calibration.staticBytes + calibration.stackBytes;
    assert(sram >= report.peakSramBytes, `predicted ${sram} < measured ${report.peakSramBytes}`);
    assert(
      sram - report.peakSramBytes <= 8192,
      `predicted ${sram}, measured ${report.peakSramBytes}`,
    );
    // The shape-only estimate never under-predicts the arena.
    assert(cost.arenaBytes >= report.arenaBytes, `${cost.arenaBytes} < ${report.arenaBytes}`);
    // Flash: the calibrated estimate bounds the measured image from above, within 32 KiB
    // (3% of a 1 MiB board; the fit's largest over-prediction on its own builds is ~21 KB).
    assert(cost.flashBytes >= report.flashBytes, `${cost.flashBytes} < ${report.flashBytes}`);
    assert(
      cost.flashBytes - report.flashBytes <= 32768,
      `flash predicted ${cost.flashBytes}, measured ${report.flashBytes}`,
    );
    // The verdict against the board agrees with the emulator's.
    const fits = sram <= board.sram.size && cost.flashBytes <= board.flash.size;
    assert(fits === report.fits, `search says fits=${fits}, emulator ${report.fits}`);
    assert(report.referenceMatch);
  }
});

Deno.test("the latency table predicts held-out networks within 1 percent", async () => {
  const engine = createSearchEngine();
  const board = getBoard("stm32f746");
  const dir = await Deno.makeTempDir();
  try {
    const base = {
      space: MCUNET_SPACE,
      pair: { width: 0.3, resolution: 96 },
      head: { classes: 100, inputChannels: 3 },
      board,
      engine,
      seed: 3,
    };
    const root = decodeURIComponent(new URL("..", import.meta.url).pathname).replace(/\/$/, "");
    const { table, engineHash } = await ensureLatencyTable({ ...base, cacheDir: dir, root });
    const checks = await checkLatencyTable(table, {
      ...base,
      cacheDir: dir,
      hashInfo: { engineHash, core: board.core },
      count: 4,
    });
    // The acceptance sample (>= 50 networks at the searched size) is `mcu search --check-latency 50`;
    // here a small one. Each kernel is compiled on its own (noipa) and the table has both
    // pipelines, so what is left is the requantization path tinyengine picks per layer from the
    // weights: a fraction of a percent.
    const detail = checks.map((c) => `${c.predicted} vs ${c.measured}`).join(", ");
    for (const c of checks) assert(c.error <= 0.01, `${c.key}: ${detail}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
