/**
 * Code generation: the backend contract (Graph + board -> CompiledModel), the backends by name,
 * and the records they produce.
 *
 * @example
 * ```ts ignore
 * import { getBackend } from "./mod.ts";
 * const m = getBackend("tinyengine").compile(graph, { board, options: { streaming: "auto" } });
 * m.plan.kernelFamily; m.plan.peak; m.layers.map((l) => l.op);
 * ```
 *
 * @module
 */
export * from "./backend.ts";
export * from "./registry.ts";
export * from "./sources.ts";
export * from "./symbols.ts";
export * from "./tflm/mod.ts";
export * from "./tinyengine/mod.ts";
