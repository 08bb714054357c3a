/**
 * A trained float network into the int8 Graph IR, through the same builder that makes the
 * synthetic graphs (so the structure has one definition): per-channel symmetric int8 weights,
 * int32 biases at in_scale * w_scale, per-tensor int8 activations from the calibrated ranges,
 * ReLU6 as fused clamps. Also how images become the graph's int8 input.
 *
 * @module
 */
import { buildMbconv, type MbconvArch } from "../engine/builders/mod.ts";
import type { Graph } from "../engine/ir/mod.ts";
import { type TrainedFloatModel, trainedParameters } from "./worker.ts";

/**
 * The int8 graph of a trained network.
 *
 * @example
 * ```ts ignore
 * const graph = quantizeTrained(arch, await runTrainingWorker(job), "my-net");
 * ```
 */
export function quantizeTrained(arch: MbconvArch, model: TrainedFloatModel, name: string): Graph {
  return buildMbconv(arch, { name, trained: trainedParameters(model) });
}

/** The graph input's quantization images are fed with: real = (pixel - 128) / 128. */
export const INPUT_QUANT = { scale: 1 / 128, zeroPoint: 0 } as const;

/**
 * One image's int8 input: pixel - 128 (the worker trains on (pixel - 128) / 128, which the input
 * tensor's scale 1/128 and zero point 0 represent exactly). Checks the graph agrees.
 */
export function imageInput(graph: Graph, pixels: Uint8Array): Int8Array {
  const t = graph.tensors[graph.inputs[0] ?? -1];
  const q = t?.quant;
  if (
    !t || t.dtype !== "int8" || !q || Math.abs(q.scale[0]! - INPUT_QUANT.scale) > 1e-12 ||
    q.zeroPoint[0] !== INPUT_QUANT.zeroPoint
  ) {
    throw new RangeError(
      `Cannot feed images to graph '${graph.name}': its input must be int8 with scale 1/128 and zero point 0`,
    );
  }
  const out = new Int8Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = pixels[i]! - 128;
  return out;
}
