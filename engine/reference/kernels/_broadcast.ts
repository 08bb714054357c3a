/**
 * NumPy-style broadcasting of two inputs to an output shape (TFLite's `BroadcastBinaryFunction`
 * / `BroadcastAdd6DSlow` semantics): trailing dimensions align, size-1 dimensions repeat.
 *
 * @module
 */

import { elementCount, type Node, type Tensor } from "../../ir/mod.ts";
import {
  inputTensor,
  int8Input,
  int8Output,
  type KernelArgs,
  outputTensor,
  requireDtype,
} from "./_kernel.ts";

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

/** The operands of a broadcasting two-input int8 operator, read once for its element loop. */
export interface Int8BroadcastOperands {
  readonly in1: Tensor;
  readonly in2: Tensor;
  readonly output: Tensor;
  readonly a: Int8Array;
  readonly b: Int8Array;
  readonly out: Int8Array;
  /** Per output element, the element of `a` (`b`) it reads; undefined when the shapes match. */
  readonly ia: Int32Array | undefined;
  readonly ib: Int32Array | undefined;
}

/**
 * The two int8 inputs and the int8 output of a broadcasting binary operator (ADD, MUL, MAXIMUM,
 * SQUARED_DIFFERENCE, PRELU), with their data and broadcast indices; another dtype is refused,
 * naming the inputs as `names` in the error.
 */
export function int8BroadcastOperands<N extends Node>(
  args: KernelArgs<N>,
  names: readonly [string, string] = ["first input", "second input"],
): Int8BroadcastOperands {
  const in1 = inputTensor(args, 0);
  const in2 = inputTensor(args, 1);
  const output = outputTensor(args);
  requireDtype(args, "int8", { [names[0]]: in1, [names[1]]: in2, output });
  return {
    in1,
    in2,
    output,
    a: int8Input(args, 0),
    b: int8Input(args, 1),
    out: int8Output(args),
    ia: broadcastIndex(in1.shape, output.shape),
    ib: broadcastIndex(in2.shape, output.shape),
  };
}
