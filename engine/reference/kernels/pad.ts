/**
 * PAD, as TFLite's `reference_ops::Pad`: copies the input into the middle of the output and
 * fills the rest with the output zero point (int8) or 0 (other dtypes).
 *
 * @module
 */

import type { PadNode } from "../../ir/mod.ts";
import { DTYPE_BYTES, elementCount } from "../../ir/mod.ts";
import { fail, int32Values, type KernelArgs, sameDtypeInOut } from "./_kernel.ts";

/** Run one PAD node. */
export function pad(args: KernelArgs<PadNode>): void {
  const { input, output, src, dst } = sameDtypeInOut(args);
  const paddings = int32Values(args, 1);
  const rank = input.shape.length;
  if (paddings.length !== rank * 2) {
    fail(args, `paddings hold ${paddings.length} values for rank ${rank}`);
  }
  const outShape = input.shape.map((d, i) => d + paddings[2 * i]! + paddings[2 * i + 1]!);
  if (elementCount(outShape) !== elementCount(output.shape)) {
    fail(args, `output shape [${output.shape}] is not the padded [${outShape}]`);
  }
  const size = DTYPE_BYTES[input.dtype];
  if (input.dtype === "int8") {
    const zp = output.quant?.zeroPoint[0] ?? 0;
    dst.fill(zp & 0xff);
  }
  // Copy input rows (innermost dimension runs) to their padded positions.
  const inner = (input.shape[rank - 1] ?? 1) * size;
  const outStrides = new Array<number>(rank).fill(0);
  let s = size;
  for (let i = rank - 1; i >= 0; i--) {
    outStrides[i] = s;
    s *= outShape[i]!;
  }
  const rows = rank === 0 ? 1 : elementCount(input.shape.slice(0, rank - 1));
  const counter = new Array<number>(Math.max(rank - 1, 0)).fill(0);
  for (let r = 0; r < rows; r++) {
    let offset = rank === 0 ? 0 : paddings[2 * (rank - 1)]! * size;
    for (let i = 0; i < rank - 1; i++) offset += (counter[i]! + paddings[2 * i]!) * outStrides[i]!;
    dst.set(src.subarray(r * inner, (r + 1) * inner), offset);
    for (let i = rank - 2; i >= 0; i--) {
      counter[i]!++;
      if (counter[i]! < input.shape[i]!) break;
      counter[i] = 0;
    }
  }
}
