/**
 * MEAN, int8, as TFLite's reference `QuantizedMeanOrSum` (integer version, shared by TFLM and
 * CMSIS-NN's `arm_mean_s8`): raw values are summed in int32 over the reduced axes, the input
 * zero point times the count is subtracted, and one `MultiplyByQuantizedMultiplier` with
 * `1 / count` folded into the multiplier gives the output.
 *
 * @module
 */

import type { MeanNode } from "../../ir/mod.ts";
import { elementCount } from "../../ir/mod.ts";
import { meanParams, multiplyByQuantizedMultiplier } from "../../quant/mod.ts";
import { fail, int32Values, int8InOut, int8Input, int8Output, type KernelArgs } from "./_kernel.ts";

/** Run one MEAN node. */
export function mean(args: KernelArgs<MeanNode>): void {
  const { input, output } = int8InOut(args);
  const axes = int32Values(args, 1);
  const p = meanParams(args.graph, args.node, axes);
  const shape = input.shape;
  const rank = shape.length;
  const reduced = new Set(p.axes);
  // Output strides over the kept dimensions, 0 over the reduced ones.
  const strides = new Array<number>(rank).fill(0);
  let stride = 1;
  for (let i = rank - 1; i >= 0; i--) {
    if (!reduced.has(i)) {
      strides[i] = stride;
      stride *= shape[i] ?? 1;
    }
  }
  const outCount = stride;
  if (elementCount(output.shape) !== outCount) {
    fail(args, `output shape [${output.shape}] does not hold the ${outCount} means`);
  }
  const inData = int8Input(args, 0);
  const sums = new Int32Array(outCount);
  const counter = new Array<number>(rank).fill(0);
  let o = 0;
  for (let k = 0; k < inData.length; k++) {
    sums[o] = sums[o]! + inData[k]!;
    for (let axis = rank - 1; axis >= 0; axis--) {
      counter[axis]!++;
      o += strides[axis]!;
      if (counter[axis]! < (shape[axis] ?? 1)) break;
      o -= strides[axis]! * counter[axis]!;
      counter[axis] = 0;
    }
  }
  const out = int8Output(args);
  for (let i = 0; i < outCount; i++) {
    const shifted = (sums[i]! - p.inputZeroPoint * p.count) | 0;
    const v = multiplyByQuantizedMultiplier(shifted, p.multiplier, p.shift) + p.outputZeroPoint;
    out[i] = v < -128 ? -128 : v > 127 ? 127 : v;
  }
}
