/**
 * The plan checker: proves that no two buffers live at the same time share a byte.
 *
 * @module
 */
import { type BufferRequest, commonExtents, type Placement } from "./types.ts";

/**
 * Every violation of a placement (empty when valid): negative or misaligned offsets, buffers past
 * `totalBytes`, and pairs of simultaneously live buffers whose byte ranges overlap.
 *
 * @example
 * ```ts
 * import type { BufferRequest } from "./types.ts";
 * declare const buffers: BufferRequest[];
 * import type { Placement } from "./types.ts";
 * declare const placement: Placement;
 * validatePlan(buffers, placement).length === 0; // the plan is valid
 * ```
 */
export function validatePlan(
  buffers: readonly BufferRequest[],
  placement: Placement,
  options: { readonly align?: number } = {},
): string[] {
  const errors: string[] = [];
  const align = options.align ?? 1;
  if (placement.offsets.length !== buffers.length) {
    return [`plan has ${placement.offsets.length} offsets for ${buffers.length} buffers`];
  }
  buffers.forEach((b, i) => {
    const o = placement.offsets[i]!;
    if (!Number.isInteger(o) || o < 0) errors.push(`buffer '${b.name}' has offset ${o}`);
    if (o % align !== 0) errors.push(`buffer '${b.name}' offset ${o} is not ${align}-aligned`);
    if (o + b.size > placement.totalBytes) {
      errors.push(
        `buffer '${b.name}' ends at ${o + b.size} past the total ${placement.totalBytes}`,
      );
    }
  });
  const order = buffers.map((_, i) => i).sort((a, b) =>
    placement.offsets[a]! - placement.offsets[b]!
  );
  for (let x = 0; x < order.length; x++) {
    const i = order[x]!;
    const a = buffers[i]!;
    const aEnd = placement.offsets[i]! + a.size;
    for (let y = x + 1; y < order.length; y++) {
      const j = order[y]!;
      const b = buffers[j]!;
      if (placement.offsets[j]! >= aEnd) break;
      const common = commonExtents(a, b);
      if (!common || common.a === 0 || common.b === 0) continue;
      const [lo, hi] = [placement.offsets[i]!, placement.offsets[j]!];
      if (lo + common.a > hi && hi + common.b > lo) {
        errors.push(
          `buffers '${a.name}' [${placement.offsets[i]}, ${aEnd}) and '${b.name}' [${
            placement.offsets[j]
          }, ${
            placement.offsets[j]! + b.size
          }) overlap while both live (steps ${a.firstUse}-${a.lastUse} and ${b.firstUse}-${b.lastUse})`,
        );
      }
    }
  }
  return errors;
}
