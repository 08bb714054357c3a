/**
 * STRIDED_SLICE, as TFLite's `reference_ops::StridedSlice`: the elements at `start + k * stride`
 * along every axis (see `ir/strided_slice.ts` for the masks), copied in order; int8 values are
 * not requantized.
 *
 * @module
 */

import { DTYPE_BYTES, elementCount, type StridedSliceNode } from "../../ir/mod.ts";
import { sliceAxes, sliceOutputShape } from "../../ir/mod.ts";
import { fail, int32Values, type KernelArgs, sameDtypeInOut } from "./_kernel.ts";

/** Flat source element index of every output element, in output order. */
export function stridedSliceIndex(
  shape: readonly number[],
  begin: ArrayLike<number>,
  end: ArrayLike<number>,
  strides: ArrayLike<number>,
  masks: StridedSliceNode["options"],
): Int32Array {
  const axes = sliceAxes(shape, begin, end, strides, masks);
  const inStrides = new Array<number>(shape.length).fill(1);
  for (let k = shape.length - 2; k >= 0; k--) inStrides[k] = inStrides[k + 1]! * shape[k + 1]!;
  const out = new Int32Array(elementCount(sliceOutputShape(axes)));
  let o = 0;
  const walk = (axis: number, base: number): void => {
    if (axis === axes.length) {
      out[o++] = base;
      return;
    }
    const a = axes[axis]!;
    for (let i = 0, at = a.start; i < a.count; i++, at += a.stride) {
      walk(axis + 1, base + at * inStrides[axis]!);
    }
  };
  walk(0, 0);
  return out;
}

/** Run one STRIDED_SLICE node. */
export function stridedSlice(args: KernelArgs<StridedSliceNode>): void {
  const { input, output, src, dst } = sameDtypeInOut(args);
  const index = stridedSliceIndex(
    input.shape,
    int32Values(args, 1),
    int32Values(args, 2),
    int32Values(args, 3),
    args.node.options,
  );
  const size = DTYPE_BYTES[input.dtype];
  if (index.length * size !== dst.length) {
    fail(args, `output shape [${output.shape}] does not hold the ${index.length} sliced elements`);
  }
  index.forEach((from, i) => dst.set(src.subarray(from * size, (from + 1) * size), i * size));
}
