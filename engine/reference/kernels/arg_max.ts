/**
 * ARG_MAX over int8, as TFLite's reference `ArgMinMax` with `std::greater`: each position along
 * the axis replaces the running maximum only when strictly greater, so ties give the first index.
 * The index is written as int32 or int64 (the output tensor's dtype).
 *
 * @module
 */
import type { ArgMaxNode } from "../../ir/mod.ts";
import { argMaxAxis } from "../../ops/mod.ts";
import {
  fail,
  inputTensor,
  int8Input,
  type KernelArgs,
  outputBytes,
  outputTensor,
  requireDtype,
} from "./_kernel.ts";

/** Run one ARG_MAX node. */
export function argMax(args: KernelArgs<ArgMaxNode>): void {
  const input = inputTensor(args, 0);
  const output = outputTensor(args);
  requireDtype(args, "int8", { input });
  if (output.dtype !== "int32" && output.dtype !== "int64") {
    fail(args, `output dtype ${output.dtype} is not supported (needs int32 or int64)`);
  }
  const axis = argMaxAxis(args.graph, args.node);
  const shape = input.shape;
  const size = shape[axis] ?? 1;
  let outer = 1;
  for (let k = 0; k < axis; k++) outer *= shape[k]!;
  let inner = 1;
  for (let k = axis + 1; k < shape.length; k++) inner *= shape[k]!;
  const x = int8Input(args, 0);
  const o = outputBytes(args);
  const view = new DataView(o.buffer, o.byteOffset, o.byteLength);
  for (let a = 0; a < outer; a++) {
    for (let b = 0; b < inner; b++) {
      const base = a * size * inner + b;
      let best = x[base]!;
      let index = 0;
      for (let i = 1; i < size; i++) {
        const v = x[base + i * inner]!;
        if (v > best) {
          best = v;
          index = i;
        }
      }
      const at = a * inner + b;
      if (output.dtype === "int32") view.setInt32(4 * at, index, true);
      else view.setBigInt64(8 * at, BigInt(index), true);
    }
  }
}
