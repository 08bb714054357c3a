/**
 * NumPy-style broadcasting of two inputs to an output shape (TFLite's `BroadcastBinaryFunction`
 * / `BroadcastAdd6DSlow` semantics): trailing dimensions align, size-1 dimensions repeat.
 *
 * @module
 */

import { elementCount } from "../../ir/mod.ts";

/**
 * For each output element (row-major), the flat index of the element of `shape` it reads,
 * or `undefined` when `shape` equals `outShape` (identity).
 */
export function broadcastIndex(
  shape: readonly number[],
  outShape: readonly number[],
): Int32Array | undefined {
  const same = shape.length === outShape.length && shape.every((d, i) => d === outShape[i]);
  if (
    same ||
    elementCount(shape) === elementCount(outShape) && shape.length <= outShape.length &&
      sameTail(shape, outShape)
  ) {
    return undefined;
  }
  const rank = outShape.length;
  // Strides of `shape` aligned to the output's trailing dimensions; 0 where broadcast.
  const strides = new Array<number>(rank).fill(0);
  let stride = 1;
  for (let i = 0; i < rank; i++) {
    const d = shape[shape.length - 1 - i];
    const od = outShape[rank - 1 - i] ?? 1;
    if (d === undefined) break;
    if (d !== od && d !== 1) {
      throw new RangeError(`Cannot broadcast shape [${shape}] to [${outShape}]`);
    }
    strides[rank - 1 - i] = d === 1 ? 0 : stride;
    stride *= d;
  }
  const total = elementCount(outShape);
  const index = new Int32Array(total);
  const counter = new Array<number>(rank).fill(0);
  let flat = 0;
  for (let k = 0; k < total; k++) {
    index[k] = flat;
    for (let axis = rank - 1; axis >= 0; axis--) {
      counter[axis]!++;
      flat += strides[axis]!;
      if (counter[axis]! < (outShape[axis] ?? 1)) break;
      flat -= strides[axis]! * counter[axis]!;
      counter[axis] = 0;
    }
  }
  return index;
}

function sameTail(shape: readonly number[], outShape: readonly number[]): boolean {
  // Leading 1s only: [2,3] vs [1,2,3] is the identity mapping.
  const lead = outShape.length - shape.length;
  for (let i = 0; i < lead; i++) if (outShape[i] !== 1) return false;
  return shape.every((d, i) => d === outShape[lead + i]);
}
