/**
 * Pooling and reductions: AVERAGE_POOL_2D and MAX_POOL_2D (window clipped to the input, TFLite's
 * rounding average), MEAN over any axes (int32 sums in scratch, then TFLite's requantization),
 * and SOFTMAX (TFLite's fixed-point path; the exponentials of the 256 possible differences are a
 * compile-time table from the reference arithmetic).
 *
 * @module
 */
import {
  expOnNegativeValues,
  meanParams,
  multiplyByQuantizedMultiplierGreaterThanOne,
  rescale,
  softmaxParams,
} from "../../../quant/mod.ts";
import {
  elementCount,
  int32Data,
  type MeanNode,
  type Pool2DOptions,
  type SoftmaxNode,
} from "../../../ir/mod.ts";
import type { Layer, Lowered } from "../../../schedule/mod.ts";
import { type EmitContext, layerCall, type LayerKernel } from "./types.ts";
import { clampOf, closeBraces, dim, multiplierArgs, nhwc, tensorOf } from "./util.ts";

/** AVERAGE_POOL_2D and MAX_POOL_2D. */
export function poolTemplate(lowered: Lowered, layer: Layer): LayerKernel {
  const input = tensorOf(lowered, layer.inputs[0], "input");
  const output = tensorOf(lowered, layer.outputs[0], "output");
  const [n, h, w, c] = nhwc(input.shape);
  const [, ho, wo] = nhwc(output.shape);
  const o = layer.node.options as Pool2DOptions;
  const pad = layer.pad ?? { top: 0, bottom: 0, left: 0, right: 0 };
  const avg = layer.op === "AVERAGE_POOL_2D";
  return {
    scratchBytes: 0,
    variant: `${avg ? "avg" : "max"}pool ${o.filterH}x${o.filterW} s${o.strideH}`,
    emit(ctx) {
      const geo = [
        n,
        h,
        w,
        c,
        ho,
        wo,
        o.filterH,
        o.filterW,
        o.strideH,
        o.strideW,
        pad.top,
        pad.left,
      ];
      const fn = ctx.kernel(`${avg ? "avgpool" : "maxpool"}_${geo.join("_")}`, (name) =>
        [
          `TE_KERNEL void ${name}(const int8_t *in, int8_t *out, int32_t lo, int32_t hi) {`,
          `  for (int32_t b = 0; b < ${n}; b++)`,
          `  for (int32_t oy = 0; oy < ${ho}; oy++) {`,
          `    int32_t y0 = oy * ${o.strideH} - ${pad.top};`,
          `    int32_t fy0 = y0 < 0 ? -y0 : 0, fy1 = ${h} - y0 < ${o.filterH} ? ${h} - y0 : ${o.filterH};`,
          `    for (int32_t ox = 0; ox < ${wo}; ox++) {`,
          `      int32_t x0 = ox * ${o.strideW} - ${pad.left};`,
          `      int32_t fx0 = x0 < 0 ? -x0 : 0, fx1 = ${w} - x0 < ${o.filterW} ? ${w} - x0 : ${o.filterW};`,
          `      int8_t *dst = out + ((b * ${ho} + oy) * ${wo} + ox) * ${c};`,
          `      for (int32_t ch = 0; ch < ${c}; ch++) {`,
          avg ? `        int32_t acc = 0, count = 0;` : `        int32_t acc = -128;`,
          `        for (int32_t fy = fy0; fy < fy1; fy++)`,
          `          for (int32_t fx = fx0; fx < fx1; fx++) {`,
          `            int32_t v = in[((b * ${h} + y0 + fy) * ${w} + x0 + fx) * ${c} + ch];`,
          avg ? `            acc += v; count++;` : `            acc = v > acc ? v : acc;`,
          `          }`,
          avg
            ? `        acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;`
            : "",
          `        dst[ch] = te_clamp8(acc, lo, hi);`,
          ...closeBraces(3),
        ].filter((l) => l !== "").join("\n"));
      const cl = clampOf(layer);
      return layerCall(
        ctx,
        layer,
        fn,
        ctx.param("act_min", cl.min),
        ctx.param("act_max", cl.max),
      );
    },
  };
}

/** MEAN over constant axes. */
export function meanTemplate(lowered: Lowered, layer: Layer): LayerKernel {
  const { graph } = lowered;
  const input = tensorOf(lowered, layer.inputs[0], "input");
  const axesT = tensorOf(lowered, layer.inputs[1], "axes");
  const node = { ...layer.node, inputs: layer.inputs, outputs: layer.outputs } as MeanNode;
  const p = meanParams({ ...graph, nodes: [] }, node, int32Data(axesT));
  const shape = input.shape;
  const reduced = new Set(p.axes);
  const strides = new Array<number>(shape.length).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (!reduced.has(i)) {
      strides[i] = s;
      s *= shape[i]!;
    }
  }
  const outCount = s;
  // Fast path: NHWC mean over H and W.
  const spatial = shape.length === 4 && p.axes.join() === "1,2";
  return {
    scratchBytes: spatial ? 0 : outCount * 4,
    variant: spatial ? "mean hw" : "mean generic",
    emit(ctx) {
      const inP = ctx.ptr(layer.inputs[0]!);
      const outP = ctx.ptr(layer.outputs[0]!);
      const inSum = ctx.param("in_zp_sum", p.inputZeroPoint * p.count, "input zero point * count");
      const [mult, shift] = multiplierArgs(ctx, "out", p.multiplier, p.shift);
      const outZp = ctx.param("out_zp", p.outputZeroPoint);
      const fin = (acc: string) =>
        `te_clamp8(te_mbqm(${acc} - ${inSum}, ${mult}, ${shift}) + ${outZp}, -128, 127)`;
      if (spatial) {
        const [n, h, w, c] = [dim(shape, 0), dim(shape, 1), dim(shape, 2), dim(shape, 3)];
        return `for (int32_t b = 0; b < ${n}; b++) for (int32_t ch = 0; ch < ${c}; ch++) {
    const int8_t *src = ${inP} + b * ${h * w * c} + ch; int32_t acc = 0;
    for (int32_t i = 0; i < ${h * w}; i++) { acc += src[0]; src += ${c}; }
    ${outP}[b * ${c} + ch] = ${fin("acc")};
  }`;
      }
      const loops: string[] = [];
      shape.forEach((d, k) => loops.push(`for (int32_t i${k} = 0; i${k} < ${d}; i${k}++)`));
      const inIdx: string[] = [];
      let st = 1;
      for (let k = shape.length - 1; k >= 0; k--) {
        inIdx.unshift(`i${k} * ${st}`);
        st *= shape[k]!;
      }
      const outIdx =
        strides.map((v, k) => (v ? `i${k} * ${v}` : "")).filter((t) => t).join(" + ") || "0";
      return `{ int32_t *sums = (int32_t *)${ctx.scratch}; memset(sums, 0, ${outCount * 4});
    ${loops.join(" ")} sums[${outIdx}] += ${inP}[${inIdx.join(" + ") || "0"}];
    for (int32_t i = 0; i < ${outCount}; i++) ${outP}[i] = ${fin("sums[i]")};
  }`;
    },
  };
}

/** C helpers of the softmax kernels (gemmlowp fixed point, ported from the reference). */
export const SOFTMAX_HELPERS = `TE_INLINE int32_t te_sat_mul_pot(int32_t x, int32_t e) {
  int32_t thr = (int32_t)((1u << (31 - e)) - 1u);
  if (x > thr) return INT32_MAX;
  if (x < -thr) return INT32_MIN;
  return (int32_t)((uint32_t)x << e);
}
TE_INLINE int32_t te_rdbpot_wide(int32_t x, int32_t e) {
  int32_t mask = e >= 32 ? -1 : (int32_t)((1u << e) - 1u);
  int32_t rem = x & mask;
  int32_t thr = (mask >> 1) + (x < 0);
  return (x >> (e & 31)) + (rem > thr);
}
static int32_t te_one_over_one_plus_x(int32_t a) {
  int64_t sum = (int64_t)a + INT32_MAX;
  int32_t half = (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
  int32_t x = 1515870810 + te_srdhm(half, -1010580540);
  for (int i = 0; i < 3; i++) {
    int32_t hx = te_srdhm(half, x);
    int32_t om = (int32_t)((uint32_t)(1 << 29) - (uint32_t)hx);
    x = (int32_t)((uint32_t)x + (uint32_t)te_sat_mul_pot(te_srdhm(x, om), 2));
  }
  return te_sat_mul_pot(x, 1);
}
`;

/**
 * The C lines both softmax kernels open a row with: its maximum `mx`, then `sum`, the Q12 sum of
 * `resc[mx - x]` (the rescaled exponentials) over the values within `diff_min` of it.
 */
export const SOFTMAX_ROW_SUM: readonly string[] = [
  `  for (int32_t r = 0; r < rows; r++, in += depth, out += depth) {`,
  `    int32_t mx = -128;`,
  `    for (int32_t c = 0; c < depth; c++) mx = in[c] > mx ? in[c] : mx;`,
  `    uint32_t sum = 0;`,
  `    for (int32_t c = 0; c < depth; c++) { int32_t d = in[c] - mx; if (d >= diff_min) sum += (uint32_t)resc[-d]; }`,
];

/** The named row-count and row-length arguments of a softmax kernel call. */
export function softmaxRowArgs(ctx: EmitContext, rows: number, depth: number): string[] {
  return [ctx.param("rows", rows), ctx.param("depth", depth)];
}

/** SOFTMAX (int8 in, int8 out with scale 1/256 and zero point -128). */
export function softmaxTemplate(lowered: Lowered, layer: Layer): LayerKernel {
  const { graph } = lowered;
  const input = tensorOf(lowered, layer.inputs[0], "input");
  const depth = dim(input.shape, input.shape.length - 1);
  const rows = elementCount(input.shape) / depth;
  return {
    scratchBytes: 0,
    variant: "softmax",
    emit(ctx) {
      const node = { ...layer.node, inputs: layer.inputs, outputs: layer.outputs } as SoftmaxNode;
      const p = softmaxParams({ ...graph, nodes: [] }, node);
      const exps = new Int32Array(256);
      const resc = new Int32Array(256);
      for (let d = 0; d < 256; d++) {
        if (-d < p.diffMin) continue;
        const r = multiplyByQuantizedMultiplierGreaterThanOne(
          -d,
          p.inputMultiplier,
          p.inputLeftShift,
        );
        exps[d] = expOnNegativeValues(r, 5);
        resc[d] = rescale(exps[d]!, 0, 12);
      }
      const eP = ctx.consts.int32(exps, "exp_table");
      const rP = ctx.consts.int32(resc, "rescale_table");
      const helpers = ctx.kernel("softmax_helpers", () => SOFTMAX_HELPERS);
      void helpers;
      const fn = ctx.kernel("softmax", (name) =>
        [
          `TE_KERNEL void ${name}(const int8_t *in, int8_t *out, int32_t rows, int32_t depth, const int32_t *exps, const int32_t *resc, int32_t diff_min) {`,
          ...SOFTMAX_ROW_SUM,
          `    int32_t h = __builtin_clz(sum);`,
          `    int32_t recip = te_one_over_one_plus_x((int32_t)((sum << h) - 0x80000000u));`,
          `    int32_t e = 12 - h + 31 - 8;`,
          `    for (int32_t c = 0; c < depth; c++) {`,
          `      int32_t d = in[c] - mx;`,
          `      out[c] = d >= diff_min ? te_clamp8(te_rdbpot_wide(te_srdhm(recip, exps[-d]), e) - 128, -128, 127) : -128;`,
          ...closeBraces(2),
        ].join("\n"));
      return layerCall(
        ctx,
        layer,
        fn,
        ...softmaxRowArgs(ctx, rows, depth),
        eP,
        rP,
        ctx.param("diff_min", Math.max(p.diffMin, -256)),
      );
    },
  };
}
