/**
 * Per-step live arena bytes from a memory plan's placed buffers.
 *
 * @module
 */
import type { PlacedBuffer } from "../engine/codegen/mod.ts";
import type { LiveStep } from "./types.ts";

/**
 * For every op step, the bytes of the arena covered by buffers live at that step (the union of
 * their `[offset, offset + size)` ranges, so in-place aliases count once), plus `tailBytes`
 * (persistent data that is live throughout).
 *
 * @example
 * ```ts
 * memoryProfile([
 *   { tensor: 0, name: "a", offset: 0, size: 10, firstUse: 0, lastUse: 1 },
 *   { tensor: 1, name: "b", offset: 10, size: 5, firstUse: 1, lastUse: 2 },
 * ]); // [{step:0,liveBytes:10},{step:1,liveBytes:15},{step:2,liveBytes:5}]
 * ```
 */
export function memoryProfile(
  buffers: readonly PlacedBuffer[],
  options: { readonly tailBytes?: number } = {},
): LiveStep[] {
  const tail = options.tailBytes ?? 0;
  let last = -1;
  for (const b of buffers) last = Math.max(last, b.lastUse);
  const out: LiveStep[] = [];
  for (let step = 0; step <= last; step++) {
    const ranges = buffers
      .filter((b) => b.firstUse <= step && step <= b.lastUse && b.size > 0)
      .map((b) => [b.offset, b.offset + b.size] as const)
      .sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    let covered = 0;
    let end = -Infinity;
    for (const [s, e] of ranges) {
      if (s >= end) {
        covered += e - s;
        end = e;
      } else if (e > end) {
        covered += e - end;
        end = e;
      }
    }
    out.push({ step, liveBytes: covered + tail });
  }
  return out;
}
