/**
 * Hostile per-channel weight scales for the differential tests and the fuzz task: negative,
 * tiny (below 1e-6) and mixed-sign scales, as real PyTorch exports have them (a channel whose
 * batch-norm gamma is negative folds into a negative weight scale). Every operator with
 * per-channel quantization (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED) gets them.
 *
 * @module
 */
import type { Graph, Tensor } from "../engine/ir/mod.ts";
import { createRng, type Rng } from "../engine/util/mod.ts";

/** Operators whose weight (input 1) may be quantized per channel. */
const PER_CHANNEL_OPS: ReadonlySet<string> = new Set([
  "CONV_2D",
  "DEPTHWISE_CONV_2D",
  "FULLY_CONNECTED",
]);

/** How {@link mixWeightScales} rewrites one weight tensor. */
export type ScaleMix = "negative" | "tiny" | "mixed";

/** A tiny scale (in [1e-9, 1e-6)) with a random sign. */
function tinyScale(rng: Rng): number {
  const magnitude = 10 ** (-9 + 3 * rng.next());
  return rng.int(2) === 0 ? magnitude : -magnitude;
}

function mixScales(rng: Rng, scales: readonly number[], mix: ScaleMix): number[] {
  const out = scales.map((s) => Math.abs(s));
  const n = out.length;
  switch (mix) {
    case "negative":
      // Every channel negative, one or two kept positive when there are several.
      for (let i = 0; i < n; i++) out[i] = -out[i]!;
      if (n > 1) out[rng.int(n)] = -out[rng.int(n)]!;
      break;
    case "tiny":
      for (let k = 0; k < Math.max(1, n >> 2); k++) out[rng.int(n)] = tinyScale(rng);
      break;
    case "mixed":
      for (let i = 0; i < n; i++) {
        const r = rng.int(8);
        if (r < 3) out[i] = -out[i]!;
        else if (r === 3) out[i] = tinyScale(rng);
      }
      // At least one channel of each sign where there are two channels or more.
      if (n > 1) {
        out[0] = Math.abs(out[0]!);
        out[n - 1] = -Math.abs(out[n - 1]!);
      }
      break;
  }
  return out;
}

/**
 * A copy of `graph` whose per-channel weight scales are negative, tiny or of mixed sign (one
 * {@link ScaleMix} drawn per weight tensor; a per-tensor weight becomes per-channel first where
 * the operator allows it). The weights' int8 values are kept, so the network stays a valid
 * quantized model whose channels simply mean something else; both engines must still equal the
 * reference on it.
 *
 * @example
 * ```ts
 * import { mixWeightScales } from "./scale_mix.ts";
 * import { randomChainGraph } from "./random_graph.ts";
 * const g = mixWeightScales(randomChainGraph(1, { ops: ["conv"] }), 1);
 * ```
 */
export function mixWeightScales(graph: Graph, seed: number, mixes?: readonly ScaleMix[]): Graph {
  const rng = createRng(seed ^ 0x5ca1e);
  const kinds: readonly ScaleMix[] = mixes ?? ["negative", "tiny", "mixed"];
  const tensors: Tensor[] = [...graph.tensors];
  for (const node of graph.nodes) {
    if (!PER_CHANNEL_OPS.has(node.op)) continue;
    const wi = node.inputs[1]!;
    const w = tensors[wi];
    if (!w?.quant || w.dtype !== "int8") continue;
    const axis = node.op === "DEPTHWISE_CONV_2D" ? w.shape.length - 1 : 0;
    const channels = w.shape[axis]!;
    const base = w.quant.scale.length === channels
      ? w.quant.scale
      : Array.from({ length: channels }, () => w.quant!.scale[0]!);
    const scale = mixScales(rng, base, kinds[rng.int(kinds.length)]!);
    tensors[wi] = {
      ...w,
      quant: { scale, zeroPoint: scale.map(() => 0), axis },
    };
  }
  return { ...graph, tensors };
}
