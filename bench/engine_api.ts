/**
 * The bench's view of the engine ({@link MeasureApi}), wired to engine/run.ts, engine/builders,
 * engine/tflite, engine/analysis and the backend registry.
 *
 * @module
 */
import { getBoard } from "../engine/boards.ts";
import type { EngineName } from "../engine/codegen/backend.ts";
import { getBackend } from "../engine/codegen/registry.ts";
import type { Graph } from "../engine/ir/graph.ts";
import type { RunReport } from "../engine/report.ts";
import type { MeasureApi } from "./measure.ts";
import type { ModelSource } from "./types.ts";

// deno-lint-ignore no-explicit-any
type AnyModule = Record<string, any>;

async function optionalImport(path: string): Promise<AnyModule | undefined> {
  try {
    return await import(new URL(path, import.meta.url).href) as AnyModule;
  } catch (e) {
    if (e instanceof TypeError && /Module not found|Cannot (find|load) module/i.test(e.message)) {
      return undefined;
    }
    throw e;
  }
}

function need(
  mod: AnyModule | undefined,
  name: string,
  where: string,
): (...a: unknown[]) => unknown {
  const f = mod?.[name];
  if (typeof f !== "function") {
    throw new Error(`Cannot use the engine: ${where} does not export ${name} yet`);
  }
  return f;
}

/**
 * Load the engine modules and return the bench's API over them.
 *
 * @example
 * ```ts
 * const api = await loadEngineApi();
 * const report = await api.runModel(await api.loadModel(source), { engine: "tflm", board: "stm32f746", modelName: "m" });
 * ```
 */
export async function loadEngineApi(): Promise<MeasureApi> {
  const run = await optionalImport("../engine/run.ts");
  const builders = await optionalImport("../engine/builders/mod.ts");
  const tflite = await optionalImport("../engine/tflite/mod.ts");
  const analysis = await optionalImport("../engine/analysis/mod.ts");
  const runModel = need(run, "runModel", "engine/run.ts");
  return {
    async loadModel(source: ModelSource): Promise<Graph> {
      switch (source.kind) {
        case "config":
          return await need(builders, "loadMcunetConfig", "engine/builders/mod.ts")(
            source.name,
          ) as Graph;
        case "builder":
          return await need(builders, "buildModel", "engine/builders/mod.ts")(source.spec) as Graph;
        case "tflite":
          return await need(tflite, "loadModelFile", "engine/tflite/mod.ts")(source.path) as Graph;
      }
    },
    async runModel(graph, options): Promise<RunReport> {
      return await runModel(graph, {
        engine: options.engine,
        board: options.board,
        modelName: options.modelName,
      }) as RunReport;
    },
    planBuffers(graph: Graph, options: { readonly engine: EngineName; readonly board: string }) {
      const compiled = getBackend(options.engine).compile(graph, {
        board: getBoard(options.board),
      });
      return { buffers: compiled.plan.buffers, tailBytes: compiled.plan.tailBytes };
    },
    livenessLowerBound(graph: Graph, options: { readonly engine: EngineName }) {
      const f = analysis?.["livenessLowerBound"];
      if (typeof f !== "function") return undefined;
      const r = f(graph, { inPlaceDepthwise: options.engine === "tinyengine" });
      if (typeof r === "number") return r;
      if (r && typeof r === "object" && typeof r.peakBytes === "number") {
        return r.peakBytes as number;
      }
      return undefined;
    },
  };
}
