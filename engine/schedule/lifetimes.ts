/**
 * Buffer lifetimes after fusion: one buffer per storage root (aliases share it), live from the
 * layer that first writes it (0 for model inputs) to the last layer that reads any alias of it
 * (the last layer for model outputs), sized by the largest tensor stored in it.
 *
 * @module
 */
import { tensorBytes } from "../ir/mod.ts";
import { storageOf } from "./passes/lower.ts";
import { offsetInStorage } from "./passes/views.ts";
import type { Lowered } from "./passes/types.ts";
import type { BufferRequest } from "./types.ts";

/** Arena alignment of every buffer, in bytes. */
export const BUFFER_ALIGN = 8;

/** Round a size up to {@link BUFFER_ALIGN}. */
export function alignUp(n: number, align = BUFFER_ALIGN): number {
  return Math.ceil(n / align) * align;
}

/**
 * Where a storage root holding tensors of different sizes (an in-place layer whose output is
 * smaller than its input) can shrink: from the step after the last use of every tensor larger
 * than the ones still used at the end, to the size of those. Undefined when it never shrinks.
 */
function shrinkOf(
  b: { readonly size: number; readonly lastUse: number },
  aliasLast: ReadonlyMap<number, number>,
  bytesOf: (t: number) => number,
): { from: number; size: number } | undefined {
  let finalSize = 0;
  for (const [t, at] of aliasLast) {
    if (at === b.lastUse) finalSize = Math.max(finalSize, bytesOf(t));
  }
  if (finalSize >= b.size) return undefined;
  let from = 0;
  for (const [t, at] of aliasLast) if (bytesOf(t) > finalSize) from = Math.max(from, at + 1);
  return from <= b.lastUse ? { from, size: finalSize } : undefined;
}

/** Lifetimes plus where each activation tensor lives. */
export interface Lifetimes {
  /** Activation buffers first (by storage root ascending), then the shared scratch buffer if any. */
  readonly buffers: readonly BufferRequest[];
  /** Per tensor: index into `buffers`, or -1 for constants and unused tensors. */
  readonly bufferOf: readonly number[];
  /** Index of the shared scratch buffer in `buffers`, or -1 (per-layer mode: -1). */
  readonly scratch: number;
  /** Per layer: index of the scratch buffer it uses in `buffers`, or -1. */
  readonly scratchOf: readonly number[];
}

/**
 * How scratch is planned: one region shared by all layers (sized by the largest user, live from
 * the first to the last user), or one buffer per layer live only during that layer.
 */
export type ScratchMode = "shared" | "per-layer";

/**
 * Compute buffer lifetimes.
 *
 * @param scratchBytes bytes of scratch each layer needs (shared region sized by the largest)
 * @example
 * ```ts
 * import type { Graph } from "../ir/mod.ts";
 * declare const graph: Graph;
 * import { runPasses } from "./passes/mod.ts";
 * const { buffers } = computeLifetimes(runPasses(graph), { scratchBytes: () => 0 });
 * ```
 */
export function computeLifetimes(
  lowered: Lowered,
  options: {
    readonly scratchBytes?: (layer: number) => number;
    readonly scratchMode?: ScratchMode;
  } = {},
): Lifetimes {
  const { graph, layers } = lowered;
  const n = layers.length;
  const lastLayer = Math.max(0, n - 1);
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  const size = new Map<number, number>();
  // Per root, the last use of each tensor stored in it (for a shrink after an in-place layer).
  const aliasLast = new Map<number, Map<number, number>>();
  const touch = (t: number, at: number) => {
    const tensor = graph.tensors[t];
    if (!tensor || tensor.data) return;
    const root = storageOf(lowered, t);
    first.set(root, Math.min(first.get(root) ?? at, at));
    last.set(root, Math.max(last.get(root) ?? at, at));
    const end = offsetInStorage(lowered, t) + tensorBytes(tensor);
    size.set(root, Math.max(size.get(root) ?? 0, end));
    const uses = aliasLast.get(root) ?? new Map<number, number>();
    uses.set(t, Math.max(uses.get(t) ?? at, at));
    aliasLast.set(root, uses);
  };
  for (const t of lowered.inputs) touch(t, 0);
  layers.forEach((l, i) => {
    for (const t of l.outputs) touch(t, i);
    for (const t of l.inputs) if (t >= 0) touch(t, i);
  });
  for (const t of lowered.outputs) touch(t, lastLayer);
  const roots = [...first.keys()].sort((a, b) => a - b);
  const buffers: BufferRequest[] = roots.map((r) => {
    const b = {
      id: r,
      name: graph.tensors[r]!.name,
      size: alignUp(size.get(r)!),
      firstUse: first.get(r)!,
      lastUse: last.get(r)!,
    };
    // A tensor stored at an offset in its root (a view) needs the bytes up to its end.
    const extent = (t: number) =>
      alignUp(offsetInStorage(lowered, t) + tensorBytes(graph.tensors[t]!));
    const shrink = shrinkOf(b, aliasLast.get(r)!, extent);
    return shrink ? { ...b, shrink } : b;
  });
  const index = new Map(roots.map((r, i) => [r, i]));
  const bufferOf = graph.tensors.map((t, i) =>
    t.data ? -1 : (index.get(storageOf(lowered, i)) ?? -1)
  );
  const scratchOf = layers.map(() => -1);
  if (options.scratchMode === "per-layer") {
    for (let i = 0; i < n; i++) {
      const s = options.scratchBytes?.(i) ?? 0;
      if (s <= 0) continue;
      scratchOf[i] = buffers.length;
      buffers.push({ id: -1, name: `scratch_${i}`, size: alignUp(s), firstUse: i, lastUse: i });
    }
    return { buffers, bufferOf, scratch: -1, scratchOf };
  }
  let scratch = -1;
  let scratchSize = 0;
  let lo = n;
  let hi = -1;
  for (let i = 0; i < n; i++) {
    const s = options.scratchBytes?.(i) ?? 0;
    if (s <= 0) continue;
    scratchSize = Math.max(scratchSize, s);
    lo = Math.min(lo, i);
    hi = Math.max(hi, i);
  }
  if (scratchSize > 0) {
    scratch = buffers.length;
    buffers.push({
      id: -1,
      name: "scratch",
      size: alignUp(scratchSize),
      firstUse: lo,
      lastUse: hi,
    });
    for (let i = lo; i <= hi; i++) scratchOf[i] = scratch;
  }
  return { buffers, bufferOf, scratch, scratchOf };
}
