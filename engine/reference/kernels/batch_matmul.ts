/**
 * BATCH_MATMUL, int8, as TFLite's reference `BatchMatMul` run by TFLM: each output is the int32
 * sum over the shared dimension of `(lhs + lhs_offset) * (rhs + rhs_offset)`, requantized with
 * `MultiplyByQuantizedMultiplier`, plus the output zero point, clamped to int8. Batch dimensions
 * broadcast; `adj_x` / `adj_y` read the operand transposed.
 *
 * @module
 */
import type { BatchMatMulNode } from "../../ir/mod.ts";
import { batchOffsets, matMulGeometry } from "../../ops/mod.ts";
import { batchMatMulParams, multiplyByQuantizedMultiplier } from "../../quant/mod.ts";
import {
  fail,
  inputTensor,
  int8Input,
  int8Output,
  type KernelArgs,
  outputTensor,
  requireDtype,
} from "./_kernel.ts";

/** Run one BATCH_MATMUL node. */
export function batchMatMul(args: KernelArgs<BatchMatMulNode>): void {
  const lhsT = inputTensor(args, 0);
  const rhsT = inputTensor(args, 1);
  const outT = outputTensor(args);
  requireDtype(args, "int8", { lhs: lhsT, rhs: rhsT, output: outT });
  const { adjX, adjY } = args.node.options;
  const g = matMulGeometry(lhsT.shape, rhsT.shape, adjX, adjY);
  if (typeof g === "string") fail(args, g);
  const p = batchMatMulParams(args.graph, args.node);
  const a = int8Input(args, 0);
  const b = int8Input(args, 1);
  const out = int8Output(args);
  const { rows, cols, depth } = g;
  // Strides of (row, depth) in lhs and (depth, column) in rhs.
  const [aRow, aK] = adjX ? [1, rows] : [depth, 1];
  const [bK, bCol] = adjY ? [1, depth] : [cols, 1];
  const offsets = batchOffsets(g);
  let o = 0;
  offsets.lhs.forEach((la, batch) => {
    const rb = offsets.rhs[batch]!;
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        let total = 0;
        for (let k = 0; k < depth; k++) {
          const x = a[la + i * aRow + k * aK]! - p.lhsZeroPoint;
          const y = b[rb + k * bK + j * bCol]! - p.rhsZeroPoint;
          total = (total + x * y) | 0;
        }
        const v = multiplyByQuantizedMultiplier(total, p.outputMultiplier, p.outputShift) +
          p.outputZeroPoint;
        out[o++] = v < -128 ? -128 : v > 127 ? 127 : v;
      }
    }
  });
}
