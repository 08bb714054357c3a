/**
 * Explicit padding: every convolution, depthwise convolution and pool gets top/bottom/left/right
 * amounts (TFLite's SAME rule), and a PAD feeding a convolution is folded into those amounts.
 *
 * @module
 */
import { opWindow } from "../../ops/mod.ts";
import { int32Data } from "../../ir/mod.ts";
import { consumersOf } from "./lower.ts";
import type { Layer, Lowered, Padding4 } from "./types.ts";

/** TFLite's output size and leading padding for one spatial dimension. */
export function samePadding(
  inSize: number,
  filter: number,
  stride: number,
  dilation: number,
): { readonly out: number; readonly before: number; readonly after: number } {
  const eff = (filter - 1) * dilation + 1;
  const out = Math.floor((inSize + stride - 1) / stride);
  const total = Math.max((out - 1) * stride + eff - inSize, 0);
  const before = Math.floor(total / 2);
  return { out, before, after: total - before };
}

/** The explicit padding a layer's own SAME/VALID option implies. */
export function layerPadding(lowered: Lowered, layer: Layer): Padding4 | undefined {
  const s = opWindow(layer.node);
  if (!s) return undefined;
  const t = lowered.graph.tensors;
  const inShape = t[layer.inputs[0]!]!.shape;
  let { fh, fw } = s;
  if (layer.op === "CONV_2D" || layer.op === "DEPTHWISE_CONV_2D") {
    const f = t[layer.inputs[1]!]!.shape;
    fh = f[1]!;
    fw = f[2]!;
  }
  const padding = (layer.node.options as { padding: string }).padding;
  if (padding === "VALID") return { top: 0, bottom: 0, left: 0, right: 0 };
  const h = samePadding(inShape[1]!, fh, s.sh, s.dh);
  const w = samePadding(inShape[2]!, fw, s.sw, s.dw);
  return { top: h.before, bottom: h.after, left: w.before, right: w.after };
}

/**
 * Give every conv/depthwise/pool layer explicit padding.
 *
 * @example
 * ```ts
 * import type { Lowered } from "./types.ts";
 * declare const lowered: Lowered;
 * const l = explicitPadding(lowered); // l.layers[0].pad = { top: 0, bottom: 1, ... }
 * ```
 */
export function explicitPadding(lowered: Lowered): Lowered {
  return {
    ...lowered,
    layers: lowered.layers.map((l) => {
      if (l.pad) return l;
      const pad = layerPadding(lowered, l);
      return pad ? { ...l, pad } : l;
    }),
  };
}

function sameQuant(lowered: Lowered, a: number, b: number): boolean {
  const qa = lowered.graph.tensors[a]?.quant;
  const qb = lowered.graph.tensors[b]?.quant;
  if (!qa || !qb) return false;
  return qa.scale.length === 1 && qb.scale.length === 1 && qa.scale[0] === qb.scale[0] &&
    qa.zeroPoint[0] === qb.zeroPoint[0];
}

/**
 * Fold a spatial PAD (NHWC, H and W only, same quantization in and out) into the single
 * convolution or depthwise convolution that reads it. Run after {@link explicitPadding}.
 *
 * @example
 * ```ts
 * import type { Lowered } from "./types.ts";
 * declare const lowered: Lowered;
 * const l = fusePad(explicitPadding(lowered)); // the PAD layer is gone, conv.pad grew
 * ```
 */
export function fusePad(lowered: Lowered): Lowered {
  const drop = new Set<number>();
  const layers = [...lowered.layers];
  layers.forEach((pad, i) => {
    if (pad.op !== "PAD") return;
    const src = pad.inputs[0]!;
    const dst = pad.outputs[0]!;
    if (lowered.outputs.includes(dst) || !sameQuant(lowered, src, dst)) return;
    const paddings = lowered.graph.tensors[pad.inputs[1]!];
    if (!paddings?.data) return;
    const p = int32Data(paddings);
    const rank = lowered.graph.tensors[src]!.shape.length;
    if (rank !== 4 || p[0] !== 0 || p[1] !== 0 || p[6] !== 0 || p[7] !== 0) return;
    const users = consumersOf(lowered, dst);
    if (users.length !== 1) return;
    const u = users[0]!;
    const conv = layers[u]!;
    if (conv.op !== "CONV_2D" && conv.op !== "DEPTHWISE_CONV_2D") return;
    if (conv.inputs[0] !== dst || !conv.pad) return;
    const cp = conv.pad;
    layers[u] = {
      ...conv,
      inputs: [src, ...conv.inputs.slice(1)],
      from: [...pad.from, ...conv.from].sort((a, b) => a - b),
      pad: {
        top: cp.top + p[2]!,
        bottom: cp.bottom + p[3]!,
        left: cp.left + p[4]!,
        right: cp.right + p[5]!,
      },
    };
    drop.add(i);
  });
  return { ...lowered, layers: layers.filter((_, i) => !drop.has(i)) };
}
