/**
 * Better-than-greedy planners: an exact branch-and-bound over first-fit orders for small sets and a
 * deterministic local search over orders for larger ones, both stopping at the liveness lower bound.
 *
 * @module
 */
import { type BufferRequest, type Placement, sizeAt } from "../types.ts";
import {
  firstFitByArea,
  firstFitByConflicts,
  firstFitByLifetime,
  firstFitBySize,
  firstFitByStart,
  lowestOffset,
  orderBy,
  placeInOrder,
} from "./first_fit.ts";

/**
 * The liveness lower bound: the largest sum of sizes of buffers live at one step. No valid plan
 * can be smaller.
 *
 * @example
 * ```ts
 * import type { BufferRequest } from "../types.ts";
 * declare const buffers: BufferRequest[];
 * declare const bestPlan: { totalBytes: number };
 * livenessLowerBound(buffers) <= bestPlan.totalBytes; // always
 * ```
 */
export function livenessLowerBound(buffers: readonly BufferRequest[]): number {
  const steps = new Set<number>();
  for (const b of buffers) {
    steps.add(b.firstUse);
    if (b.shrink) steps.add(b.shrink.from);
  }
  let best = 0;
  for (const t of steps) {
    let s = 0;
    for (const b of buffers) if (b.firstUse <= t && t <= b.lastUse) s += sizeAt(b, t);
    best = Math.max(best, s);
  }
  return best;
}

/** Options of {@link branchAndBoundPlanner}. */
export interface BranchAndBoundOptions {
  /** Node budget of the search. @default 200000 */
  readonly maxNodes?: number;
}

/**
 * Exact search over first-fit placement orders (pruned by the incumbent and the lower bound);
 * falls back to the best heuristic when the node budget runs out.
 *
 * @example
 * ```ts
 * import type { BufferRequest } from "../types.ts";
 * declare const buffers: BufferRequest[];
 * const p = branchAndBoundPlanner(buffers); // p.totalBytes <= firstFitBySize(buffers).totalBytes
 * ```
 */
export function branchAndBoundPlanner(
  buffers: readonly BufferRequest[],
  options: BranchAndBoundOptions = {},
): Placement {
  let best = bestHeuristic(buffers);
  const bound = livenessLowerBound(buffers);
  if (best.totalBytes <= bound || buffers.length === 0) return best;
  let budget = options.maxNodes ?? 200000;
  const n = buffers.length;
  const offsets = new Array<number>(n).fill(0);
  const placed: number[] = [];
  const used = new Array<boolean>(n).fill(false);
  // Canonical order among buffers of equal start keeps the tree small: try larger first.
  const candidates = orderBy(buffers, (a, b) => b.size - a.size || a.firstUse - b.firstUse);
  const rec = (total: number): void => {
    if (budget-- <= 0 || best.totalBytes <= bound) return;
    if (placed.length === n) {
      if (total < best.totalBytes) best = { offsets: [...offsets], totalBytes: total };
      return;
    }
    for (const i of candidates) {
      if (used[i]) continue;
      const b = buffers[i]!;
      const at = lowestOffset(buffers, offsets, placed, i);
      const t = Math.max(total, at + b.size);
      if (t >= best.totalBytes) continue;
      used[i] = true;
      offsets[i] = at;
      placed.push(i);
      rec(t);
      placed.pop();
      used[i] = false;
      if (budget <= 0) return;
    }
  };
  rec(0);
  return best;
}

/** The smallest of the first-fit ordering heuristics (ties: first in list). */
export function bestHeuristic(buffers: readonly BufferRequest[]): Placement {
  const all = [
    firstFitBySize,
    firstFitByConflicts,
    firstFitByArea,
    firstFitByLifetime,
    firstFitByStart,
  ]
    .map((f) => f(buffers));
  return all.reduce((a, b) => (b.totalBytes < a.totalBytes ? b : a));
}

/**
 * Deterministic local search over placement orders: start from the best heuristic order, try
 * moving each buffer to each earlier position, keep strict improvements, stop at the lower bound.
 *
 * @example
 * ```ts
 * import type { BufferRequest } from "../types.ts";
 * declare const buffers: BufferRequest[];
 * const p = localSearchPlanner(buffers);
 * ```
 */
export function localSearchPlanner(
  buffers: readonly BufferRequest[],
  options: { readonly rounds?: number } = {},
): Placement {
  const bound = livenessLowerBound(buffers);
  const orders = [
    orderBy(buffers, (a, b) => b.size - a.size || a.firstUse - b.firstUse),
    orderBy(
      buffers,
      (a, b) => b.size * (b.lastUse - b.firstUse + 1) - a.size * (a.lastUse - a.firstUse + 1),
    ),
  ];
  let best = placeInOrder(buffers, orders[0]!);
  let order = orders[0]!;
  for (const o of orders.slice(1)) {
    const p = placeInOrder(buffers, o);
    if (p.totalBytes < best.totalBytes) [best, order] = [p, o];
  }
  const rounds = options.rounds ?? 3;
  const n = buffers.length;
  const maxTries = n > 60 ? 0 : n * n;
  for (let r = 0; r < rounds && best.totalBytes > bound; r++) {
    let improved = false;
    let tries = 0;
    for (let i = 1; i < n && tries < maxTries; i++) {
      for (let j = 0; j < i && tries < maxTries; j++, tries++) {
        const o = [...order];
        const [x] = o.splice(i, 1);
        o.splice(j, 0, x!);
        const p = placeInOrder(buffers, o);
        if (p.totalBytes < best.totalBytes) {
          best = p;
          order = o;
          improved = true;
        }
      }
    }
    if (!improved) break;
  }
  return best;
}
