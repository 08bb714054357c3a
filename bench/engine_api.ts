/**
 * The bench's view of the engine ({@link MeasureApi}), wired to pipeline/run.ts, engine/builders,
 * engine/tflite and engine/analysis.
 *
 * @module
 */
import { dirname } from "node:path";
import { IN_PLACE_OPS, livenessBound } from "../engine/analysis/mod.ts";
import { getBoard } from "../engine/target/mod.ts";
import { buildModel } from "../engine/builders/mod.ts";
import type { EngineName } from "../engine/codegen/mod.ts";
import type { Graph } from "../engine/ir/mod.ts";
import type { RunReport } from "../pipeline/mod.ts";
import { compileModel, runModel } from "../pipeline/mod.ts";
import { loadModelFile } from "../engine/tflite/mod.ts";
import { toInt8Io } from "../engine/ir/mod.ts";
import type { LivenessResult, MeasureApi } from "./measure.ts";
import { buildRealModel } from "./real_models.ts";
import type { ModelSource } from "./types.ts";

/**
 * The bench's API over the engine modules.
 *
 * @example
 * ```ts ignore
 * const api = engineApi();
 * const graph = await api.loadModel({ kind: "builder", spec: "mbv2-w0.35-r64" });
 * const report = await api.runModel(graph, { engine: "tflm", board: "stm32f746", modelName: "m" });
 * ```
 */
export function engineApi(): MeasureApi {
  return {
    async loadModel(source: ModelSource): Promise<Graph> {
      switch (source.kind) {
        case "config":
          return buildModel(source.name, { configsDir: dirname(source.path) });
        case "builder":
          return buildModel(source.spec);
        case "generated":
          return buildRealModel(source.name);
        case "tflite": {
          const graph = await loadModelFile(source.path);
          return source.io === "int8" ? toInt8Io(graph) : graph;
        }
      }
    },
    async runModel(graph, options): Promise<RunReport> {
      return await runModel(graph, {
        engine: options.engine,
        board: getBoard(options.board),
        modelName: options.modelName,
        ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
      });
    },
    planBuffers(graph: Graph, options: { readonly engine: EngineName; readonly board: string }) {
      const compiled = compileModel(graph, {
        engine: options.engine,
        board: getBoard(options.board),
      });
      return { buffers: compiled.plan.buffers, tailBytes: compiled.plan.tailBytes };
    },
    liveness(graph: Graph, options: { readonly engine: EngineName }): LivenessResult {
      const b = livenessBound(
        graph,
        options.engine === "tinyengine" ? { inPlace: IN_PLACE_OPS } : {},
      );
      return { bytes: b.bytes, perOp: b.perOp };
    },
  };
}
