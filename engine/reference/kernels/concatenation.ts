/**
 * CONCATENATION along one axis, as TFLite's `reference_ops::Concatenation`. For int8, an input
 * whose scale and zero point differ from the output's is requantized with the integer
 * `Requantize` arithmetic of QUANTIZE. (Converters always emit equal int8 quantization for
 * CONCATENATION; on a mismatch TFLite's Prepare rejects the model and TF-Lite Micro copies the
 * raw bytes unchanged. Requantizing keeps such graphs, e.g. from the builders, meaningful and
 * reproducible in firmware without floating point.)
 *
 * @module
 */

import type { ConcatenationNode } from "../../ir/mod.ts";
import { DTYPE_BYTES } from "../../ir/mod.ts";
import { concatenationParams, multiplyByQuantizedMultiplier } from "../../quant/mod.ts";
import {
  asInt8,
  fail,
  inputBytes,
  inputTensor,
  type KernelArgs,
  outputBytes,
  outputTensor,
} from "./_kernel.ts";

/** Run one CONCATENATION node. */
export function concatenation(args: KernelArgs<ConcatenationNode>): void {
  const output = outputTensor(args);
  const rank = output.shape.length;
  const axis = args.node.options.axis < 0 ? args.node.options.axis + rank : args.node.options.axis;
  if (axis < 0 || axis >= rank) {
    fail(args, `axis ${args.node.options.axis} is out of range for rank ${rank}`);
  }
  if (args.node.options.activation !== "NONE") {
    fail(args, `fused activation ${args.node.options.activation} is not supported`);
  }
  const inputs = args.node.inputs.map((_, i) => inputTensor(args, i));
  for (const t of inputs) {
    if (t.dtype !== output.dtype) {
      fail(args, `input dtype ${t.dtype} differs from output ${output.dtype}`);
    }
  }
  const size = DTYPE_BYTES[output.dtype];
  let outer = 1;
  for (let i = 0; i < axis; i++) outer *= output.shape[i]!;
  let inner = size;
  for (let i = axis + 1; i < rank; i++) inner *= output.shape[i]!;
  const params = output.dtype === "int8" ? concatenationParams(args.graph, args.node) : undefined;
  const dst = outputBytes(args);
  const dst8 = asInt8(dst);
  const outRow = output.shape[axis]! * inner;
  let offset = 0;
  inputs.forEach((t, i) => {
    const chunk = (t.shape[axis] ?? 1) * inner;
    const src = inputBytes(args, i);
    const p = params?.[i];
    for (let o = 0; o < outer; o++) {
      const from = o * chunk;
      const to = o * outRow + offset;
      if (!p || p.identity) {
        dst.set(src.subarray(from, from + chunk), to);
      } else {
        const s8 = asInt8(src);
        for (let k = 0; k < chunk; k++) {
          const v =
            multiplyByQuantizedMultiplier(s8[from + k]! - p.inputZeroPoint, p.multiplier, p.shift) +
            p.outputZeroPoint;
          dst8[to + k] = v < -128 ? -128 : v > 127 ? 127 : v;
        }
      }
    }
    offset += chunk;
  });
  if (offset !== outRow) {
    fail(args, `inputs fill ${offset / size} of ${outRow / size} elements per row`);
  }
}
