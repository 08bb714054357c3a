/**
 * Screening speed: shape-only SRAM/Flash check plus latency-table lookup per candidate
 * (acceptance: >= 1,000 candidates/s). Run: deno bench -A search/screening_bench.ts
 *
 * @module
 */
import { createRng } from "../engine/util/rng.ts";
import { costOfLayers, DEFAULT_CALIBRATION } from "./cost.ts";
import { archLayers, layerKey } from "./layers.ts";
import { coverArchs, emptyLatencyTable, type LatencyTable, predictLatency } from "./latency.ts";
import { MCUNET_SPACE, sampleArch, toMbconvArch } from "./space.ts";

const HEAD = { classes: 1000, inputChannels: 3 };
const PAIR = { width: 0.5, resolution: 176 };
const entries: Record<string, number> = {};
for (const a of coverArchs(MCUNET_SPACE, PAIR)) {
  for (const l of archLayers(toMbconvArch(MCUNET_SPACE, a, HEAD))) {
    entries[`fast|${layerKey(l)}`] = 1000;
  }
}
const table: LatencyTable = {
  ...emptyLatencyTable({ engineHash: "bench", core: "cortex-m7" }),
  entries,
};
const rng = createRng(1);
const archs = Array.from({ length: 1000 }, () => sampleArch(MCUNET_SPACE, rng, PAIR));

Deno.bench({
  group: "screening",
  name: "1000 candidates: sample + SRAM/Flash estimate + latency table",
  baseline: true,
  fn() {
    let fits = 0;
    for (const arch of archs) {
      const layers = archLayers(toMbconvArch(MCUNET_SPACE, arch, HEAD));
      const cost = costOfLayers(layers, DEFAULT_CALIBRATION);
      const lat = predictLatency(table, layers);
      if (cost.sramBytes <= 320 * 1024 && cost.flashBytes <= 1 << 20 && lat.missing.length === 0) {
        fits++;
      }
    }
    if (fits < 0) throw new Error("unreachable");
  },
});
