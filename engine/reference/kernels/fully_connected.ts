/**
 * FULLY_CONNECTED, int8, as TFLite's `reference_integer_ops::FullyConnected` (per-tensor, with
 * the filter offset) and `FullyConnectedPerChannel`. The input is flattened to
 * `[batches, accumDepth]` with `accumDepth` the weights' last dimension.
 *
 * @module
 */

import type { FullyConnectedNode } from "../../ir/mod.ts";
import { elementCount } from "../../ir/mod.ts";
import { fullyConnectedParams } from "../../quant/mod.ts";
import { dim, fail, type KernelArgs, requantizeChannel, weightedOperands } from "./_kernel.ts";

/** Run one FULLY_CONNECTED node. */
export function fullyConnected(args: KernelArgs<FullyConnectedNode>): void {
  const { graph, node } = args;
  const { input, filter, output, bias, inData, fData, out } = weightedOperands(args, "weights");
  const outDepth = dim(filter.shape, 0);
  const accumDepth = dim(filter.shape, filter.shape.length - 1);
  const batches = elementCount(input.shape) / accumDepth;
  if (!Number.isInteger(batches) || elementCount(output.shape) !== batches * outDepth) {
    fail(
      args,
      `shapes do not agree: input [${input.shape}], weights [${filter.shape}], output [${output.shape}]`,
    );
  }
  const p = fullyConnectedParams(graph, node);
  const { inputOffset, filterOffset } = p;
  for (let b = 0; b < batches; b++) {
    const iBase = b * accumDepth;
    for (let oc = 0; oc < outDepth; oc++) {
      const fBase = oc * accumDepth;
      let acc = 0;
      for (let d = 0; d < accumDepth; d++) {
        acc += (fData[fBase + d]! + filterOffset) * (inData[iBase + d]! + inputOffset);
      }
      out[b * outDepth + oc] = requantizeChannel(acc, oc, bias, p);
    }
  }
}
