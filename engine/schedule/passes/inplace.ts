/**
 * In-place marking: a depthwise convolution (depth multiplier 1) whose input dies at it writes its
 * output over the input's storage, channel by channel through a one-channel temporary; elementwise
 * layers whose first input dies at them overwrite it element by element.
 *
 * @module
 */
import { tensorBytes } from "../../ir/mod.ts";
import { storageOf } from "./lower.ts";
import type { Lowered } from "./types.ts";

const ELEMENTWISE = new Set([
  "ADD",
  "MUL",
  "HARD_SWISH",
  "LOGISTIC",
  "QUANTIZE",
  "SUB",
  "MAXIMUM",
  "MINIMUM",
  "RELU",
  "RELU6",
  "RELU_N1_TO_1",
  "LEAKY_RELU",
  "TANH",
]);

/** Index of the last layer reading each storage root (model outputs live to the end). */
export function lastReaders(lowered: Lowered): Map<number, number> {
  const last = new Map<number, number>();
  lowered.layers.forEach((l, i) => {
    for (const t of l.inputs) if (t >= 0) last.set(storageOf(lowered, t), i);
  });
  for (const t of lowered.outputs) last.set(storageOf(lowered, t), lowered.layers.length);
  return last;
}

/**
 * Mark depthwise and elementwise layers in place where their input dies at them, aliasing the
 * output to the input's storage.
 *
 * @example
 * ```ts
 * import type { Lowered } from "./types.ts";
 * declare const lowered: Lowered;
 * const l = markInPlace(lowered); // depthwise layers get inPlace: true
 * ```
 */
export function markInPlace(lowered: Lowered): Lowered {
  const alias = [...lowered.alias];
  const tensors = lowered.graph.tensors;
  const layers = lowered.layers.map((l, i) => {
    const current: Lowered = { ...lowered, alias };
    const last = lastReaders(current);
    const src = l.inputs[0];
    const dst = l.outputs[0];
    if (src === undefined || dst === undefined || src < 0 || l.pre) return l;
    const srcT = tensors[src]!;
    const dstT = tensors[dst]!;
    if (srcT.data || srcT.dtype !== "int8" || dstT.dtype !== "int8") return l;
    const root = storageOf(current, src);
    if (last.get(root) !== i || lowered.outputs.includes(dst)) return l;
    // A view (a band of a joined tensor) already has its storage.
    if (alias[dst] !== dst) return l;
    let ok = false;
    if (l.op === "DEPTHWISE_CONV_2D") {
      ok = srcT.shape[3] === dstT.shape[3] && srcT.shape[0] === 1;
    } else if (ELEMENTWISE.has(l.op)) {
      const others = l.inputs.slice(1).filter((t) => t >= 0 && !tensors[t]!.data);
      ok = tensorBytes(srcT) === tensorBytes(dstT) &&
        srcT.shape.join() === dstT.shape.join() &&
        others.every((t) =>
          tensors[t]!.shape.join() === srcT.shape.join() && storageOf(current, t) !== root
        );
    }
    if (!ok) return l;
    alias[dst] = src;
    return { ...l, inPlace: true };
  });
  return { ...lowered, layers, alias };
}
