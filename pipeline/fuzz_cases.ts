/**
 * The fuzz task's cases and checks: seeded random MBConv and ResNet-style networks built with the
 * project's builders and random chains of every operator, some with negative, tiny and mixed-sign
 * per-channel weight scales, run with both engines on a Cortex-M7 and a Cortex-M4 board, and on
 * the M7 also with tinyengine's patch stage forced on at a random split and grid (issue #15).
 *
 * @module
 */
import { getBoard } from "../engine/target/mod.ts";
import {
  buildMbconv,
  buildResNet,
  lstmModel,
  type MbconvArch,
  type MbconvBlock,
  svdfModel,
} from "../engine/builders/mod.ts";
import { readTflite, writeTflite } from "../engine/tflite/mod.ts";
import type { Graph } from "../engine/ir/mod.ts";
import { runModel } from "./run.ts";
import { createRng, type Rng } from "../engine/util/mod.ts";
import { randomChainGraph } from "./random_graph.ts";
import { mixWeightScales } from "./scale_mix.ts";
import { compileTinyEngine } from "../engine/codegen/mod.ts";
import { PatchPlanError, patchStage } from "../engine/ops/mod.ts";
import type { PatchSpec } from "../engine/schedule/mod.ts";

/** Boards every case runs on (one M7, one M4). */
export const FUZZ_BOARDS = ["stm32f746", "stm32f412"] as const;

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.int(xs.length)]!;
}

/** A random MBConv architecture (small resolution, odd channel counts). */
export function randomMbconvArch(rng: Rng): MbconvArch {
  const resolution = pick(rng, [16, 20, 24, 28, 32, 40, 48]);
  const blocks: MbconvBlock[] = [];
  let channels = 3 + rng.int(14);
  const first = channels;
  const n = 1 + rng.int(5);
  for (let i = 0; i < n; i++) {
    const stride = pick(rng, [1, 1, 2]);
    const out = 3 + rng.int(21);
    const residual = stride === 1 && out === channels && rng.int(2) === 0;
    blocks.push({
      kernel: pick(rng, [3, 5, 7]),
      expand: pick(rng, [1, 3, 4, 6]),
      stride,
      outChannels: residual ? channels : out,
      ...(residual ? { residual: true } : {}),
    });
    channels = residual ? channels : out;
    if (rng.int(3) === 0) {
      blocks.push({
        kernel: pick(rng, [3, 5]),
        expand: pick(rng, [2, 3, 5]),
        stride: 1,
        outChannels: channels,
        residual: true,
      });
    }
  }
  return {
    resolution,
    inputChannels: pick(rng, [1, 3]),
    classes: 2 + rng.int(20),
    firstConv: { outChannels: first },
    blocks,
    ...(rng.int(2) === 0 ? { featureMix: { outChannels: 8 + rng.int(40) } } : {}),
  };
}

/**
 * The graph of fuzz case `index` under `seed`. Cases cycle through four kinds: a network from the
 * builders (MBConv three times out of four, else ResNet); the same kind of network with negative,
 * tiny and mixed-sign per-channel weight scales ({@link mixWeightScales}); a random chain of
 * every operator ({@link randomChainGraph}) with such scales; and a recurrent model (an integer
 * LSTM or SVDF with random shapes and quantization, `engine/builders/recurrent_models.ts`)
 * written to `.tflite` by the project's writer and read back.
 */
export function fuzzGraph(seed: number, index: number): Graph {
  const caseSeed = (seed * 1000003 + index * 7919) >>> 0;
  const kind = index % 4;
  if (kind === 3) {
    const lstm = (index >> 2) % 2 === 0;
    const g = lstm ? lstmModel({ seed: caseSeed }) : svdfModel({ seed: caseSeed });
    return {
      ...readTflite(writeTflite(g)),
      name: `fuzz-${seed}-${index}-${lstm ? "lstm" : "svdf"}`,
    };
  }
  if (kind === 2) {
    const chain = randomChainGraph(caseSeed, { layers: 8 });
    return mixWeightScales({ ...chain, name: `fuzz-${seed}-${index}-chain-mixed` }, caseSeed);
  }
  const rng = createRng(caseSeed);
  const suffix = kind === 1 ? "-mixed" : "";
  let graph: Graph;
  if (rng.int(4) === 3) {
    const stacks = Array.from({ length: 1 + rng.int(3) }, () => 3 + rng.int(30));
    graph = buildResNet(
      { resolution: pick(rng, [8, 12, 16, 20, 32]), classes: 2 + rng.int(12), stacks },
      { seed: index, name: `fuzz-${seed}-${index}-resnet${suffix}` },
    );
  } else {
    graph = buildMbconv(randomMbconvArch(rng), {
      seed: index,
      name: `fuzz-${seed}-${index}-mbconv${suffix}`,
    });
  }
  return kind === 1 ? mixWeightScales(graph, caseSeed) : graph;
}

/**
 * A random patch plan for case `index` (issue #15): a split tensor drawn among the graph's
 * rank-4 node outputs that can run patch by patch, and a grid of 1 to 4 rows and columns (not
 * 1 x 1); undefined when the graph has no such split.
 */
export function randomPatchSpec(graph: Graph, seed: number, index: number): PatchSpec | undefined {
  const rng = createRng((seed * 999983 + index * 104729) >>> 0);
  const splits = graph.nodes.map((n) => n.outputs[0]!).filter((t) => {
    const shape = graph.tensors[t]?.shape ?? [];
    if (shape.length !== 4 || shape[1]! * shape[2]! < 2) return false;
    try {
      patchStage(graph, t);
      return true;
    } catch (e) {
      if (e instanceof PatchPlanError) return false;
      throw e;
    }
  });
  if (splits.length === 0) return undefined;
  const split = pick(rng, splits);
  const [, h, w] = graph.tensors[split]!.shape as number[];
  for (;;) {
    const rows = 1 + rng.int(Math.min(4, h!));
    const cols = 1 + rng.int(Math.min(4, w!));
    if (rows * cols > 1) return { split, rows, cols };
  }
}

/** The outcome of one case on one board. */
export interface FuzzOutcome {
  readonly index: number;
  readonly board: string;
  readonly model: string;
  readonly ok: boolean;
  readonly detail: string;
}

/**
 * Run case `index` on every board with both engines (and a random patch plan on the first); a
 * case fails when any run differs from the reference, or an engine throws (a split or grid the
 * patch stage refuses with a `PatchPlanError`, e.g. a pool meeting the border, is skipped).
 */
export async function runFuzzCase(
  seed: number,
  index: number,
  options: { readonly cacheDir?: string } = {},
): Promise<FuzzOutcome[]> {
  const out: FuzzOutcome[] = [];
  let graph: Graph;
  try {
    graph = fuzzGraph(seed, index);
  } catch (e) {
    return [{ index, board: "-", model: "-", ok: false, detail: `build: ${(e as Error).message}` }];
  }
  for (const board of FUZZ_BOARDS) {
    const parts: string[] = [];
    let ok = true;
    for (const engine of ["tinyengine", "tflm"] as const) {
      try {
        const r = await runModel(graph, {
          engine,
          board: getBoard(board),
          ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
        });
        if (!r.referenceMatch) ok = false;
        parts.push(
          `${engine} ${
            r.referenceMatch ? "ok" : "MISMATCH"
          } ${r.instructions} instr ${r.peakSramBytes} B`,
        );
      } catch (e) {
        ok = false;
        parts.push(`${engine} ERROR ${(e as Error).message.split("\n")[0]}`);
      }
    }
    if (board === FUZZ_BOARDS[0]) {
      // tinyengine with a random patch stage forced on, on the M7 board.
      const spec = randomPatchSpec(graph, seed, index);
      try {
        if (!spec) {
          parts.push("patches n/a (no split runs patch by patch)");
        } else {
          const b = getBoard(board);
          const compiled = compileTinyEngine(graph, { board: b, patches: spec });
          const r = await runModel(graph, {
            engine: "tinyengine",
            board: b,
            compiled,
            ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
          });
          if (!r.referenceMatch) ok = false;
          parts.push(
            `patches ${graph.tensors[spec.split]!.name} ${spec.rows}x${spec.cols} ${
              r.referenceMatch ? "ok" : "MISMATCH"
            }`,
          );
        }
      } catch (e) {
        if (e instanceof PatchPlanError) {
          parts.push(`patches n/a (${e.message.split("\n")[0]})`);
        } else {
          ok = false;
          parts.push(`patches ERROR ${(e as Error).message.split("\n")[0]}`);
        }
      }
    }
    out.push({ index, board, model: graph.name, ok, detail: parts.join("; ") });
  }
  return out;
}
