/**
 * BATCH_MATMUL: inputs [lhs, rhs], rank 2 to 5 each; the last two dimensions multiply as
 * matrices (`adj_x` / `adj_y` transpose them first) and the leading ones broadcast, as TFLite's
 * Prepare extends both shapes to the output rank and checks them.
 *
 * @module
 */
import type { NodeOf } from "../ir/mod.ts";
import { batchMatMulParams } from "../quant/mod.ts";
import { shapeOf } from "./_shape_util.ts";
import type { OpDef } from "./op_def.ts";
import { bool, OPTIONS } from "./tflite_options.ts";

/**
 * Element offsets of the first lhs and rhs matrix of each output batch (broadcast dimensions of
 * size 1 stay at offset 0), in output order.
 */
export function batchOffsets(g: MatMulGeometry): { lhs: number[]; rhs: number[] } {
  const rank = g.output.length;
  const lhs = [0];
  const rhs = [0];
  let lhsStride = g.lhs[rank - 2]! * g.lhs[rank - 1]!;
  let rhsStride = g.rhs[rank - 2]! * g.rhs[rank - 1]!;
  // Innermost batch dimension first: each step repeats the offsets so far for every index.
  for (let d = rank - 3; d >= 0; d--) {
    const n = g.output[d]!;
    const [l, r] = [lhs.slice(), rhs.slice()];
    lhs.length = 0;
    rhs.length = 0;
    for (let i = 0; i < n; i++) {
      const li = g.lhs[d] === 1 ? 0 : i * lhsStride;
      const ri = g.rhs[d] === 1 ? 0 : i * rhsStride;
      for (let k = 0; k < l.length; k++) {
        lhs.push(li + l[k]!);
        rhs.push(ri + r[k]!);
      }
    }
    lhsStride *= g.lhs[d]!;
    rhsStride *= g.rhs[d]!;
  }
  return { lhs, rhs };
}

/** The matrix product's geometry: shapes extended to the output rank, and the sizes. */
export interface MatMulGeometry {
  /** Output shape: broadcast batch dimensions, then rows and columns. */
  readonly output: number[];
  /** lhs and rhs shapes with leading 1s up to the output rank. */
  readonly lhs: number[];
  readonly rhs: number[];
  /** Rows of the (transposed when adjX) lhs, columns of the (transposed when adjY) rhs. */
  readonly rows: number;
  readonly cols: number;
  /** The summed dimension. */
  readonly depth: number;
}

/**
 * The geometry of `lhs x rhs`, or a string saying why the shapes do not multiply (TFLite's
 * checks: ranks 2 to 5, broadcastable batch dimensions, equal summed dimensions).
 */
export function matMulGeometry(
  lhsShape: readonly number[],
  rhsShape: readonly number[],
  adjX: boolean,
  adjY: boolean,
): MatMulGeometry | string {
  for (const [what, s] of [["lhs", lhsShape], ["rhs", rhsShape]] as const) {
    if (s.length < 2 || s.length > 5) return `${what} has rank ${s.length}, expected 2 to 5`;
  }
  const rank = Math.max(lhsShape.length, rhsShape.length);
  const extend = (s: readonly number[]) => [...new Array<number>(rank - s.length).fill(1), ...s];
  const lhs = extend(lhsShape);
  const rhs = extend(rhsShape);
  const output: number[] = [];
  for (let i = 0; i < rank - 2; i++) {
    const a = lhs[i]!;
    const b = rhs[i]!;
    if (a !== b && a !== 1 && b !== 1) {
      return `batch dimension ${i} is ${a} in lhs and ${b} in rhs (they do not broadcast)`;
    }
    output.push(a === 1 ? b : a);
  }
  const rows = lhs[adjX ? rank - 1 : rank - 2]!;
  const depth = lhs[adjX ? rank - 2 : rank - 1]!;
  const rhsDepth = rhs[adjY ? rank - 1 : rank - 2]!;
  const cols = rhs[adjY ? rank - 2 : rank - 1]!;
  if (depth !== rhsDepth) return `lhs sums over ${depth} values and rhs over ${rhsDepth}`;
  output.push(rows, cols);
  return { output, lhs, rhs, rows, cols, depth };
}

function geometry(graph: Parameters<typeof shapeOf>[0], node: NodeOf<"BATCH_MATMUL">) {
  const g = matMulGeometry(
    shapeOf(graph, node.inputs[0], "BATCH_MATMUL lhs"),
    shapeOf(graph, node.inputs[1], "BATCH_MATMUL rhs"),
    node.options.adjX,
    node.options.adjY,
  );
  if (typeof g === "string") throw new RangeError(`Cannot infer a shape: BATCH_MATMUL ${g}`);
  return g;
}

/** BATCH_MATMUL. */
export const BATCH_MATMUL: OpDef<"BATCH_MATMUL"> = {
  inputs: [2, 2],
  check(ctx, node) {
    const g = matMulGeometry(ctx.inS, ctx.tensor(1).shape, node.options.adjX, node.options.adjY);
    if (typeof g === "string") return ctx.fail(g);
    ctx.expectShape(g.output, "the product's shape");
    for (const k of [0, 1]) {
      const t = ctx.tensor(k);
      if ((t.quant?.scale.length ?? 1) > 1) {
        ctx.fail(`${k === 0 ? "lhs" : "rhs"} '${t.name}' is quantized per channel`);
      }
    }
  },
  outputShapes: (graph, node) => [geometry(graph, node).output],
  macs(graph, node) {
    const g = geometry(graph, node);
    return g.output.reduce((a, b) => a * b, 1) * g.depth;
  },
  describe: (node) =>
    [node.options.adjX ? "adj_x" : "", node.options.adjY ? "adj_y" : ""].filter((s) => s)
      .join(" "),
  prepare: batchMatMulParams,
  tflite: {
    code: 126,
    options: OPTIONS.BatchMatMulOptions,
    read: (o) => ({ adjX: o?.bool(0, "adj_x") ?? false, adjY: o?.bool(1, "adj_y") ?? false }),
    write: (o) => [bool(0, o.adjX), bool(1, o.adjY)],
  },
};
