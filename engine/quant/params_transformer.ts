/**
 * Quantization parameters of the attention-block operators: BATCH_MATMUL (TFLM's int8 Prepare:
 * one per-tensor multiplier from `GetQuantizedConvolutionMultipler`, the three zero points, the
 * full int8 range as clamp).
 *
 * @module
 */
import type { BatchMatMulNode, Graph } from "../ir/mod.ts";
import { quantizeMultiplier } from "./arithmetic.ts";
import { QuantizationParamsError, tensorAt, tensorQuant } from "./params_common.ts";

/** BATCH_MATMUL's int8 parameters. */
export interface BatchMatMulParams {
  readonly lhsZeroPoint: number;
  readonly rhsZeroPoint: number;
  readonly outputZeroPoint: number;
  readonly outputMultiplier: number;
  readonly outputShift: number;
}

/**
 * BATCH_MATMUL parameters as TFLM's Prepare: the multiplier of `float(lhs_scale * rhs_scale)`
 * widened to double and divided by the output scale; per-tensor scales only.
 *
 * @example
 * ```ts ignore
 * const p = batchMatMulParams(graph, node); // p.outputMultiplier, p.outputShift
 * ```
 */
export function batchMatMulParams(graph: Graph, node: BatchMatMulNode): BatchMatMulParams {
  const lhs = tensorAt(graph, node.inputs[0], "lhs", node);
  const rhs = tensorAt(graph, node.inputs[1], "rhs", node);
  for (const t of [lhs, rhs]) {
    if ((t.quant?.scale.length ?? 1) > 1) {
      throw new QuantizationParamsError(
        `Cannot derive BATCH_MATMUL parameters: '${t.name}' is quantized per channel`,
      );
    }
  }
  const lq = tensorQuant(lhs);
  const rq = tensorQuant(rhs);
  const oq = tensorQuant(tensorAt(graph, node.outputs[0], "output", node));
  const m = quantizeMultiplier(Math.fround(lq.scale * rq.scale) / oq.scale);
  return {
    lhsZeroPoint: lq.zeroPoint,
    rhsZeroPoint: rq.zeroPoint,
    outputZeroPoint: oq.zeroPoint,
    outputMultiplier: m.multiplier,
    outputShift: m.shift,
  };
}
