/**
 * Elementwise kernels: ADD, SUB, MUL, MAXIMUM and MINIMUM (TFLite's integer paths, with NumPy
 * broadcasting through generated nested loops) and every unary int8 -> int8 operator (LOGISTIC,
 * HARD_SWISH, TANH, the RELU family, LEAKY_RELU, int8 QUANTIZE) as a 256-entry lookup table
 * computed at compile time by the reference kernel itself, so it is bit-exact by construction.
 *
 * @module
 */
import {
  type AddNode,
  elementCount,
  type MulNode,
  type Node,
  type PreluNode,
  type SquaredDifferenceNode,
  type SubNode,
} from "../../../ir/mod.ts";
import {
  addParams,
  mulParams,
  multiplyByQuantizedMultiplier,
  preluParams,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul as srdhm,
  squaredDifferenceParams,
  subParams,
} from "../../../quant/mod.ts";
import { runKernel } from "../../../reference/mod.ts";
import type { Layer, Lowered } from "../../../schedule/mod.ts";
import { FAST_ACC_LIMIT } from "./requant.ts";
import { layerCall, type LayerKernel } from "./types.ts";
import { clampOf, constInt8, multiplierArgs, requantArgs, tensorOf } from "./util.ts";

/** Strides of `shape` broadcast to `out` (0 along broadcast dimensions), right-aligned. */
export function broadcastStrides(shape: readonly number[], out: readonly number[]): number[] {
  const strides = new Array<number>(out.length).fill(0);
  let s = 1;
  for (let i = 1; i <= out.length; i++) {
    const d = shape[shape.length - i];
    if (d === undefined) break;
    strides[out.length - i] = d === 1 ? 0 : s;
    s *= d;
  }
  return strides;
}

/** Nested loops over `out` giving C index expressions for each input's strides. */
export function nestedLoops(
  out: readonly number[],
  strides: readonly (readonly number[])[],
  body: (index: string, inputs: readonly string[]) => string,
): string {
  const lines: string[] = [];
  out.forEach((d, k) =>
    lines.push(`${"  ".repeat(k + 1)}for (int32_t i${k} = 0; i${k} < ${d}; i${k}++)`)
  );
  let outStride = 1;
  const outTerms: string[] = [];
  for (let k = out.length - 1; k >= 0; k--) {
    outTerms.unshift(`i${k} * ${outStride}`);
    outStride *= out[k]!;
  }
  const idx = (s: readonly number[]) =>
    s.map((v, k) => (v === 0 ? "" : `i${k} * ${v}`)).filter((t) => t).join(" + ") || "0";
  lines.push(
    `${"  ".repeat(out.length + 1)}{ ${body(outTerms.join(" + ") || "0", strides.map(idx))} }`,
  );
  return lines.join("\n");
}

function sameLayout(a: readonly number[], b: readonly number[]): boolean {
  return elementCount(a) === elementCount(b) && broadcastStrides(a, b).every((s, k) => {
    let rest = 1;
    for (let j = k + 1; j < b.length; j++) rest *= b[j]!;
    return b[k] === 1 || s === rest;
  });
}

/**
 * ADD, SUB (ADD with the second input's multiplier negated), MUL, MAXIMUM, MINIMUM,
 * SQUARED_DIFFERENCE (per-input rescale tables, then the square requantized) and PRELU.
 */
export function binaryTemplate(lowered: Lowered, layer: Layer): LayerKernel {
  const { graph } = lowered;
  const a = tensorOf(lowered, layer.inputs[0], "first input");
  const b = tensorOf(lowered, layer.inputs[1], "second input");
  const out = tensorOf(lowered, layer.outputs[0], "output");
  const n = elementCount(out.shape);
  const flat = sameLayout(a.shape, out.shape) && sameLayout(b.shape, out.shape);
  return {
    scratchBytes: 0,
    variant: `${layer.op.toLowerCase()} ${flat ? "flat" : "broadcast"}`,
    emit(ctx) {
      const cl = clampOf(layer);
      const node = { ...layer.node, inputs: layer.inputs, outputs: layer.outputs } as Node;
      const g = { ...graph, nodes: [] };
      let expr: string;
      let pre = "";
      if (layer.op === "MAXIMUM" || layer.op === "MINIMUM") {
        expr = `o[IDX] = (int8_t)(x ${layer.op === "MAXIMUM" ? ">" : "<"} y ? x : y);`;
      } else if (layer.op === "ADD" || layer.op === "SUB") {
        const p = layer.op === "ADD"
          ? addParams(g, node as AddNode)
          : subParams(g, node as SubNode);
        // Each input's rescaled value depends on that int8 input alone: two 256-entry int32
        // tables (computed with the reference arithmetic), then one requantization of the sum.
        const table = (offset: number, m: number, shift: number) => {
          const t = new Int32Array(256);
          for (let v = -128; v < 128; v++) {
            t[v + 128] = roundingDivideByPOT(srdhm((v + offset) * 2 ** p.leftShift, m), -shift);
          }
          return t;
        };
        const r1 = table(p.input1Offset, p.input1Multiplier, p.input1Shift);
        const r2 = table(p.input2Offset, p.input2Multiplier, p.input2Shift);
        const maxAbs = (t: Int32Array) => t.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        const zp = p.outputOffset;
        const rs = -p.outputShift;
        // Fast: one SMMLAR on the doubled sum (te_rqd2; the tables hold doubled values), exact
        // for |sum| < 2^30 and a normalized multiplier with right shift 1..24.
        const fast = rs >= 1 && rs <= 24 && p.outputMultiplier >= 2 ** 30 &&
          maxAbs(r1) + maxAbs(r2) < FAST_ACC_LIMIT;
        const double = (t: Int32Array) => fast ? t.map((v) => 2 * v) : t;
        // Index by the int8 value itself: the pointers start at entry 128.
        const t1 = `(${ctx.consts.int32(double(r1), "lut_a")} + 128)`;
        const t2 = `(${ctx.consts.int32(double(r2), "lut_b")} + 128)`;
        const relu = cl.min >= zp;
        const real = (p.outputMultiplier * 2 ** (-31 - rs)).toPrecision(6);
        const mult = ctx.param("out_mult", p.outputMultiplier, `real scale ${real}`);
        const shift = ctx.param("out_rshift", rs);
        const rq = fast
          ? `te_rqd2${relu ? "r" : ""}(s, ${mult}, ${
            ctx.param("out_round", (2 ** (rs - 1) + zp * 2 ** rs) | 0, "rounding + zero point")
          }, ${shift})`
          : `te_rdbpot(te_srdhm(s, ${mult}), ${shift}) + ${ctx.param("out_zp", zp)}`;
        const clamped = cl.min === -128 && cl.max === 127
          ? `(int8_t)__ssat(${rq}, 8)`
          : `te_clamp8(${rq}, ${ctx.param("act_min", cl.min)}, ${ctx.param("act_max", cl.max)})`;
        pre = `const int32_t *t1 = ${t1}; const int32_t *t2 = ${t2};`;
        expr = `int32_t s = t1[x] + t2[y]; o[IDX] = ${clamped};`;
      } else if (layer.op === "SQUARED_DIFFERENCE") {
        const p = squaredDifferenceParams(g, node as SquaredDifferenceNode);
        // Each input's rescaled value depends on that int8 input alone: two int32 tables.
        const table = (zp: number, m: number, shift: number) =>
          Int32Array.from(
            { length: 256 },
            (_, v) => multiplyByQuantizedMultiplier((v - 128 - zp) * (1 << p.leftShift), m, shift),
          );
        const t1 = ctx.consts.int32(
          table(p.input1ZeroPoint, p.input1Multiplier, p.input1Shift),
          "lut_a",
        );
        const t2 = ctx.consts.int32(
          table(p.input2ZeroPoint, p.input2Multiplier, p.input2Shift),
          "lut_b",
        );
        pre = `const int32_t *t1 = ${t1} + 128; const int32_t *t2 = ${t2} + 128;`;
        expr =
          `int32_t d = t1[x] - t2[y]; o[IDX] = (int8_t)__ssat(te_mbqm(d * d, ${p.outputMultiplier}, ${p.outputShift}) + ${p.outputZeroPoint}, 8);`;
      } else if (layer.op === "PRELU") {
        const p = preluParams(g, node as PreluNode);
        expr =
          `int32_t v = x - ${p.inputZeroPoint}; o[IDX] = (int8_t)__ssat((v >= 0 ? te_mbqm(v, ${p.identityMultiplier}, ${p.identityShift}) : te_mbqm(v * (y - ${p.alphaZeroPoint}), ${p.alphaMultiplier}, ${p.alphaShift})) + ${p.outputZeroPoint}, 8);`;
      } else {
        const p = mulParams(g, node as MulNode);
        const [aOff, bOff] = [
          ctx.param("a_offset", p.input1Offset),
          ctx.param("b_offset", p.input2Offset),
        ];
        const [mult, shift] = multiplierArgs(ctx, "out", p.outputMultiplier, p.outputShift);
        const tail = requantArgs(ctx, undefined, p.outputOffset, cl).join(", ");
        expr =
          `o[IDX] = te_clamp8(te_mbqm((x + ${aOff}) * (y + ${bOff}), ${mult}, ${shift}) + ${tail});`;
      }
      const aP = ctx.ptr(layer.inputs[0]!);
      const bP = graph.tensors[layer.inputs[1]!]?.data
        ? ctx.consts.int8(constInt8(graph.tensors[layer.inputs[1]!]!), "operand")
        : ctx.ptr(layer.inputs[1]!);
      const aE = graph.tensors[layer.inputs[0]!]?.data
        ? ctx.consts.int8(constInt8(graph.tensors[layer.inputs[0]!]!), "operand")
        : aP;
      const oP = ctx.ptr(layer.outputs[0]!);
      // Constants differ per layer, so the loop is emitted inline (one block per layer).
      if (flat) {
        return `{ const int8_t *pa = ${aE}; const int8_t *pb = ${bP}; int8_t *o = ${oP}; ${pre}\n    for (int32_t i = 0; i < ${n}; i++) { int32_t x = pa[i], y = pb[i]; ${
          expr.replace("IDX", "i")
        } } }`;
      }
      const loops = nestedLoops(
        out.shape,
        [broadcastStrides(a.shape, out.shape), broadcastStrides(b.shape, out.shape)],
        (idx, [ia, ib]) => `int32_t x = pa[${ia}], y = pb[${ib}]; ${expr.replace("IDX", idx)}`,
      );
      return `{ const int8_t *pa = ${aE}; const int8_t *pb = ${bP}; int8_t *o = ${oP}; ${pre}\n${loops}\n  }`;
    },
  };
}

/**
 * The 256-entry table of a unary int8 operator: entry `x + 128` is the reference kernel's output
 * for input `x`.
 */
export function unaryLut(lowered: Lowered, layer: Layer, lowest = -128): Int8Array {
  const { graph } = lowered;
  const inT = tensorOf(lowered, layer.inputs[0], "input");
  const outT = tensorOf(lowered, layer.outputs[0], "output");
  // Inputs below `lowest` are outside the operator's domain (RSQRT below its zero point): the
  // reference refuses them, so their entries (never read by a valid model) stay 127.
  const count = 128 - lowest;
  const tensors = [
    { ...inT, shape: [1, count] },
    { ...outT, shape: [1, count] },
  ];
  const input = new Uint8Array(count);
  for (let i = 0; i < count; i++) input[i] = (i + lowest) & 0xff;
  const output = new Uint8Array(count);
  runKernel({
    graph: { ...graph, tensors, nodes: [], inputs: [0], outputs: [1] },
    node: { ...layer.node, inputs: [0], outputs: [1] } as Node,
    index: layer.from[0] ?? 0,
    inputs: [input],
    outputs: [output],
  });
  const lut = new Int8Array(256).fill(127);
  lut.set(new Int8Array(output.buffer), lowest + 128);
  return lut;
}

/** LOGISTIC, HARD_SWISH and int8 QUANTIZE as a table lookup. */
export function lutTemplate(lowered: Lowered, layer: Layer, lowest = -128): LayerKernel {
  const inT = tensorOf(lowered, layer.inputs[0], "input");
  const outT = tensorOf(lowered, layer.outputs[0], "output");
  if (inT.dtype !== "int8" || outT.dtype !== "int8") {
    throw new RangeError(
      `Cannot generate ${layer.op} '${outT.name}': only int8 -> int8 is supported inside the model (${inT.dtype} -> ${outT.dtype})`,
    );
  }
  const n = elementCount(outT.shape);
  return {
    scratchBytes: 0,
    variant: `${layer.op.toLowerCase()} lut`,
    emit(ctx) {
      const lut = ctx.consts.int8(unaryLut(lowered, layer, lowest), "lut");
      const fn = ctx.kernel("lut", (name) =>
        [
          `TE_KERNEL void ${name}(const int8_t *in, int8_t *out, int32_t n, const int8_t *lut) {`,
          `  for (int32_t i = 0; i < n; i++) out[i] = lut[in[i] + 128];`,
          `}`,
          ``,
        ].join("\n"));
      return layerCall(ctx, layer, fn, ctx.param("count", n), lut);
    },
  };
}
