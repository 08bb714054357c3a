/**
 * Views: a crop or a join that only names a contiguous byte range of another tensor moves no
 * bytes. A unit-stride STRIDED_SLICE whose result is one contiguous run of its input (e.g. a band
 * of full rows of an NHWC tensor) becomes a view of its input at a byte offset; a CONCATENATION
 * whose inputs are each one contiguous run of its output (joining bands of rows) makes every
 * input a view of the output, so the layers producing them write straight into the joined tensor.
 *
 * This is what makes patch-based inference save memory (issue #15): the patch stage reads its
 * rows of the resident input in place and writes each patch's rows into the split tensor in
 * place, with no copies and no second copy of the split.
 *
 * @module
 */
import { DTYPE_BYTES, int32Data, type Tensor } from "../../ir/mod.ts";
import { storageOf } from "./lower.ts";
import type { Layer, Lowered } from "./types.ts";

/**
 * A view must start where a buffer of its own could (the arena's 8-byte buffer alignment), since
 * kernels may load words or double words from it.
 */
const VIEW_ALIGN = 8;

/** Byte strides of a tensor's axes (row-major). */
function strides(t: Tensor): number[] {
  const out = t.shape.map(() => 0);
  let s = DTYPE_BYTES[t.dtype];
  for (let i = t.shape.length - 1; i >= 0; i--) {
    out[i] = s;
    s *= t.shape[i]!;
  }
  return out;
}

/**
 * The byte offset of the box `begin` (sizes `size`) of `t` when the box is one contiguous run of
 * `t`'s bytes: every axis after the first cropped one is whole, every axis before it has size 1.
 */
function contiguousOffset(t: Tensor, begin: readonly number[], size: readonly number[]) {
  const shape = t.shape;
  const first = shape.findIndex((d, i) => size[i] !== d);
  if (first < 0) return 0;
  for (let i = first + 1; i < shape.length; i++) if (size[i] !== shape[i]) return undefined;
  for (let i = 0; i < first; i++) if (size[i] !== 1) return undefined;
  const st = strides(t);
  const offset = begin.reduce((s, b, i) => s + b * st[i]!, 0);
  return offset % VIEW_ALIGN === 0 ? offset : undefined;
}

function sameQuant(a: Tensor, b: Tensor): boolean {
  if (a.dtype !== b.dtype) return false;
  if (!a.quant || !b.quant) return !a.quant && !b.quant;
  return a.quant.scale.join() === b.quant.scale.join() &&
    a.quant.zeroPoint.join() === b.quant.zeroPoint.join();
}

/** The view offset a unit-stride crop layer names, or undefined when it must copy. */
function sliceView(lowered: Lowered, l: Layer): number | undefined {
  if (l.node.op !== "STRIDED_SLICE") return undefined;
  const o = l.node.options;
  if (o.beginMask !== 0 || o.endMask !== 0 || o.shrinkAxisMask !== 0 || o.offset) return undefined;
  const t = lowered.graph.tensors;
  const [x, b, e, s] = l.inputs;
  const xt = t[x!];
  const yt = t[l.outputs[0]!];
  if (!xt || !yt || xt.data || !sameQuant(xt, yt)) return undefined;
  if (![b, e, s].every((c) => c !== undefined && c >= 0 && t[c]?.data)) return undefined;
  const begin = Array.from(int32Data(t[b!]!));
  const end = Array.from(int32Data(t[e!]!));
  const step = Array.from(int32Data(t[s!]!));
  const rank = xt.shape.length;
  if (begin.length !== rank || end.length !== rank || step.some((v) => v !== 1)) return undefined;
  if (begin.some((v, i) => v < 0 || end[i]! > xt.shape[i]! || end[i]! <= v)) return undefined;
  const size = begin.map((v, i) => end[i]! - v);
  if (size.join() !== yt.shape.join()) return undefined;
  return contiguousOffset(xt, begin, size);
}

/** The view offsets of a join layer's inputs in its output, or undefined when it must copy. */
function joinViews(lowered: Lowered, l: Layer): number[] | undefined {
  if (l.node.op !== "CONCATENATION" || l.node.options.activation !== "NONE") return undefined;
  const t = lowered.graph.tensors;
  const y = l.outputs[0]!;
  const yt = t[y]!;
  const rank = yt.shape.length;
  const axis = l.node.options.axis < 0 ? l.node.options.axis + rank : l.node.options.axis;
  if (new Set(l.inputs).size !== l.inputs.length) return undefined;
  const offsets: number[] = [];
  let at = 0;
  for (const x of l.inputs) {
    const xt = t[x];
    if (!xt || xt.data || !sameQuant(xt, yt) || xt.shape.length !== rank) return undefined;
    const begin = yt.shape.map((_, i) => (i === axis ? at : 0));
    const off = contiguousOffset(yt, begin, xt.shape);
    if (off === undefined) return undefined;
    offsets.push(off);
    at += xt.shape[axis]!;
  }
  return offsets;
}

/**
 * Turn contiguous crops and joins into views (see the module comment) and drop their layers.
 * A crop's input and a join's output keep their own storage; the views share it at an offset
 * (`Lowered.viewOffset`). Model inputs and outputs are never made views, nor is a tensor that
 * already shares another's storage.
 *
 * @example
 * ```ts
 * import type { Lowered } from "./types.ts";
 * declare const lowered: Lowered;
 * const l = contiguousViews(lowered); // row-band STRIDED_SLICE / CONCATENATION layers gone
 * ```
 */
export function contiguousViews(lowered: Lowered): Lowered {
  const alias = [...lowered.alias];
  const viewOffset = lowered.graph.tensors.map((_, i) => lowered.viewOffset?.[i] ?? 0);
  const boundary = new Set([...lowered.inputs, ...lowered.outputs]);
  const written = new Map<number, number>();
  lowered.layers.forEach((l) =>
    l.outputs.forEach((t) => written.set(t, (written.get(t) ?? 0) + 1))
  );
  const own = (t: number) => alias[t] === t && !boundary.has(t) && written.get(t) === 1;
  const drop = new Set<number>();
  lowered.layers.forEach((l, i) => {
    const y = l.outputs[0]!;
    const crop = sliceView(lowered, l);
    if (crop !== undefined && own(y)) {
      alias[y] = l.inputs[0]!;
      viewOffset[y] = crop;
      drop.add(i);
      return;
    }
    const parts = joinViews(lowered, l);
    if (!parts || !l.inputs.every(own)) return;
    // Every part must be written by a layer before the join (not a model input or a constant).
    if (storageOf({ ...lowered, alias }, y) !== y) return;
    l.inputs.forEach((x, k) => {
      alias[x] = y;
      viewOffset[x] = parts[k]!;
    });
    drop.add(i);
  });
  if (drop.size === 0) return lowered;
  return {
    ...lowered,
    layers: lowered.layers.filter((_, i) => !drop.has(i)),
    alias,
    viewOffset,
  };
}

/**
 * Byte offset of a tensor inside its storage root's buffer (the sum of the view offsets along
 * its alias chain; 0 for a tensor with its own storage or a whole-tensor alias).
 */
export function offsetInStorage(lowered: Lowered, tensor: number): number {
  let t = tensor;
  let off = 0;
  for (let guard = 0; guard < lowered.alias.length + 1; guard++) {
    const next = lowered.alias[t];
    if (next === undefined || next === t) return off;
    off += lowered.viewOffset?.[t] ?? 0;
    t = next;
  }
  throw new RangeError(`Cannot resolve storage of tensor ${tensor}: alias cycle`);
}
