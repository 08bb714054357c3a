/**
 * AVERAGE_POOL_2D and MAX_POOL_2D: one NHWC input, a filter window per channel.
 *
 * @module
 */
import { poolParams } from "../quant/mod.ts";
import { dim, shapeOf } from "./_shape_util.ts";
import { activationText } from "./conv.ts";
import { convOutputSize } from "./geometry.ts";
import type { OpDef } from "./op_def.ts";
import { activationField, i32, OPTIONS, paddingField } from "./tflite_options.ts";

type PoolOp = "AVERAGE_POOL_2D" | "MAX_POOL_2D";

/** Field slots of `Pool2DOptions`. */
const POOL = { padding: 0, strideW: 1, strideH: 2, filterW: 3, filterH: 4, activation: 5 };

function pool(code: number): OpDef<PoolOp> {
  return {
    inputs: [1, 1],
    check(ctx, node) {
      const { input, output, inS, outS } = ctx;
      ctx.rank(input, 4, "input");
      ctx.rank(output, 4, "output");
      ctx.positive(node.options.filterH, "filter height");
      ctx.positive(node.options.filterW, "filter width");
      if (outS[3] !== inS[3]) ctx.fail(`output has ${outS[3]} channels, input has ${inS[3]}`);
      ctx.spatial(node.options, node.options.filterH, node.options.filterW, 1, 1);
    },
    outputShapes(graph, node) {
      const input = shapeOf(graph, node.inputs[0], `${node.op} input 0`);
      const o = node.options;
      const h = convOutputSize(dim(input, 1), o.filterH, o.strideH, o.padding);
      const w = convOutputSize(dim(input, 2), o.filterW, o.strideW, o.padding);
      return [[dim(input, 0), h, w, dim(input, 3)]];
    },
    window: (node) => ({
      fh: node.options.filterH,
      fw: node.options.filterW,
      sh: node.options.strideH,
      sw: node.options.strideW,
      dh: 1,
      dw: 1,
    }),
    describe(node) {
      const o = node.options;
      return `${o.filterH}x${o.filterW} s${o.strideH} ${o.padding}${activationText(o.activation)}`;
    },
    prepare: poolParams,
    tflite: {
      code,
      options: OPTIONS.Pool2DOptions,
      read: (o, ctx) => ({
        padding: ctx.padding(o, POOL.padding),
        strideH: o?.i32(POOL.strideH, "stride_h") ?? 0,
        strideW: o?.i32(POOL.strideW, "stride_w") ?? 0,
        filterH: o?.i32(POOL.filterH, "filter_height") ?? 0,
        filterW: o?.i32(POOL.filterW, "filter_width") ?? 0,
        activation: ctx.activation(o, POOL.activation),
      }),
      write: (o) => [
        paddingField(POOL.padding, o.padding),
        i32(POOL.strideW, o.strideW),
        i32(POOL.strideH, o.strideH),
        i32(POOL.filterW, o.filterW),
        i32(POOL.filterH, o.filterH),
        activationField(POOL.activation, o.activation),
      ],
    },
  };
}

/** AVERAGE_POOL_2D. */
export const AVERAGE_POOL_2D: OpDef<"AVERAGE_POOL_2D"> = { ...pool(1) };
/** MAX_POOL_2D. */
export const MAX_POOL_2D: OpDef<"MAX_POOL_2D"> = { ...pool(17) };
