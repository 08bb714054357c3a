/**
 * BATCH_MATMUL (int8): TFLite's sum of `(lhs + lhs_offset) * (rhs + rhs_offset)` split as
 * `sum(lhs * rhs) + rhs_offset * sum(lhs) + lhs_offset * sum(rhs) + depth * lhs_offset *
 * rhs_offset`, so the inner loop multiplies raw int8 pairs. The rhs column terms are a constant
 * table for a constant rhs, or are summed once per batch into scratch for a computed one; the lhs
 * row term once per row. The operands are read in place with their strides (`adj_x` / `adj_y`
 * change strides, not data: no transposed copies), then one requantization per output. The
 * loops are emitted inline with their sizes and strides baked in.
 *
 * @module
 */
import { type BatchMatMulNode, UnsupportedOpError } from "../../../ir/mod.ts";
import { batchOffsets, matMulGeometry } from "../../../ops/mod.ts";
import { batchMatMulParams } from "../../../quant/mod.ts";
import type { Layer, Lowered } from "../../../schedule/mod.ts";
import type { LayerKernel } from "./types.ts";
import { constInt8, tensorOf } from "./util.ts";

/** BATCH_MATMUL over broadcast batches. */
export function batchMatMulTemplate(lowered: Lowered, layer: Layer): LayerKernel {
  const { graph } = lowered;
  const lhs = tensorOf(lowered, layer.inputs[0], "lhs");
  const rhs = tensorOf(lowered, layer.inputs[1], "rhs");
  const output = tensorOf(lowered, layer.outputs[0], "output");
  if ([lhs, rhs, output].some((t) => t.dtype !== "int8")) {
    throw new UnsupportedOpError(
      "BATCH_MATMUL",
      layer.from[0] ?? -1,
      `tinyengine's kernel multiplies int8 by int8 into int8, the model has ${lhs.dtype} x ${rhs.dtype} -> ${output.dtype}`,
    );
  }
  const node = { ...layer.node, inputs: layer.inputs, outputs: layer.outputs } as BatchMatMulNode;
  const { adjX, adjY } = node.options;
  const g = matMulGeometry(lhs.shape, rhs.shape, adjX, adjY);
  if (typeof g === "string") throw new RangeError(`Cannot generate BATCH_MATMUL: ${g}`);
  const { rows, cols, depth } = g;
  const offsets = batchOffsets(g);
  const p = batchMatMulParams({ ...graph, nodes: [] }, node);
  const lhsOffset = -p.lhsZeroPoint;
  const rhsOffset = -p.rhsZeroPoint;
  // Strides of (row, depth) in the lhs and (depth, column) in the rhs.
  const [aRow, aK] = adjX ? [1, rows] : [depth, 1];
  const [bK, bCol] = adjY ? [1, depth] : [cols, 1];
  const constantRhs = rhs.data !== undefined;
  const columnTerms = lhsOffset !== 0 || rhsOffset !== 0;
  return {
    scratchBytes: columnTerms && !constantRhs ? 4 * cols : 0,
    variant: `batch_matmul ${constantRhs ? "const" : "runtime"} rhs${adjX ? " adj_x" : ""}${
      adjY ? " adj_y" : ""
    }`,
    emit(ctx) {
      const a = ctx.ptr(layer.inputs[0]!);
      const b = constantRhs ? ctx.consts.int8(constInt8(rhs), "rhs") : ctx.ptr(layer.inputs[1]!);
      const o = ctx.ptr(layer.outputs[0]!);
      const batches = offsets.lhs.length;
      const lOff = ctx.consts.int32(Int32Array.from(offsets.lhs), "lhs_batch");
      const rOff = ctx.consts.int32(Int32Array.from(offsets.rhs), "rhs_batch");
      const konst = depth * lhsOffset * rhsOffset;
      const mult = ctx.param("out_mult", p.outputMultiplier, "real scale lhs * rhs / out");
      const shift = ctx.param("out_shift", p.outputShift);
      const zp = ctx.param("out_zp", p.outputZeroPoint);
      const lines: string[] = [`{ int8_t *o = ${o};`];
      lines.push(`  for (int32_t n = 0; n < ${batches}; n++) {`);
      lines.push(`    const int8_t *A = ${a} + ${lOff}[n]; const int8_t *B = ${b} + ${rOff}[n];`);
      if (columnTerms && constantRhs) {
        // One table row per batch: lhs_offset * sum(rhs column) + depth * both offsets.
        const rhsValues = constInt8(rhs);
        const table = new Int32Array(batches * cols);
        offsets.rhs.forEach((base, n) => {
          for (let j = 0; j < cols; j++) {
            let s = 0;
            for (let k = 0; k < depth; k++) s += rhsValues[base + k * bK + j * bCol]!;
            table[n * cols + j] = lhsOffset * s + konst;
          }
        });
        lines.push(
          `    const int32_t *cs = ${ctx.consts.int32(table, "col_terms")} + n * ${cols};`,
        );
      } else if (columnTerms) {
        lines.push(`    int32_t *cs = (int32_t *)${ctx.scratch};`);
        lines.push(`    for (int32_t j = 0; j < ${cols}; j++) {`);
        lines.push(`      const int8_t *bc = B + j * ${bCol}; int32_t s = 0;`);
        lines.push(`      for (int32_t k = 0; k < ${depth}; k++) s += bc[k * ${bK}];`);
        lines.push(`      cs[j] = ${lhsOffset} * s + ${konst};`);
        lines.push(`    }`);
      }
      lines.push(`    for (int32_t i = 0; i < ${rows}; i++, o += ${cols}) {`);
      lines.push(`      const int8_t *ar = A + i * ${aRow};`);
      if (rhsOffset !== 0) {
        lines.push(`      int32_t sa = 0;`);
        lines.push(`      for (int32_t k = 0; k < ${depth}; k++) sa += ar[k * ${aK}];`);
        lines.push(`      const int32_t row = ${rhsOffset} * sa;`);
      } else {
        lines.push(`      const int32_t row = 0;`);
      }
      lines.push(`      for (int32_t j = 0; j < ${cols}; j++) {`);
      lines.push(`        const int8_t *bc = B + j * ${bCol};`);
      lines.push(`        int32_t acc = row${columnTerms ? " + cs[j]" : ""};`);
      lines.push(
        `        for (int32_t k = 0; k < ${depth}; k++) acc += ar[k * ${aK}] * bc[k * ${bK}];`,
      );
      lines.push(`        o[j] = (int8_t)__ssat(te_mbqm(acc, ${mult}, ${shift}) + ${zp}, 8);`);
      lines.push(`      }`);
      lines.push(`    }`);
      lines.push(`  }`);
      lines.push(`}`);
      return lines.join("\n");
    },
  };
}
