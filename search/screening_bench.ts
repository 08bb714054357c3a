/**
 * Screening speed: shape-only SRAM/Flash check plus latency-table lookup per candidate
 * (acceptance: >= 1,000 candidates/s). Run: deno bench -A search/screening_bench.ts
 *
 * @module
 */
import { createRng } from "../engine/util/mod.ts";
import { costOfLayers, DEFAULT_CALIBRATION } from "./cost.ts";
import { archLayers, layerKey } from "./layers.ts";
import {
  coverArchs,
  emptyLatencyTable,
  type LatencyTable,
  predictLatencyRange,
} from "./latency.ts";
import { MCUNET_SPACE, sampleArch, toMbconvArch } from "./space.ts";

const HEAD = { classes: 1000, inputChannels: 3 };
const PAIR = { width: 0.5, resolution: 176 };
const entries: Record<string, number> = {};
for (const a of coverArchs(MCUNET_SPACE, PAIR)) {
  const layers = archLayers(toMbconvArch(MCUNET_SPACE, a, HEAD));
  layers.forEach((l, i) => {
    entries[`fast|${layerKey(l)}`] = 1000;
    // Streamed expansion + depthwise kernels, as the cover runs record them.
    const next = layers[i + 1];
    if (l.role === "expand" && next?.kind === "DEPTHWISE_CONV_2D") {
      entries[`fast|${layerKey(l)}+${layerKey(next)}`] = 1900;
    }
  });
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
      // As stage 2 screens: the range over which expansions the compiler streams.
      const missing = predictLatencyRange(table, layers).missing.length;
      if (cost.sramBytes <= 320 * 1024 && cost.flashBytes <= 1 << 20 && missing === 0) {
        fits++;
      }
    }
    if (fits < 0) throw new Error("unreachable");
  },
});
