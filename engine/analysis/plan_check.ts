/**
 * The verdict on a memory plan against the layer-wise liveness bound (issue #12): a plan may
 * exceed the tensor-only bound by {@link PLAN_TOLERANCE}; beyond that it is an exception only
 * where the kernels' own scratch (im2col rows, int16 copies) and 8-byte alignment set the peak,
 * that is when the plan is still within the tolerance of the bound of its kernels (the tensors
 * as stored plus each layer's scratch, the least any variant of the engine needs).
 *
 * Why the tensor-only bound stays the headline figure: it belongs to the graph, not to an
 * engine, so it compares engines and papers. It does not count scratch, which every engine
 * needs (TF-Lite Micro's CMSIS-NN kernels too); on small tensors (the random test graphs, the
 * 32-byte hello-world model) a single im2col row is larger than the activations, and no plan of
 * any im2col kernel reaches it. The kernel bound is reported beside it for those.
 *
 * @module
 */

/** How far above the bound a plan may go. */
export const PLAN_TOLERANCE = 1.05;

/** The verdict on one plan. */
export interface PlanVerdict {
  /** Whether the plan is within the tolerance of the tensor bound or of the kernel bound. */
  readonly ok: boolean;
  /** Plan bytes over tensor-only bound bytes. */
  readonly ratio: number;
  /** Why a plan above the tensor bound is accepted or not (absent within the tensor bound). */
  readonly reason?: string;
}

/**
 * Judge a planned arena against the tensor-only layer-wise bound and, where given, the bound of
 * the engine's kernels (scratch and alignment included).
 *
 * @example
 * ```ts
 * import { planVerdict } from "./plan_check.ts";
 * planVerdict(1000, 990).ok; // true: within 1.05x
 * planVerdict(64, 32, 64).reason; // "kernel scratch and alignment: ..."
 * ```
 */
export function planVerdict(plan: number, bound: number, kernelBound?: number): PlanVerdict {
  const ratio = bound > 0 ? plan / bound : plan > 0 ? Infinity : 1;
  if (plan <= PLAN_TOLERANCE * bound) return { ok: true, ratio };
  if (kernelBound !== undefined && kernelBound > PLAN_TOLERANCE * bound) {
    const ok = plan <= PLAN_TOLERANCE * kernelBound;
    return {
      ok,
      ratio,
      reason: `kernel scratch and alignment: its kernels need ${kernelBound} B at the busiest ` +
        `layer (tensor bound ${bound} B); plan ${(plan / kernelBound).toFixed(3)}x that`,
    };
  }
  return {
    ok: false,
    ratio,
    reason: `plan ${plan} B is ${ratio.toFixed(3)}x the layer-wise bound ${bound} B` +
      (kernelBound !== undefined ? ` (kernel bound ${kernelBound} B)` : ""),
  };
}
