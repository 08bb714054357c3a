/**
 * The layer sequence of an `MbconvArch`, computed from shapes alone (no Graph, no weights), so that
 * screening thousands of candidates per second is possible. The sequence follows the builders'
 * lowering: first conv, then per block [expand 1x1] -> depthwise -> project 1x1 -> [residual ADD],
 * then global average pool and the fully connected classifier.
 *
 * @module
 */
import type { MbconvArch } from "./space.ts";

/** Layer kinds, named like the TFLite operators they become. */
export type LayerKind =
  | "CONV_2D"
  | "DEPTHWISE_CONV_2D"
  | "ADD"
  | "AVERAGE_POOL_2D"
  | "FULLY_CONNECTED";

/** One layer with its shapes (NHWC, batch 1, SAME padding). */
export interface LayerShape {
  readonly kind: LayerKind;
  readonly inH: number;
  readonly inW: number;
  readonly inC: number;
  readonly outH: number;
  readonly outW: number;
  readonly outC: number;
  readonly kernel: number;
  readonly stride: number;
  /** Index of the block the layer belongs to (-1 for first conv and head). */
  readonly block: number;
  /** Role inside the network. */
  readonly role: "stem" | "expand" | "depthwise" | "project" | "residual" | "pool" | "classifier";
}

/**
 * The layers of an architecture, in execution order.
 *
 * @example
 * ```ts
 * import { archLayers } from "./layers.ts";
 * const layers = archLayers({
 *   resolution: 32, inputChannels: 3, classes: 10,
 *   firstConv: { outChannels: 8 },
 *   blocks: [{ kernel: 3, expand: 1, stride: 1, outChannels: 8 }],
 * });
 * layers.length; // 6: conv, depthwise, project, residual ADD, pool, classifier
 * ```
 */
export function archLayers(arch: MbconvArch): LayerShape[] {
  const out: LayerShape[] = [];
  const down = (n: number, s: number) => Math.ceil(n / s);
  // One layer from an [h, w, c] input to an [h, w, c] output.
  const push = (
    kind: LayerKind,
    role: LayerShape["role"],
    block: number,
    [inH, inW, inC]: readonly [number, number, number],
    [outH, outW, outC]: readonly [number, number, number],
    kernel = 1,
    stride = 1,
  ) => out.push({ kind, inH, inW, inC, outH, outW, outC, kernel, stride, block, role });
  let h = arch.resolution;
  let w = arch.resolution;
  let c = arch.inputChannels;
  const fc = { outChannels: arch.firstConv.outChannels, kernel: 3, stride: 2 };
  const [sh, sw] = [down(h, fc.stride), down(w, fc.stride)];
  push("CONV_2D", "stem", -1, [h, w, c], [sh, sw, fc.outChannels], fc.kernel, fc.stride);
  h = sh;
  w = sw;
  c = fc.outChannels;
  for (const [bi, b] of arch.blocks.entries()) {
    const mid = b.midChannels ?? Math.round(c * b.expand);
    if (b.expand !== 1) push("CONV_2D", "expand", bi, [h, w, c], [h, w, mid]);
    const oh = down(h, b.stride);
    const ow = down(w, b.stride);
    push("DEPTHWISE_CONV_2D", "depthwise", bi, [h, w, mid], [oh, ow, mid], b.kernel, b.stride);
    push("CONV_2D", "project", bi, [oh, ow, mid], [oh, ow, b.outChannels]);
    if (b.residual ?? (b.stride === 1 && c === b.outChannels)) {
      push("ADD", "residual", bi, [oh, ow, b.outChannels], [oh, ow, b.outChannels]);
    }
    h = oh;
    w = ow;
    c = b.outChannels;
  }
  if (arch.featureMix !== undefined) {
    push("CONV_2D", "expand", -1, [h, w, c], [h, w, arch.featureMix.outChannels]);
    c = arch.featureMix.outChannels;
  }
  push("AVERAGE_POOL_2D", "pool", -1, [h, w, c], [1, 1, c], h);
  push("FULLY_CONNECTED", "classifier", -1, [1, 1, c], [1, 1, arch.classes]);
  return out;
}

/** Per-kind MACs and weight counts (kinds without weights have none). */
const LAYER_COSTS: {
  readonly [K in LayerKind]?: { macs(l: LayerShape): number; weights(l: LayerShape): number };
} = {
  CONV_2D: {
    macs: (l) => l.outH * l.outW * l.outC * l.kernel * l.kernel * l.inC,
    weights: (l) => l.outC * l.kernel * l.kernel * l.inC,
  },
  DEPTHWISE_CONV_2D: {
    macs: (l) => l.outH * l.outW * l.outC * l.kernel * l.kernel,
    weights: (l) => l.outC * l.kernel * l.kernel,
  },
  FULLY_CONNECTED: { macs: (l) => l.outC * l.inC, weights: (l) => l.outC * l.inC },
};

/** Multiply-accumulates of one layer (same convention as engine/ops). */
export function layerMacs(l: LayerShape): number {
  return LAYER_COSTS[l.kind]?.macs(l) ?? 0;
}

/** Weight count (excluding biases) of one layer. */
export function layerWeights(l: LayerShape): number {
  return LAYER_COSTS[l.kind]?.weights(l) ?? 0;
}

/** Channels that carry a bias and per-channel requantization constants. */
export function layerChannels(l: LayerShape): number {
  return l.kind === "CONV_2D" || l.kind === "DEPTHWISE_CONV_2D" || l.kind === "FULLY_CONNECTED"
    ? l.outC
    : 0;
}

/**
 * A key naming the layer's configuration (what its cost depends on): kind, shapes, kernel, stride.
 *
 * @example
 * ```ts ignore
 * layerKey(layer); // "DEPTHWISE_CONV_2D:i40x40x48:o20x20x48:k5s2"
 * ```
 */
export function layerKey(l: LayerShape): string {
  return `${l.kind}:i${l.inH}x${l.inW}x${l.inC}:o${l.outH}x${l.outW}x${l.outC}:k${l.kernel}s${l.stride}`;
}
