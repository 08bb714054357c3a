/**
 * Depthwise convolution, any kernel size, stride, dilation, padding and depth multiplier, in place
 * or not. Channel by channel: the input channel's plane is gathered (with its padding, filled with
 * the input zero point) into the scratch region, then every output of that channel is computed
 * from the copy and written into the output tensor. Because a channel's input is fully copied
 * before any of its outputs is written, the output may occupy the input's storage (in-place,
 * NHWC with the same channel count: output channel c only overwrites input channel c; a stride-2
 * output simply fills the front of the buffer). Shapes, taps and offsets are baked in per key.
 *
 * @module
 */
import type { DepthwiseConv2DNode } from "../../../ir/mod.ts";
import { convParams } from "../../../quant/mod.ts";
import type { Layer, Lowered } from "../../../schedule/mod.ts";
import { doubles, layerRequant, requantExpr, requantLoad, zeroSplit } from "./requant.ts";
import { layerCall, type LayerKernel } from "./types.ts";
import {
  closeBraces,
  constInt32OrZero,
  constInt8,
  nhwc,
  onePixelLines,
  packRows,
  requantArgs,
  tensorOf,
  weightedTensors,
  windowKey,
} from "./util.ts";

/** Filter 1HW(CM) rearranged to [CM][H*W] and the input-offset-folded bias. */
export function packDepthwiseWeights(
  w: Int8Array,
  taps: number,
  channels: number,
  bias: Int32Array,
  inputOffset: number,
): { packed: Int8Array; bias: Int32Array } {
  return packRows((c, t) => w[t * channels + c]!, channels, taps, taps, bias, inputOffset);
}

/**
 * Register and half of each single (unpaired) tap: singles are packed two per register (bottom
 * half, then top half) so the row sums need fewer registers; `undefined` for pair terms.
 */
export function singleSlots(
  terms: readonly { readonly pair: boolean }[],
): ({ reg: string; half: "b" | "t" } | undefined)[] {
  let j = 0;
  return terms.map((t) => {
    if (t.pair) return undefined;
    const slot = { reg: `s${j >> 1}`, half: (j & 1 ? "t" : "b") as "b" | "t" };
    j++;
    return slot;
  });
}

/** `acc + (bottom half of v) * (single tap i)` as one SMLAxy (`v` an int32 C expression). */
export function singleMac(
  terms: readonly { readonly pair: boolean }[],
  i: number,
  v: string,
  acc: string,
  vHalf: "b" | "t" = "b",
): string {
  const slot = singleSlots(terms)[i]!;
  return `${acc} = __smla${vHalf}${slot.half}(${v}, ${slot.reg}, ${acc});`;
}

/**
 * The tap sums of two horizontally adjacent outputs (`a0` at output column 0, `a1` at column 1)
 * for stride 1 or 2, dilation 1 and an odd kernel width. Stride 1: each kernel row's SMLAD pairs
 * load their own words, and the last (single) tap's word holds both outputs' values (bottom half
 * for `a0`, top for `a1`). Stride 2: `a1`'s pair words start 2 columns on, so the word of `a0`'s
 * single tap is also `a1`'s first pair word (one load), and `a1`'s single tap is a halfword (no
 * read past the last column). `rowBase` is the C pointer expression of the kernel row's first
 * column; `k<i>` the pair weights, singles as in {@link singleSlots}.
 */
export function twoOutputSum(
  terms: readonly { readonly kx: number; readonly pair: boolean; readonly rowBase: string }[],
  stride = 1,
): string[] {
  if (stride === 2) {
    return terms.map((t, i) =>
      t.pair
        ? `a0 = __smlad(te_ld32(${t.rowBase} + ${t.kx}), k${i}, a0); a1 = __smlad(te_ld32(${t.rowBase} + ${
          t.kx + 2
        }), k${i}, a1);`
        : `${singleMac(terms, i, `te_ld32(${t.rowBase} + ${t.kx})`, "a0")} ${
          singleMac(terms, i, `(int32_t)(${t.rowBase})[${t.kx + 2}]`, "a1")
        }`
    );
  }
  return terms.map((t, i) =>
    t.pair
      ? `a0 = __smlad(te_ld32(${t.rowBase} + ${t.kx}), k${i}, a0); a1 = __smlad(te_ld32(${t.rowBase} + ${
        t.kx + 1
      }), k${i}, a1);`
      : `{ const int32_t v = te_ld32(${t.rowBase} + ${t.kx}); ${singleMac(terms, i, "v", "a0")} ${
        singleMac(terms, i, "v", "a1", "t")
      } }`
  );
}

/** Whether two adjacent outputs share loads ({@link twoOutputSum}): stride 1 or 2, odd width. */
export function pairsOutputs(strideW: number, dilationW: number, kw: number, wo: number): boolean {
  return (strideW === 1 || strideW === 2) && dilationW === 1 && kw % 2 === 1 && wo >= 2;
}

/**
 * C declarations of the term weights from `wk`: pairs `k<i>` as two int16 halves, singles two per
 * register (see {@link singleSlots}); doubled when `doubled` (the kernel then accumulates twice
 * the sum, see `requantExpr`).
 */
export function tapWeights(
  terms: readonly { readonly pair: boolean; readonly taps: readonly number[] }[],
  doubled: boolean,
): string[] {
  const v = (t: number) => doubled ? `(wk[${t}] * 2)` : `wk[${t}]`;
  const halves = (a: string, b: string) =>
    `(int32_t)(((uint32_t)(uint16_t)${a}) | ((uint32_t)${b} << 16))`;
  const out: string[] = [];
  terms.forEach((t, i) => {
    if (t.pair) out.push(`const int32_t k${i} = ${halves(v(t.taps[0]!), v(t.taps[1]!))};`);
  });
  const singles = terms.filter((t) => !t.pair).map((t) => t.taps[0]!);
  for (let j = 0; j < singles.length; j += 2) {
    out.push(
      `const int32_t s${j >> 1} = ${
        j + 1 < singles.length ? halves(v(singles[j]!), v(singles[j + 1]!)) : v(singles[j]!)
      };`,
    );
  }
  return out;
}

/**
 * The term weights of every channel prepacked at compile time as the words {@link tapWeights}
 * builds (pairs, then singles two per word; doubled when `doubled`), `tapWordCount` per channel:
 * a kernel loads them with plain word loads instead of repacking bytes per output row.
 */
export function packTapWords(
  packed: Int8Array,
  taps: number,
  channels: number,
  terms: readonly { readonly pair: boolean; readonly taps: readonly number[] }[],
  doubled: boolean,
): Int32Array {
  const n = tapWordCount(terms);
  const out = new Int32Array(channels * n);
  const d = doubled ? 2 : 1;
  const halves = (a: number, b: number) => ((a * d) & 0xffff) | ((b * d) << 16);
  for (let c = 0; c < channels; c++) {
    const w = (t: number) => packed[c * taps + t]!;
    let j = c * n;
    for (const t of terms) if (t.pair) out[j++] = halves(w(t.taps[0]!), w(t.taps[1]!));
    const singles = terms.filter((t) => !t.pair).map((t) => w(t.taps[0]!));
    for (let i = 0; i < singles.length; i += 2) {
      out[j++] = i + 1 < singles.length ? halves(singles[i]!, singles[i + 1]!) : singles[i]! * d;
    }
  }
  return out;
}

/** Words per channel of {@link packTapWords}. */
export function tapWordCount(terms: readonly { readonly pair: boolean }[]): number {
  const singles = terms.filter((t) => !t.pair).length;
  return terms.length - singles + Math.ceil(singles / 2);
}

/** C declarations of the term weights from the prepacked words at `wk` ({@link packTapWords}). */
export function tapWordLoads(terms: readonly { readonly pair: boolean }[]): string[] {
  const out: string[] = [];
  let j = 0;
  terms.forEach((t, i) => {
    if (t.pair) out.push(`const int32_t k${i} = wk[${j++}];`);
  });
  const singles = terms.length - j;
  for (let m = 0; m < Math.ceil(singles / 2); m++) out.push(`const int32_t s${m} = wk[${j++}];`);
  return out;
}

/** A depthwise layer's tensors, NHWC sizes, filter size, depth multiplier, options and padding. */
function depthwiseGeometry(lowered: Lowered, layer: Layer) {
  const node = layer.node as DepthwiseConv2DNode;
  const { input, filter, biasT } = weightedTensors(lowered, layer);
  const output = tensorOf(lowered, layer.outputs[0], "output");
  const [n, h, w, c] = nhwc(input.shape);
  const [, ho, wo, cm] = nhwc(output.shape);
  const [, kh, kw] = nhwc(filter.shape);
  const pad = layer.pad ?? { top: 0, bottom: 0, left: 0, right: 0 };
  return { node, filter, biasT, n, h, w, c, ho, wo, cm, kh, kw, m: cm / c, o: node.options, pad };
}

/** DEPTHWISE_CONV_2D template. */
export function depthwiseTemplate(lowered: Lowered, layer: Layer, direct = false): LayerKernel {
  const { graph } = lowered;
  const { node, filter, biasT, n, h, w, c, ho, wo, cm, kh, kw, m, o, pad } = depthwiseGeometry(
    lowered,
    layer,
  );
  const hn = (ho - 1) * o.strideH + (kh - 1) * o.dilationH + 1;
  const wn = (wo - 1) * o.strideW + (kw - 1) * o.dilationW + 1;
  const taps = kh * kw;
  /** Taps as SMLAD pairs (adjacent columns, dilation 1) and single MLA taps. */
  const terms: { offset: number; kx: number; pair: boolean; taps: number[] }[] = [];
  for (let ky = 0; ky < kh; ky++) {
    let kx = 0;
    for (; o.dilationW === 1 && kx + 1 < kw; kx += 2) {
      terms.push({
        offset: ky * o.dilationH * wn + kx,
        kx,
        pair: true,
        taps: [ky * kw + kx, ky * kw + kx + 1],
      });
    }
    for (; kx < kw; kx++) {
      terms.push({
        offset: ky * o.dilationH * wn + kx * o.dilationW,
        kx,
        pair: false,
        taps: [ky * kw + kx],
      });
    }
  }
  if (direct && !layer.inPlace) return depthwiseDirect(lowered, layer);
  // Two outputs per iteration share loads (stride 1 or 2, dilation 1, odd width).
  const pairOut = pairsOutputs(o.strideW, o.dilationW, kw, wo);
  return {
    scratchBytes: hn * wn * 2,
    variant: `depthwise ${kh}x${kw} s${o.strideH}${layer.inPlace ? " in-place" : ""}`,
    emit(ctx) {
      const p = convParams({ ...graph, nodes: [] }, {
        ...node,
        inputs: layer.inputs,
        outputs: layer.outputs,
      });
      const packed = packDepthwiseWeights(
        constInt8(filter),
        taps,
        cm,
        constInt32OrZero(biasT, cm),
        p.inputOffset,
      );
      // Taps stay int8 in Flash; pairs are packed into registers once per channel.
      const { rq, cl, cm: cmode } = layerRequant(p, packed.bias, taps, true, layer);
      const wP = ctx.consts.int8(packed.packed, "weight");
      const bP = ctx.consts.int32(rq.bias, "bias");
      const qP = ctx.consts.int32(rq.table, "mult");
      const geo = [
        h,
        w,
        c,
        m,
        ho,
        wo,
        ...windowKey(kh, kw, o, pad),
        rq.zero ? `${rq.mode}z` : rq.mode,
        cmode,
      ];
      const wcopy = Math.max(0, Math.min(w, wn - pad.left));
      const right = Math.max(0, wn - pad.left - wcopy);
      const leftFill = Math.min(pad.left, wn);
      const dbl = doubles(rq.mode);
      const loadTaps = tapWeights(terms, dbl);
      const sum = terms.map((t, i) =>
        t.pair
          ? `acc = __smlad(te_ld32(p + ${t.offset}), k${i}, acc);`
          : singleMac(terms, i, `(int32_t)p[${t.offset}]`, "acc")
      );
      const oyLoop = (rx: (acc: string) => string) =>
        [
          `      for (int32_t oy = 0; oy < ${ho}; oy++) {`,
          `        const int16_t *r = t + oy * ${o.strideH * wn};`,
          pairOut
            ? [
              `        int32_t ox = 0;`,
              `        for (; ox + 2 <= ${wo}; ox += 2) {`,
              `          const int16_t *p = r + ox * ${o.strideW};`,
              `          int32_t a0 = b, a1 = b;`,
              `          ${
                twoOutputSum(
                  terms.map((t) => ({ ...t, rowBase: `p + ${t.offset - t.kx}` })),
                  o.strideW,
                ).join(" ")
              }`,
              `          o[0] = ${rx("a0")}; o[${cm}] = ${rx("a1")};`,
              `          o += ${2 * cm};`,
              `        }`,
              `        if (ox < ${wo}) {`,
              ...onePixelLines(
                `const int16_t *p = r + ox * ${o.strideW};`,
                sum.join(" "),
                rx("acc"),
                cm,
              ),
              `        }`,
            ].join("\n")
            : [
              `        for (int32_t ox = 0; ox < ${wo}; ox++) {`,
              ...onePixelLines(
                `const int16_t *p = r + ox * ${o.strideW};`,
                sum.join(" "),
                rx("acc"),
                cm,
              ),
              `        }`,
            ].join("\n"),
          `      }`,
        ].join("\n");
      const fn = ctx.kernel(`dw_${geo.join("_")}`, (name) =>
        [
          `TE_KERNEL void ${name}(const int8_t *in, int8_t *out, const int8_t *w, const int32_t *bias, const int32_t *q, int32_t zp_in, int32_t zp, int32_t lo, int32_t hi, int8_t *scratch) {`,
          `  (void)zp; (void)lo; (void)hi;`,
          `  int16_t *t = (int16_t *)scratch;`,
          `  for (int32_t c = 0; c < ${c}; c++) {`,
          `    int16_t *d = t;`,
          `    for (int32_t y = 0; y < ${hn}; y++) {`,
          `      int32_t iy = y - ${pad.top};`,
          `      if (iy < 0 || iy >= ${h}) { for (int32_t x = 0; x < ${wn}; x++) *d++ = zp_in; continue; }`,
          `      const int8_t *s = in + iy * ${w * c} + c;`,
          leftFill > 0 ? `      for (int32_t x = 0; x < ${leftFill}; x++) *d++ = zp_in;` : "",
          wcopy > 0
            ? `      _Pragma("GCC unroll 8") for (int32_t x = 0; x < ${wcopy}; x++) { *d++ = *s; s += ${c}; }`
            : "",
          right > 0 ? `      for (int32_t x = 0; x < ${right}; x++) *d++ = zp_in;` : "",
          `    }`,
          `    for (int32_t mm = 0; mm < ${m}; mm++) {`,
          `      const int32_t oc = c * ${m} + mm;`,
          `      const int8_t *wk = w + oc * ${taps};`,
          `      ${loadTaps.join(" ")}`,
          `      const int32_t b = bias[oc]${dbl ? " * 2" : ""};`,
          `      ${requantLoad(rq.mode, "q", "oc", cm)}`,
          `      int8_t *o = out + oc;`,
          zeroSplit(rq.zero, rq.mode, cmode, dbl, oyLoop),
          ...closeBraces(2),
        ].filter((l) => l !== "").join("\n"));
      const inP = ctx.ptr(layer.inputs[0]!);
      const outP = ctx.ptr(layer.outputs[0]!);
      const args = [
        wP,
        bP,
        qP,
        ...requantArgs(ctx, -p.inputOffset, p.outputOffset, cl),
        ctx.scratch,
      ];
      if (n === 1) return { fn, args: [inP, outP, ...args] };
      return `for (int32_t b = 0; b < ${n}; b++) ${fn}(${inP} + b * ${h * w * c}, ${outP} + b * ${
        ho * wo * cm
      }, ${args.join(", ")});`;
    },
  };
}

/** Depthwise without scratch (not in place): every tap bounds-checked, padding reads as zp_in. */
function depthwiseDirect(lowered: Lowered, layer: Layer): LayerKernel {
  const { graph } = lowered;
  const { node, filter, biasT, n, h, w, c, ho, wo, cm, kh, kw, m, o, pad } = depthwiseGeometry(
    lowered,
    layer,
  );
  return {
    scratchBytes: 0,
    variant: `depthwise ${kh}x${kw} s${o.strideH} direct`,
    emit(ctx) {
      const p = convParams({ ...graph, nodes: [] }, {
        ...node,
        inputs: layer.inputs,
        outputs: layer.outputs,
      });
      const { rq, cl, cm: cmode } = layerRequant(
        p,
        constInt32OrZero(biasT, cm),
        kh * kw,
        false,
        layer,
      );
      const qP = ctx.consts.int32(rq.table, "mult");
      const geo = [
        n,
        h,
        w,
        c,
        m,
        ho,
        wo,
        ...windowKey(kh, kw, o, pad),
        rq.mode,
        cmode,
      ];
      // Valid taps only (the reference skips padding), so the bias is the original one:
      // acc = bias + sum (x - zp_in) * w over the taps inside the input. The M outputs of one
      // input channel share every input load.
      const bOrig = ctx.consts.int32(rq.bias, "bias");
      const wT = ctx.consts.int8(constInt8(filter), "weight");
      const accs = Array.from({ length: m }, (_, k) => `a${k}`);
      const fn = ctx.kernel(`dwd_${geo.join("_")}`, (name) =>
        [
          `TE_KERNEL void ${name}(const int8_t *in, int8_t *out, const int8_t *w, const int32_t *bias, const int32_t *q, int32_t zp_in, int32_t zp, int32_t lo, int32_t hi) {`,
          `  (void)zp; (void)lo; (void)hi;`,
          `  for (int32_t b = 0; b < ${n}; b++)`,
          `  for (int32_t oy = 0; oy < ${ho}; oy++) {`,
          `    const int32_t y0 = oy * ${o.strideH} - ${pad.top};`,
          `    int32_t ky0 = 0, ky1 = ${kh};`,
          `    while (ky0 < ky1 && y0 + ky0 * ${o.dilationH} < 0) ky0++;`,
          `    while (ky1 > ky0 && y0 + (ky1 - 1) * ${o.dilationH} >= ${h}) ky1--;`,
          `    for (int32_t ox = 0; ox < ${wo}; ox++) {`,
          `      const int32_t x0 = ox * ${o.strideW} - ${pad.left};`,
          `      int32_t kx0 = 0, kx1 = ${kw};`,
          `      while (kx0 < kx1 && x0 + kx0 * ${o.dilationW} < 0) kx0++;`,
          `      while (kx1 > kx0 && x0 + (kx1 - 1) * ${o.dilationW} >= ${w}) kx1--;`,
          `      int8_t *dst = out + ((b * ${ho} + oy) * ${wo} + ox) * ${cm};`,
          `      for (int32_t ch = 0; ch < ${c}; ch++) {`,
          `        int32_t ${accs.map((a, k) => `${a} = bias[ch * ${m} + ${k}]`).join(", ")};`,
          `        for (int32_t ky = ky0; ky < ky1; ky++) {`,
          `          const int8_t *src = in + ((b * ${h} + y0 + ky * ${o.dilationH}) * ${w} + x0) * ${c} + ch;`,
          `          const int8_t *wr = w + ky * ${kw * cm} + ch * ${m};`,
          `          for (int32_t kx = kx0; kx < kx1; kx++) {`,
          `            const int32_t v = src[kx * ${o.dilationW * c}] - zp_in;`,
          `            const int8_t *wk = wr + kx * ${cm};`,
          `            ${accs.map((a, k) => `${a} += v * wk[${k}];`).join(" ")}`,
          `          }`,
          `        }`,
          ...accs.map((a, k) =>
            `        { ${
              requantLoad(rq.mode, "q", `ch * ${m} + ${k}`, cm)
            } dst[ch * ${m} + ${k}] = ${requantExpr(a, rq.mode, cmode)}; }`
          ),
          ...closeBraces(3),
        ].join("\n"));
      return layerCall(
        ctx,
        layer,
        fn,
        wT,
        bOrig,
        qP,
        ...requantArgs(ctx, -p.inputOffset, p.outputOffset, cl),
      );
    },
  };
}
