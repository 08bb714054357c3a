/**
 * `deno task patch:measure [<model> <split tensor name | auto> [n | RxC] [board]]`: compile
 * `model` with tinyengine's patch stage (issue #15) forced on (the stage before the split over an
 * n x n or R x C grid) or chosen automatically (`auto`, `--overhead` MAC bound, default 5%), run
 * it in the emulator, and print, as one JSON line per model, whether it equals the layer-wise
 * reference, its measured instructions and peak SRAM (with the input resident, and without it as
 * MCUNetV2 counts) beside the layer-wise tinyengine run's and the layer-wise in-place bound.
 * Without arguments: `auto` on the three models the issue names, then a Markdown table.
 *
 * @module
 */
import { buildModel } from "../engine/builders/mod.ts";
import { compileTinyEngine, type PatchAutoOptions } from "../engine/codegen/mod.ts";
import type { CompiledModel } from "../engine/codegen/mod.ts";
import { layerwiseBounds } from "../engine/analysis/mod.ts";
import { type Graph, tensorBytes } from "../engine/ir/mod.ts";
import { type Board, getBoard } from "../engine/target/mod.ts";
import { runModel } from "../pipeline/mod.ts";

const encoder = new TextEncoder();

/** Models issue #15 names (the default of the task). */
export const PATCH_MODELS = ["mbv2-w1.0-r224", "mcunet-320kb", "mbv2-w0.35-r144"];

/**
 * The largest sum of the plan's simultaneously live buffers other than the graph input: the
 * arena a plan needs when the input image lives elsewhere (MCUNetV2's count).
 */
export function liveWithoutInput(compiled: CompiledModel, graph: Graph): number {
  const inputs = new Set(graph.inputs);
  const buffers = compiled.plan.buffers.filter((b) => !inputs.has(b.tensor));
  const last = Math.max(0, ...buffers.map((b) => b.lastUse));
  let peak = 0;
  for (let step = 0; step <= last; step++) {
    let live = 0;
    for (const b of buffers) if (b.firstUse <= step && step <= b.lastUse) live += b.size;
    peak = Math.max(peak, live);
  }
  return peak;
}

/** One measured patch plan beside the layer-by-layer run. */
export interface PatchMeasurement {
  readonly model: string;
  readonly board: string;
  readonly plan: string;
  readonly macOverhead: number;
  readonly referenceMatch: boolean;
  readonly instructions: number;
  readonly peakSramBytes: number;
  readonly peakWithoutInputBytes: number;
  readonly inputBytes: number;
  readonly arenaBytes: number;
  readonly layerwise: {
    readonly referenceMatch: boolean;
    readonly instructions: number;
    readonly peakSramBytes: number;
    readonly arenaBytes: number;
  };
  readonly layerwiseInPlaceBoundBytes: number;
  readonly instructionOverhead: number;
}

/** Compile, run and compare one plan (`spec` undefined: automatic choice). */
export async function measurePatchPlan(
  model: string,
  board: Board,
  spec: { split: string; rows: number; cols: number } | undefined,
  auto: PatchAutoOptions = {},
): Promise<PatchMeasurement> {
  const graph = buildModel(model);
  let patches: "auto" | { split: number; rows: number; cols: number } = "auto";
  if (spec) {
    const split = graph.tensors.findIndex((t) => t.name === spec.split);
    if (split < 0) throw new Error(`Model '${model}' has no tensor named '${spec.split}'`);
    patches = { split, rows: spec.rows, cols: spec.cols };
  }
  const compiled = compileTinyEngine(graph, { board, patches, patchAuto: auto });
  const patched = await runModel(graph, { engine: "tinyengine", board, compiled });
  const layerwise = await runModel(graph, { engine: "tinyengine", board });
  const p = compiled.plan.patches;
  const inputBytes = graph.inputs.reduce((s, t) => s + tensorBytes(graph.tensors[t]!), 0);
  return {
    model,
    board: board.name,
    plan: p?.split ? `${p.split} ${p.rows}x${p.cols}` : "layer by layer",
    macOverhead: p?.macOverhead ?? 0,
    referenceMatch: patched.referenceMatch,
    instructions: patched.instructions,
    peakSramBytes: patched.peakSramBytes,
    peakWithoutInputBytes: patched.peakSramBytes - compiled.plan.arenaBytes +
      liveWithoutInput(compiled, graph),
    inputBytes,
    arenaBytes: compiled.plan.arenaBytes,
    layerwise: {
      referenceMatch: layerwise.referenceMatch,
      instructions: layerwise.instructions,
      peakSramBytes: layerwise.peakSramBytes,
      arenaBytes: layerwise.arenaBytes,
    },
    layerwiseInPlaceBoundBytes: layerwiseBounds(graph).inPlace.bytes,
    instructionOverhead: patched.instructions / layerwise.instructions - 1,
  };
}

/** The Markdown table of measured plans. */
export function patchMeasureTable(rows: readonly PatchMeasurement[]): string {
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  const b = (v: number) => v.toLocaleString("en-US");
  return [
    "| model | board | patch plan | peak SRAM (input resident) | peak without input | input | instr. overhead | MAC overhead | layer-wise tinyengine peak | layer-wise in-place bound | bit-exact |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
    ...rows.map((r) =>
      `| ${r.model} | ${r.board} | ${r.plan} | ${b(r.peakSramBytes)} | ${
        b(r.peakWithoutInputBytes)
      } | ${b(r.inputBytes)} | ${pct(r.instructionOverhead)} | ${pct(r.macOverhead)} | ${
        b(r.layerwise.peakSramBytes)
      } | ${b(r.layerwiseInPlaceBoundBytes)} | ${r.referenceMatch && r.layerwise.referenceMatch} |`
    ),
  ].join("\n");
}

function parseGrid(text: string | undefined): { rows: number; cols: number } {
  const m = /^(\d+)(?:x(\d+))?$/.exec(text ?? "");
  if (!m) throw new Error(`Cannot read patch grid '${text}': expected n or RxC`);
  return { rows: Number(m[1]), cols: Number(m[2] ?? m[1]) };
}

async function main(args: readonly string[]): Promise<void> {
  const flag = args.indexOf("--overhead");
  const auto = flag >= 0 ? { maxMacOverhead: Number(args[flag + 1]) } : {};
  const rest = flag >= 0 ? [...args.slice(0, flag), ...args.slice(flag + 2)] : [...args];
  const [model, splitName, grid, boardName] = rest;
  const rows: PatchMeasurement[] = [];
  if (!model) {
    for (const m of PATCH_MODELS) {
      const r = await measurePatchPlan(m, getBoard("stm32h743"), undefined, auto);
      Deno.stdout.writeSync(encoder.encode(`${JSON.stringify(r)}\n`));
      rows.push(r);
    }
    Deno.stdout.writeSync(encoder.encode(`\n${patchMeasureTable(rows)}\n`));
    return;
  }
  if (!splitName) {
    throw new Error(
      "usage: deno task patch:measure [<model> <split tensor name | auto> [n | RxC] [board]] [--overhead f]",
    );
  }
  const isAuto = splitName === "auto";
  const board = getBoard((isAuto ? grid : boardName) ?? "stm32h743");
  const spec = isAuto ? undefined : { split: splitName, ...parseGrid(grid) };
  const r = await measurePatchPlan(model, board, spec, auto);
  Deno.stdout.writeSync(encoder.encode(`${JSON.stringify(r)}\n`));
}

if (import.meta.main) {
  try {
    await main(Deno.args);
  } catch (e) {
    Deno.stderr.writeSync(encoder.encode(`patch:measure: ${(e as Error).message}\n`));
    Deno.exit(1);
  }
}
