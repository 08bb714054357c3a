import { assert, assertEquals } from "./_test_assert.ts";
import { createRng } from "../engine/util/mod.ts";
import { archLayers, layerKey } from "./layers.ts";
import {
  addRun,
  coverArchs,
  emptyLatencyTable,
  loadLatencyTable,
  predictLatency,
  predictLatencyRange,
  saveLatencyTable,
} from "./latency.ts";
import { MCUNET_SPACE, sampleArch, toMbconvArch } from "./space.ts";

const HEAD = { classes: 10, inputChannels: 3 };
const PAIR = { width: 0.5, resolution: 96 };

/** A fake emulator: per-layer counts from the layer shape, plus 40 instructions per layer. */
function fakeRun(arch: ReturnType<typeof sampleArch>) {
  const layers = archLayers(toMbconvArch(MCUNET_SPACE, arch, HEAD));
  const reported = layers.map((l) => ({
    op: l.kind,
    instructions: 3 * l.outH * l.outW * l.outC * l.kernel + l.inC,
  }));
  const instructions = reported.reduce((s, r) => s + r.instructions, 0) + 40 * layers.length;
  return { layers, reported, instructions };
}

Deno.test("the cover networks contain every layer configuration of a space", () => {
  const cover = coverArchs(MCUNET_SPACE, PAIR);
  assertEquals(cover.length, 12);
  const keys = new Set(
    cover.flatMap((a) => archLayers(toMbconvArch(MCUNET_SPACE, a, HEAD)).map(layerKey)),
  );
  const rng = createRng(9);
  for (let i = 0; i < 300; i++) {
    const layers = archLayers(
      toMbconvArch(MCUNET_SPACE, sampleArch(MCUNET_SPACE, rng, PAIR), HEAD),
    );
    for (const l of layers) assert(keys.has(layerKey(l)), layerKey(l));
  }
});

Deno.test("a table filled from the cover runs predicts other networks exactly", () => {
  let table = emptyLatencyTable({ engineHash: "test", core: "cortex-m7" });
  for (const a of coverArchs(MCUNET_SPACE, PAIR)) table = addRun(table, fakeRun(a));
  assertEquals(table.overheadPerLayer, 40);
  const rng = createRng(10);
  for (let i = 0; i < 20; i++) {
    const run = fakeRun(sampleArch(MCUNET_SPACE, rng, PAIR));
    const p = predictLatency(table, run.layers);
    assertEquals(p.missing, []);
    assertEquals(p.instructions, run.instructions - 40 * run.layers.length);
  }
});

Deno.test("a run whose layers do not align with the prediction is refused", () => {
  const run = fakeRun(sampleArch(MCUNET_SPACE, createRng(1), PAIR));
  const table = emptyLatencyTable({ engineHash: "test", core: "cortex-m7" });
  let message = "";
  try {
    addRun(table, { ...run, reported: run.reported.slice(1) });
  } catch (e) {
    message = String(e);
  }
  assert(message.includes("Cannot align the latency table"), message);
});

Deno.test("latency tables round-trip through the cache and merge on save", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const info = { engineHash: "abc123", core: "cortex-m4" };
    const empty = await loadLatencyTable(dir, info);
    assertEquals(Object.keys(empty.entries).length, 0);
    const [a, b] = coverArchs(MCUNET_SPACE, PAIR);
    const t1 = addRun(empty, fakeRun(a!));
    await saveLatencyTable(dir, t1);
    const t2 = addRun(empty, fakeRun(b!));
    await saveLatencyTable(dir, t2);
    const back = await loadLatencyTable(dir, info);
    assertEquals(back.entries, { ...t1.entries, ...t2.entries });
    const other = await loadLatencyTable(dir, { ...info, engineHash: "def456" });
    assertEquals(Object.keys(other.entries).length, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("predictions follow the compiler's pipeline: streamed pairs or layer by layer", () => {
  const arch = sampleArch(MCUNET_SPACE, createRng(4), PAIR);
  const layers = archLayers(toMbconvArch(MCUNET_SPACE, arch, HEAD));
  const entries: Record<string, number> = {};
  let pairs = 0;
  layers.forEach((l, i) => {
    entries[`fast|${layerKey(l)}`] = 100;
    const next = layers[i + 1];
    if (l.role === "expand" && next?.kind === "DEPTHWISE_CONV_2D") {
      entries[`fast|${layerKey(l)}+${layerKey(next)}`] = 250;
      pairs++;
    }
  });
  assert(pairs > 0);
  const table = { ...emptyLatencyTable({ engineHash: "t", core: "cortex-m7" }), entries };
  const layerwise = predictLatency(table, layers, { streamed: false });
  const streamed = predictLatency(table, layers, { streamed: true });
  assertEquals(layerwise.instructions, 100 * layers.length);
  assertEquals(streamed.instructions, 100 * (layers.length - 2 * pairs) + 250 * pairs);
  assertEquals([layerwise.missing, streamed.missing], [[], []]);
  // The compiler's own grouping: only the first pair streamed.
  const kernels: string[] = [];
  let first = true;
  for (let i = 0; i < layers.length; i++) {
    const next = layers[i + 1];
    if (first && layers[i]!.role === "expand" && next?.kind === "DEPTHWISE_CONV_2D") {
      kernels.push(`${layers[i]!.kind}+${next.kind}`);
      first = false;
      i++;
    } else kernels.push(layers[i]!.kind);
  }
  const one = predictLatency(table, layers, { kernels });
  assertEquals(one.instructions, 100 * (layers.length - 2) + 250);
  // Kernels that do not cover the layers are an error, not a silent guess.
  let message = "";
  try {
    predictLatency(table, layers, { kernels: kernels.slice(1) });
  } catch (e) {
    message = String(e);
  }
  assert(message.includes("do not cover the layers"), message);
  // Screening range: every pair at its cheaper (200 < 250) and dearer kernel.
  const range = predictLatencyRange(table, layers);
  assertEquals([range.min, range.max], [layerwise.instructions, streamed.instructions]);
});
