/**
 * Per-operator shape inference and cost functions: MACs, parameters, activation bytes.
 *
 * @example
 * ```ts ignore
 * import { graphCost } from "./mod.ts";
 * const { macs, params } = graphCost(graph);
 * ```
 *
 * @module
 */
export * from "./shape.ts";
export * from "./macs.ts";
export * from "./params.ts";
export * from "./activations.ts";
export * from "./graph_cost.ts";
