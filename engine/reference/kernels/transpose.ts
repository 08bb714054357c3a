/**
 * TRANSPOSE, as TFLite's `reference_ops::Transpose`: `out[i0..] = in[i_perm...]`, i.e.
 * output dimension `k` is input dimension `perm[k]`. Works for any element size.
 *
 * @module
 */

import type { TransposeNode } from "../../ir/mod.ts";
import { DTYPE_BYTES } from "../../ir/mod.ts";
import { fail, int32Values, type KernelArgs, sameDtypeInOut } from "./_kernel.ts";

/** Run one TRANSPOSE node. */
export function transpose(args: KernelArgs<TransposeNode>): void {
  const { input, src, dst } = sameDtypeInOut(args);
  const perm = Array.from(int32Values(args, 1));
  const rank = input.shape.length;
  if (perm.length !== rank || [...perm].sort((x, y) => x - y).some((p, i) => p !== i)) {
    fail(args, `perm [${perm}] is not a permutation of rank ${rank}`);
  }
  const outShape = perm.map((p) => input.shape[p]!);
  const size = DTYPE_BYTES[input.dtype];
  const inStrides = new Array<number>(rank).fill(0);
  let s = 1;
  for (let i = rank - 1; i >= 0; i--) {
    inStrides[i] = s;
    s *= input.shape[i]!;
  }
  // Stride in the input of a step along each output dimension.
  const stepStrides = perm.map((p) => inStrides[p]!);
  const total = s;
  const counter = new Array<number>(rank).fill(0);
  let inIdx = 0;
  for (let k = 0; k < total; k++) {
    for (let b = 0; b < size; b++) dst[k * size + b] = src[inIdx * size + b]!;
    for (let axis = rank - 1; axis >= 0; axis--) {
      counter[axis]!++;
      inIdx += stepStrides[axis]!;
      if (counter[axis]! < outShape[axis]!) break;
      inIdx -= stepStrides[axis]! * counter[axis]!;
      counter[axis] = 0;
    }
  }
}
