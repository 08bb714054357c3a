/**
 * `deno task patch:suites [suites...]`: every model of the bench suites (default `paper` and
 * `mlperf`) compiled by tinyengine with a patch stage forced on (issue #15: the best estimated
 * split and grid within 10% recomputed MACs, else any valid one), run in the emulator on the
 * reference board and compared with the layer-wise reference interpreter bit for bit. One JSON
 * line per model, then a summary line; exits non-zero on any mismatch.
 *
 * @module
 */
import { buildModel } from "../engine/builders/mod.ts";
import { compileTinyEngine, patchCandidatesWithin } from "../engine/codegen/mod.ts";
import type { Graph } from "../engine/ir/mod.ts";
import { PatchPlanError } from "../engine/ops/mod.ts";
import { getBoard } from "../engine/target/mod.ts";
import { runModel } from "../pipeline/mod.ts";
import { engineApi } from "./engine_api.ts";
import { REFERENCE_BOARD, resolveSuite } from "./suites.ts";

const encoder = new TextEncoder();
const print = (line: string) => Deno.stdout.writeSync(encoder.encode(`${line}\n`));

/** Patch plans to try for a graph, best estimated first (within 10% MACs, then any). */
function planOrder(graph: Graph) {
  const near = patchCandidatesWithin(graph, 0.1);
  return near.length > 0 ? near : patchCandidatesWithin(graph, Number.POSITIVE_INFINITY);
}

async function main(suites: readonly string[]): Promise<number> {
  const board = getBoard(REFERENCE_BOARD);
  const api = engineApi();
  let mismatches = 0;
  let checked = 0;
  for (const name of suites) {
    const suite = resolveSuite(name, {});
    for (const note of suite.notes) print(`# ${note}`);
    for (const c of suite.cases) {
      const graph = c.source.kind === "builder"
        ? buildModel(c.source.spec)
        : await api.loadModel(c.source);
      let line: Record<string, unknown> = { suite: name, model: c.id, plan: "none" };
      for (const e of planOrder(graph).slice(0, 4)) {
        const spec = { split: e.split, rows: e.rows, cols: e.cols };
        try {
          const compiled = compileTinyEngine(graph, { board, patches: spec });
          const r = await runModel(graph, { engine: "tinyengine", board, compiled });
          line = {
            suite: name,
            model: c.id,
            plan: `${e.splitName} ${e.rows}x${e.cols}`,
            referenceMatch: r.referenceMatch,
            instructions: r.instructions,
            peakSramBytes: r.peakSramBytes,
          };
          checked++;
          if (!r.referenceMatch) mismatches++;
          break;
        } catch (err) {
          if (!(err instanceof PatchPlanError)) throw err;
        }
      }
      print(JSON.stringify(line));
    }
  }
  print(`patch:suites: ${checked} models run with a forced patch stage, ${mismatches} mismatches`);
  return mismatches === 0 ? 0 : 1;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args.length > 0 ? Deno.args : ["paper", "mlperf"]));
  } catch (e) {
    Deno.stderr.writeSync(encoder.encode(`patch:suites: ${(e as Error).message}\n`));
    Deno.exit(1);
  }
}
