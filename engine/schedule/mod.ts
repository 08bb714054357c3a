/**
 * Scheduling: graph passes (Graph -> Lowered layers), tensor lifetimes, and the memory planners
 * that place them in one arena (name -> pure function), with a validity check.
 *
 * @example
 * ```ts ignore
 * import { computeLifetimes, planMemory, runPasses } from "./mod.ts";
 * const { buffers } = computeLifetimes(runPasses(graph), {});
 * planMemory(buffers).placement.totalBytes;
 * ```
 *
 * @module
 */
export * from "./types.ts";
export * from "./lifetimes.ts";
export * from "./validate.ts";
export * from "./greedy.ts";
export * from "./passes/mod.ts";
export * from "./planners/mod.ts";
export * from "./patches/rewrite.ts";
