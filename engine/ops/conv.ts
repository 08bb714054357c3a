/**
 * CONV_2D and DEPTHWISE_CONV_2D: inputs [input (NHWC), filter, bias (int32) or -1]; the filter
 * is OHWI for CONV_2D and 1HW(C*M) for DEPTHWISE_CONV_2D.
 *
 * @module
 */
import type { Conv2DOptions, Graph, NodeOf } from "../ir/mod.ts";
import { convParams } from "../quant/mod.ts";
import type { CheckContext } from "./_check.ts";
import { shapeText } from "./_check.ts";
import { dim, macShape, shapeOf } from "./_shape_util.ts";
import type { OpDef, OptionField, OptionsIn, OptionsReadContext } from "./op_def.ts";
import { convOutputSize } from "./geometry.ts";
import { activationField, i32, OPTIONS, paddingField } from "./tflite_options.ts";
import { elementCount } from "../ir/mod.ts";

/** Field slots of `Conv2DOptions`. */
const CONV = { padding: 0, strideW: 1, strideH: 2, activation: 3, dilationW: 4, dilationH: 5 };

/** Field slots of `DepthwiseConv2DOptions`. */
const DEPTHWISE = {
  padding: 0,
  strideW: 1,
  strideH: 2,
  depthMultiplier: 3,
  activation: 4,
  dilationW: 5,
  dilationH: 6,
};

type ConvOp = "CONV_2D" | "DEPTHWISE_CONV_2D";
type Slots = typeof CONV | typeof DEPTHWISE;

/** The window fields both option tables share (same names in both). */
function readWindow(o: OptionsIn | undefined, S: Slots, ctx: OptionsReadContext): Conv2DOptions {
  return {
    padding: ctx.padding(o, S.padding),
    strideH: o?.i32(S.strideH, "stride_h") ?? 0,
    strideW: o?.i32(S.strideW, "stride_w") ?? 0,
    dilationH: o?.i32(S.dilationH, "dilation_h_factor", 1) ?? 1,
    dilationW: o?.i32(S.dilationW, "dilation_w_factor", 1) ?? 1,
    activation: ctx.activation(o, S.activation),
  };
}

function outputShapes(graph: Graph, node: NodeOf<ConvOp>): number[][] {
  const input = shapeOf(graph, node.inputs[0], `${node.op} input 0`);
  const filter = shapeOf(graph, node.inputs[1], `${node.op} filter`);
  const o = node.options;
  const h = convOutputSize(dim(input, 1), dim(filter, 1), o.strideH, o.padding, o.dilationH);
  const w = convOutputSize(dim(input, 2), dim(filter, 2), o.strideW, o.padding, o.dilationW);
  const c = node.op === "CONV_2D" ? dim(filter, 0) : dim(filter, 3);
  return [[dim(input, 0), h, w, c]];
}

function window(node: NodeOf<ConvOp>) {
  const o = node.options;
  return { fh: 0, fw: 0, sh: o.strideH, sw: o.strideW, dh: o.dilationH, dw: o.dilationW };
}

function describe(node: NodeOf<ConvOp>, graph: Graph): string {
  const f = graph.tensors[node.inputs[1] ?? -1]?.shape ?? [];
  const o = node.options;
  const s = o.strideH === o.strideW ? `s${o.strideH}` : `s${o.strideH}x${o.strideW}`;
  const d = o.dilationH !== 1 || o.dilationW !== 1 ? ` d${o.dilationH}x${o.dilationW}` : "";
  return `${f[1] ?? "?"}x${f[2] ?? "?"} ${s}${d} ${o.padding}${activationText(o.activation)}`;
}

/** A fused activation as a suffix (" RELU6"), "" for none. */
export function activationText(a: string): string {
  return a === "NONE" ? "" : ` ${a}`;
}

/** The constant filter (input 1) of a convolution, after requiring rank 4 of it, the input and the output. */
function rank4Filter(ctx: CheckContext) {
  const w = ctx.constant(1, "filter");
  ctx.rank(ctx.input, 4, "input");
  ctx.rank(w, 4, "filter");
  ctx.rank(ctx.output, 4, "output");
  return w;
}

function checkConv(ctx: CheckContext, node: NodeOf<"CONV_2D">): void {
  const { inS, outS } = ctx;
  const w = rank4Filter(ctx);
  const [oc, kh, kw, ic] = w.shape as [number, number, number, number];
  if (ic < 1 || inS[3]! % ic !== 0) {
    ctx.fail(`input has ${inS[3]} channels, which the filter's ${ic} input channels do not divide`);
  }
  if (outS[3] !== oc) ctx.fail(`output has ${outS[3]} channels, but the filter has ${oc}`);
  ctx.perChannel(w, 0, "filter");
  ctx.spatial(node.options, kh, kw, node.options.dilationH, node.options.dilationW);
  ctx.bias(oc);
}

function checkDepthwise(ctx: CheckContext, node: NodeOf<"DEPTHWISE_CONV_2D">): void {
  const { inS, outS } = ctx;
  const w = rank4Filter(ctx);
  const [one, kh, kw, oc] = w.shape as [number, number, number, number];
  if (one !== 1) ctx.fail(`filter shape ${shapeText(w.shape)} must start with 1`);
  if (outS[3] !== oc) ctx.fail(`output has ${outS[3]} channels, but the filter has ${oc}`);
  if (inS[3]! < 1 || oc % inS[3]! !== 0) {
    ctx.fail(`filter has ${oc} channels, not a multiple of the input's ${inS[3]}`);
  }
  ctx.perChannel(w, 3, "filter");
  ctx.spatial(node.options, kh, kw, node.options.dilationH, node.options.dilationW);
  ctx.bias(oc);
}

/** What CONV_2D and DEPTHWISE_CONV_2D share: operands, shapes, window, text and parameters. */
const CONV_FAMILY = {
  inputs: [2, 3],
  optionalInputs: [2],
  outputShapes,
  trainable: { foldedBatchNorm: true },
  window,
  describe,
  prepare: convParams,
} as const;

/** CONV_2D. */
export const CONV_2D: OpDef<"CONV_2D"> = {
  ...CONV_FAMILY,
  check: checkConv,
  macs(graph, node) {
    const filter = macShape(graph, node.inputs[1]);
    const out = elementCount(macShape(graph, node.outputs[0]));
    return out * (filter[1] ?? 1) * (filter[2] ?? 1) * (filter[3] ?? 1);
  },
  tflite: {
    code: 3,
    options: OPTIONS.Conv2DOptions,
    read: (o, ctx) => readWindow(o, CONV, ctx),
    write: (o): OptionField[] => [
      paddingField(CONV.padding, o.padding),
      i32(CONV.strideW, o.strideW),
      i32(CONV.strideH, o.strideH),
      activationField(CONV.activation, o.activation),
      i32(CONV.dilationW, o.dilationW, 1),
      i32(CONV.dilationH, o.dilationH, 1),
    ],
  },
};

/** DEPTHWISE_CONV_2D. */
export const DEPTHWISE_CONV_2D: OpDef<"DEPTHWISE_CONV_2D"> = {
  ...CONV_FAMILY,
  check: checkDepthwise,
  macs(graph, node) {
    const filter = macShape(graph, node.inputs[1]);
    const out = elementCount(macShape(graph, node.outputs[0]));
    return out * (filter[1] ?? 1) * (filter[2] ?? 1);
  },
  tflite: {
    code: 4,
    options: OPTIONS.DepthwiseConv2DOptions,
    read: (o, ctx) => {
      const { padding, strideH, strideW, dilationH, dilationW, activation } = readWindow(
        o,
        DEPTHWISE,
        ctx,
      );
      // Field order of the IR record as the reader has always built it.
      return {
        padding,
        strideH,
        strideW,
        dilationH,
        dilationW,
        depthMultiplier: o?.i32(DEPTHWISE.depthMultiplier, "depth_multiplier") ?? 0,
        activation,
      };
    },
    write: (o): OptionField[] => [
      paddingField(DEPTHWISE.padding, o.padding),
      i32(DEPTHWISE.strideW, o.strideW),
      i32(DEPTHWISE.strideH, o.strideH),
      i32(DEPTHWISE.depthMultiplier, o.depthMultiplier),
      activationField(DEPTHWISE.activation, o.activation),
      i32(DEPTHWISE.dilationW, o.dilationW, 1),
      i32(DEPTHWISE.dilationH, o.dilationH, 1),
    ],
  },
};
