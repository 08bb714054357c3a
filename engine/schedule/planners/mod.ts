/**
 * Planners by name (a name -> pure function table) and {@link planMemory}, which runs several
 * and keeps the smallest valid plan.
 *
 * @module
 */
import type { BufferRequest, Placement, Planner } from "../types.ts";
import { validatePlan } from "../validate.ts";
import { lookupNamed } from "../../util/mod.ts";
import {
  firstFitByArea,
  firstFitByConflicts,
  firstFitByLifetime,
  firstFitBySize,
  firstFitByStart,
} from "./first_fit.ts";
import { linearPlanner } from "./linear.ts";
import { branchAndBoundPlanner, localSearchPlanner } from "./search.ts";

export { linearPlanner } from "./linear.ts";
export * from "./first_fit.ts";
export * from "./search.ts";

/** Every tinyengine planner by name. */
export const PLANNERS: Readonly<Record<string, Planner>> = {
  "linear": linearPlanner,
  "first-fit-by-size": firstFitBySize,
  "first-fit-by-conflicts": firstFitByConflicts,
  "first-fit-by-area": firstFitByArea,
  "first-fit-by-lifetime": firstFitByLifetime,
  "first-fit-by-start": firstFitByStart,
  "local-search": (b) => localSearchPlanner(b),
  "branch-and-bound": (b) =>
    branchAndBoundPlanner(b, { maxNodes: b.length <= 12 ? 200000 : 20000 }),
};

/** Look a planner up; an unknown name is a RangeError listing the known ones. */
export function getPlanner(name: string): Planner {
  return lookupNamed(PLANNERS, name, "planner");
}

/** The chosen plan and the planner that made it. */
export interface ChosenPlan {
  readonly planner: string;
  readonly placement: Placement;
}

/**
 * Run the named planners (default: all) and return the smallest valid plan; ties go to the
 * earlier name. Invalid plans are skipped; the linear plan is always a candidate.
 *
 * @example
 * ```ts
 * import type { BufferRequest } from "../types.ts";
 * declare const buffers: BufferRequest[];
 * const { planner, placement } = planMemory(buffers);
 * ```
 */
export function planMemory(
  buffers: readonly BufferRequest[],
  options: { readonly planners?: readonly string[] } = {},
): ChosenPlan {
  const names = options.planners ?? Object.keys(PLANNERS);
  let best: ChosenPlan = { planner: "linear", placement: linearPlanner(buffers) };
  for (const name of names) {
    const placement = getPlanner(name)(buffers);
    if (validatePlan(buffers, placement).length > 0) continue;
    if (placement.totalBytes < best.placement.totalBytes) best = { planner: name, placement };
  }
  return best;
}
