/**
 * `deno task patch:measure <model> <split tensor name> <n> [board]`: compile `model` with
 * tinyengine's patch stage forced on (the stage before the split unrolled over an n x n grid),
 * run it in the emulator, and print, as one JSON line, whether it equals the layer-wise
 * reference, its measured instructions and peak SRAM beside the layer-wise tinyengine run's, and
 * the liveness estimate of the same plan (issue #15).
 *
 * @module
 */
import { buildModel } from "../engine/builders/mod.ts";
import { compileTinyEngine } from "../engine/codegen/mod.ts";
import { estimatePatchPlan } from "../engine/analysis/mod.ts";
import { getBoard } from "../engine/target/mod.ts";
import { runModel } from "../pipeline/mod.ts";

const encoder = new TextEncoder();

async function main(args: readonly string[]): Promise<void> {
  const [model, splitName, grid, boardName] = args;
  if (!model || !splitName || !grid) {
    throw new Error("usage: deno task patch:measure <model> <split tensor name> <n> [board]");
  }
  const graph = buildModel(model);
  const split = graph.tensors.findIndex((t) => t.name === splitName);
  if (split < 0) throw new Error(`Model '${model}' has no tensor named '${splitName}'`);
  const n = Number(grid);
  const board = getBoard(boardName ?? "stm32h743");
  const estimate = estimatePatchPlan(graph, split, n, n);
  const compiled = compileTinyEngine(graph, { board, patches: { split, rows: n, cols: n } });
  const patched = await runModel(graph, { engine: "tinyengine", board, compiled });
  const layerwise = await runModel(graph, { engine: "tinyengine", board });
  const line = {
    model,
    split: splitName,
    grid: `${n}x${n}`,
    board: board.name,
    referenceMatch: patched.referenceMatch,
    instructions: patched.instructions,
    peakSramBytes: patched.peakSramBytes,
    layerwise: {
      referenceMatch: layerwise.referenceMatch,
      instructions: layerwise.instructions,
      peakSramBytes: layerwise.peakSramBytes,
    },
    instructionOverhead: patched.instructions / layerwise.instructions - 1,
    estimate: {
      peakBytes: estimate.peak,
      peakWithoutInputBytes: estimate.peakWithoutInput,
      macOverhead: estimate.macOverhead,
    },
  };
  Deno.stdout.writeSync(encoder.encode(`${JSON.stringify(line)}\n`));
}

if (import.meta.main) {
  try {
    await main(Deno.args);
  } catch (e) {
    Deno.stderr.writeSync(encoder.encode(`patch:measure: ${(e as Error).message}\n`));
    Deno.exit(1);
  }
}
