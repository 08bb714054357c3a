/**
 * Per-operator shape inference and cost functions: MACs, parameters, activation bytes.
 *
 * @example
 * ```ts
 * import { graphCost } from "./mod.ts";
 * import { buildModel } from "../builders/mod.ts";
 * const { macs, params } = graphCost(buildModel("resnet8"));
 * if (macs !== 12_501_632 || params !== 77_706) throw new Error("unexpected");
 * ```
 *
 * @module
 */
export * from "./shape.ts";
export * from "./macs.ts";
export * from "./params.ts";
export * from "./activations.ts";
export * from "./graph_cost.ts";
export * from "./window.ts";
export * from "./describe.ts";
export * from "./receptive_field.ts";
