/**
 * Wall time of on-device batch evaluation (`evaluateOnDevice`) on a small MobileNetV2-style
 * network at 28x28 over Fashion-MNIST test images (or seeded random images when the dataset is
 * absent): the device phase, the reference phase (in workers, overlapping it), the total, and the
 * reference interpreter's single-thread speed. Not a test: timings depend on the machine.
 *
 *   deno task evaluate:speed [--count 10000] [--engine tinyengine] [--board stm32f746]
 *                            [--workers N] [--random]
 *
 * @module
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { buildMbconv, mbconvBlocks } from "../engine/builders/mbconv.ts";
import { getBoard } from "../engine/target/boards.ts";
import type { EngineName } from "../engine/codegen/backend.ts";
import { opMacs } from "../engine/ops/mod.ts";
import { interpret } from "../engine/reference/interpret.ts";
import { createRng } from "../engine/util/rng.ts";
import { evaluateOnDevice } from "../pipeline/evaluate.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    count: { type: "string", default: "10000" },
    engine: { type: "string", default: "tinyengine" },
    board: { type: "string", default: "stm32f746" },
    workers: { type: "string" },
    random: { type: "boolean", default: false },
  },
});

const FASHION_MNIST_TEST = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";

/** The IDX test images as int8 inputs (pixel - 128), or undefined when the file is absent. */
async function fashionMnist(count: number): Promise<Uint8Array[] | undefined> {
  let gz: Uint8Array;
  try {
    gz = await Deno.readFile(FASHION_MNIST_TEST);
  } catch {
    return undefined;
  }
  const stream = new Blob([gz as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new DecompressionStream("gzip"));
  const raw = new Uint8Array(await new Response(stream).arrayBuffer());
  const view = new DataView(raw.buffer);
  const [n, rows, cols] = [4, 8, 12].map((o) => view.getUint32(o, false)) as [
    number,
    number,
    number,
  ];
  const size = rows * cols;
  return Array.from({ length: Math.min(count, n) }, (_, i) => {
    const px = raw.subarray(16 + i * size, 16 + (i + 1) * size);
    return Uint8Array.from(px, (p) => (p - 128) & 0xff);
  });
}

const count = Number(args.count);
const graph = buildMbconv({
  resolution: 28,
  inputChannels: 1,
  classes: 10,
  firstConv: { outChannels: 8 },
  blocks: mbconvBlocks("k3e1s1c8 k3e4s2c16 k5e4s1c16 k3e4s2c24 k3e4s1c24"),
}, { name: "mbv2-style-28x28", seed: 1 });
let macs = 0;
for (const n of graph.nodes) macs += opMacs(graph, n);

const fromData = args.random ? undefined : await fashionMnist(count);
const rng = createRng(1);
const inputs = fromData ??
  Array.from({ length: count }, () => Uint8Array.from({ length: 784 }, () => rng.int(256)));
const source = fromData ? "Fashion-MNIST test images" : "seeded random images";

// The reference interpreter alone, one thread.
const probe = inputs.slice(0, 50);
for (const x of probe.slice(0, 10)) interpret(graph, [x]);
let t = performance.now();
for (const x of probe) interpret(graph, [x]);
const referenceMs = (performance.now() - t) / probe.length;

const board = getBoard(args.board);
const engine = args.engine as EngineName;
let deviceDone = 0;
let referenceDone = 0;
const cpu0 = process.cpuUsage();
t = performance.now();
const r = await evaluateOnDevice(graph, inputs, {
  engine,
  board,
  ...(args.workers !== undefined ? { referenceWorkers: Number(args.workers) } : {}),
  onProgress: (_done, total, phase) => {
    if (phase === "device" && _done === total) deviceDone = performance.now() - t;
    if (phase === "reference" && _done === total) referenceDone = performance.now() - t;
  },
});
const totalMs = performance.now() - t;
const cpu = process.cpuUsage(cpu0);
const cpuS = (cpu.user + cpu.system) / 1e6;
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const lines = [
  `model ${graph.name}: ${macs} MACs, ${graph.nodes.length} ops; ${r.count} ${source}`,
  `engine ${engine} on ${board.name}: instructions per inference min ${r.instructions.min} ` +
  `mean ${Math.round(r.instructions.mean)} max ${r.instructions.max}`,
  `output mismatches ${r.outputMismatches}, prediction mismatches ${r.predictionMismatches}`,
  `reference interpreter, one thread: ${referenceMs.toFixed(2)} ms per inference`,
  `wall: device phase done at ${s(deviceDone)} ` +
  `(${(r.instructions.mean * r.count / (deviceDone / 1000) / 1e6).toFixed(0)} MIPS incl. ` +
  `compile and build), reference done at ${s(referenceDone)}, total ${s(totalMs)} ` +
  `on ${navigator.hardwareConcurrency} CPUs`,
  `CPU time of the whole evaluation (every thread): ${cpuS.toFixed(1)} s (the wall time on an ` +
  "idle machine is at least this divided by the CPUs used)",
];
// deno-lint-ignore no-console
console.log(lines.join("\n"));
