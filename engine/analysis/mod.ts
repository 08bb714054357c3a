/**
 * Graph analyses: layer-by-layer liveness lower bounds on peak activation memory and the
 * `inspect` report.
 *
 * @example
 * ```ts
 * import { inspectGraph } from "./mod.ts";
 * import { buildModel } from "../builders/mod.ts";
 * const report = inspectGraph(buildModel("mcunet-5fps"));
 * const peak = report.liveness.inPlace; // bytes, peakOp, live tensors
 * if (peak.bytes <= 0) throw new Error("unexpected");
 * ```
 *
 * @module
 */
export * from "./liveness.ts";
export * from "./inspect.ts";
export * from "./patch_memory.ts";
export * from "./plan_check.ts";
