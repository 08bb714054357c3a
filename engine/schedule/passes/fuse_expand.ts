/**
 * Inverted-residual streaming: a 1x1 expansion convolution whose output feeds only a depthwise
 * convolution is fused into it. The fused kernel computes expanded rows on demand into a ring of
 * `(kh - 1) * dilation + 1` rows and runs the depthwise over the ring, so the (largest) expanded
 * tensor of an MBConv block never exists in full: its storage disappears from the plan.
 *
 * @module
 */
import type { Conv2DNode } from "../../ir/mod.ts";
import { consumersOf } from "./lower.ts";
import type { Layer, Lowered } from "./types.ts";

function isPlainPointwise(lowered: Lowered, l: Layer): boolean {
  if (l.op !== "CONV_2D") return false;
  const f = lowered.graph.tensors[l.inputs[1]!]!.shape;
  const inShape = lowered.graph.tensors[l.inputs[0]!]!.shape;
  const o = (l.node as Conv2DNode).options;
  const p = l.pad ?? { top: 0, bottom: 0, left: 0, right: 0 };
  return f[1] === 1 && f[2] === 1 && o.strideH === 1 && o.strideW === 1 && inShape[0] === 1 &&
    inShape.length === 4 && p.top + p.bottom + p.left + p.right === 0 && f[3] === inShape[3];
}

/**
 * Fuse every 1x1 convolution whose only consumer is a depthwise convolution into that layer
 * (`layer.pre`); with `only`, just the 1x1 convolutions whose first graph node index
 * (`layer.from[0]`) is in it. Run after padding and activation fusion and before in-place marking.
 *
 * @example
 * ```ts
 * import type { Lowered } from "./types.ts";
 * declare const lowered: Lowered;
 * import { fuseActivations } from "./activation.ts";
 * import { explicitPadding, fusePad } from "./padding.ts";
 * const l = fuseExpandDepthwise(fuseActivations(fusePad(explicitPadding(lowered))));
 * ```
 */
export function fuseExpandDepthwise(lowered: Lowered, only?: ReadonlySet<number>): Lowered {
  const drop = new Set<number>();
  const layers = [...lowered.layers];
  lowered.layers.forEach((pw, i) => {
    if (!isPlainPointwise(lowered, pw)) return;
    if (only && !only.has(pw.from[0]!)) return;
    const mid = pw.outputs[0]!;
    // A tensor with views, or itself a view (a band of a joined tensor), must be stored.
    if (
      lowered.outputs.includes(mid) || lowered.alias[mid] !== mid ||
      lowered.alias.some((a, t) => a === mid && t !== mid)
    ) {
      return;
    }
    const users = consumersOf(lowered, mid);
    if (users.length !== 1) return;
    const j = users[0]!;
    const dw = layers[j]!;
    if (dw.op !== "DEPTHWISE_CONV_2D" || dw.inputs[0] !== mid || dw.pre) return;
    if (lowered.graph.tensors[mid]!.shape[0] !== 1) return;
    layers[j] = {
      ...dw,
      inputs: [pw.inputs[0]!, ...dw.inputs.slice(1)],
      from: [...pw.from, ...dw.from].sort((a, b) => a - b),
      pre: pw,
    };
    drop.add(i);
  });
  return { ...lowered, layers: layers.filter((_, i) => !drop.has(i)) };
}
