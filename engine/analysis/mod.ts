/**
 * Graph analyses: layer-by-layer liveness lower bounds on peak activation memory and the
 * `inspect` report.
 *
 * @example
 * ```ts ignore
 * import { inspectGraph } from "./mod.ts";
 * const report = inspectGraph(graph);
 * ```
 *
 * @module
 */
export * from "./liveness.ts";
export * from "./inspect.ts";
