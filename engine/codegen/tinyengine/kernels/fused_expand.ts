/**
 * The fused inverted-residual kernel (1x1 expansion + depthwise, see `fuseExpandDepthwise`):
 * expanded rows are computed on demand by the matrix kernel straight into a ring of
 * `(kh - 1) * dilation + 1` rows (each with its left/right padding columns holding the expanded
 * zero point), then every depthwise output row is computed channel by channel from the ring.
 * Each expanded row is computed exactly once; the expanded tensor is never stored whole.
 *
 * @module
 */
import type { Conv2DNode, DepthwiseConv2DNode } from "../../../ir/mod.ts";
import { convParams } from "../../../quant/mod.ts";
import { alignUp } from "../../../schedule/mod.ts";
import type { Layer, Lowered } from "../../../schedule/mod.ts";
import {
  packDepthwiseWeights,
  packTapWords,
  pairsOutputs,
  singleMac,
  tapWeights,
  tapWordCount,
  tapWordLoads,
  twoOutputSum,
} from "./depthwise.ts";
import { packMatmulWeights } from "./matmul.ts";
import { matmulFunction, matmulWsFunction, pRowBlock, WS_MAX_K4 } from "./matmul_blocks.ts";
import { doubles, layerRequant, requantLoad, zeroSplit } from "./requant.ts";
import type { LayerKernel } from "./types.ts";
import {
  closeBraces,
  constInt32OrZero,
  constInt8,
  nhwc,
  onePixelLines,
  requantArgs,
  tensorOf,
  windowKey,
} from "./util.ts";

/** Template of a depthwise layer with a fused 1x1 expansion (`layer.pre`). */
export function fusedExpandTemplate(lowered: Lowered, layer: Layer, rowBlock: number): LayerKernel {
  const { graph } = lowered;
  const pre = layer.pre!;
  const pwNode = pre.node as Conv2DNode;
  const dwNode = layer.node as DepthwiseConv2DNode;
  const input = tensorOf(lowered, pre.inputs[0], "expansion input");
  const pwFilter = tensorOf(lowered, pre.inputs[1], "expansion filter");
  const pwBias = (pre.inputs[2] ?? -1) >= 0
    ? tensorOf(lowered, pre.inputs[2], "expansion bias")
    : undefined;
  const mid = tensorOf(lowered, pre.outputs[0], "expanded");
  const dwFilter = tensorOf(lowered, layer.inputs[1], "depthwise filter");
  const dwBias = (layer.inputs[2] ?? -1) >= 0
    ? tensorOf(lowered, layer.inputs[2], "depthwise bias")
    : undefined;
  const output = tensorOf(lowered, layer.outputs[0], "output");
  const [, h, w, cin] = nhwc(input.shape);
  const [, , , cmid] = nhwc(mid.shape);
  const [, ho, wo, cout] = nhwc(output.shape);
  const [, kh, kw] = nhwc(dwFilter.shape);
  const mult = cout / cmid;
  const o = dwNode.options;
  const pad = layer.pad ?? { top: 0, bottom: 0, left: 0, right: 0 };
  const span = (kh - 1) * o.dilationH + 1;
  // Ring row (per channel, int16): every padded column the outputs can read.
  const wn = (wo - 1) * o.strideW + (kw - 1) * o.dilationW + 1;
  const wp = Math.max(wn, pad.left + w) + 1;
  const planeBytes = span * cmid * wp * 2;
  const k4 = Math.ceil(cin / 4) * 4;
  const block = Math.max(1, Math.min(pRowBlock(k4, rowBlock), w));
  const ringBytes = alignUp(planeBytes + wp * 2);
  const taps = kh * kw;
  /** Taps of one kernel row as SMLAD pairs (adjacent columns, dilation 1) and singles. */
  const terms: { ky: number; kx: number; pair: boolean; taps: number[] }[] = [];
  for (let ky = 0; ky < kh; ky++) {
    let kx = 0;
    for (; o.dilationW === 1 && kx + 1 < kw; kx += 2) {
      terms.push({ ky, kx, pair: true, taps: [ky * kw + kx, ky * kw + kx + 1] });
    }
    for (; kx < kw; kx++) terms.push({ ky, kx, pair: false, taps: [ky * kw + kx] });
  }
  return {
    scratchBytes: ringBytes + block * k4 * 2,
    variant:
      `expand k${cin} n${cmid} + depthwise ${kh}x${kw} s${o.strideH} streamed (${span}-row int16 ring)`,
    emit(ctx) {
      const g = { ...graph, nodes: [] };
      const pp = convParams(g, { ...pwNode, inputs: pre.inputs, outputs: pre.outputs });
      const pwPacked = packMatmulWeights(
        constInt8(pwFilter),
        cmid,
        cin,
        constInt32OrZero(pwBias, cmid),
        pp.inputOffset,
      );
      const { rq: pwRq, cl: pwCl, cm: pwCm } = layerRequant(pp, pwPacked.bias, cin, false, pre);
      const dp = convParams(g, {
        ...dwNode,
        inputs: [pre.outputs[0]!, ...layer.inputs.slice(1)],
        outputs: layer.outputs,
      });
      const dwPacked = packDepthwiseWeights(
        constInt8(dwFilter),
        taps,
        cout,
        constInt32OrZero(dwBias, cout),
        dp.inputOffset,
      );
      const { rq: dwRq, cl: dwCl, cm: dwCm } = layerRequant(dp, dwPacked.bias, taps, true, layer);
      const c = ctx.consts;
      const pwW = c.int8(pwPacked.packed, "pw_weight");
      const pwB = c.int32(pwRq.bias, "pw_bias");
      const pwQ = c.int32(pwRq.table, "pw_mult");
      const dbl = doubles(dwRq.mode);
      // Prepacked tap words (2 bytes per tap) only for 3x3 kernels, where they cost little Flash.
      const prepack = taps <= 9;
      const dwW = prepack
        ? c.int32(packTapWords(dwPacked.packed, taps, cout, terms, dbl), "dw_weight")
        : `((const int32_t *)${c.int8(dwPacked.packed, "dw_weight")})`;
      const dwB = c.int32(dwRq.bias, "dw_bias");
      const dwQ = c.int32(dwRq.table, "dw_mult");
      const mm = (r: number) =>
        ctx.kernel(
          `${k4 <= WS_MAX_K4 ? "mws" : "mm"}${r}_k${k4}_n${cmid}_${pwRq.mode}_${pwCm}_p${wp}`,
          (name) =>
            k4 <= WS_MAX_K4
              ? matmulWsFunction(name, r, k4, cmid, pwRq.mode, pwCm, wp)
              : matmulFunction(name, r, k4, cmid, pwRq.mode, pwCm, wp),
        );
      const full = Math.floor(w / block) * block;
      const rem = w - full;
      const mmFull = full > 0 ? mm(block) : "";
      const mmRem = rem > 0 ? mm(rem) : "";
      const zpMid = -dp.inputOffset;
      const geo = [
        h,
        w,
        cin,
        cmid,
        mult,
        ho,
        wo,
        ...windowKey(kh, kw, o, pad),
        block,
        pwRq.mode,
        pwCm,
        dwRq.zero ? `${dwRq.mode}z` : dwRq.mode,
        dwCm,
      ];
      const loadTaps = prepack ? tapWordLoads(terms) : tapWeights(terms, dbl);
      const sum = terms.map((t, i) => {
        const at = `p${t.ky}[${t.kx * o.dilationW}]`;
        return t.pair
          ? `acc = __smlad(te_ld32(&${at}), k${i}, acc);`
          : singleMac(terms, i, `(int32_t)${at}`, "acc");
      });
      const rowPtrs = Array.from(
        { length: kh },
        (_, ky) => `const int16_t *r${ky} = rows[${ky}] + c * cs[${ky}];`,
      );
      const pairOut = pairsOutputs(o.strideW, o.dilationW, kw, wo);
      const pixPtrs = Array.from(
        { length: kh },
        (_, ky) => `const int16_t *p${ky} = r${ky} + ox * ${o.strideW};`,
      );
      const fn = ctx.kernel(`xdw_${geo.join("_")}`, (name) =>
        [
          `TE_KERNEL void ${name}(const int8_t *in, int8_t *out, const int8_t *pw_w, const int32_t *pw_b, const int32_t *pw_q, int32_t pw_zp, int32_t pw_lo, int32_t pw_hi, const int32_t *w, const int32_t *bias, const int32_t *q, int32_t zp_mid, int32_t zp, int32_t lo, int32_t hi, int8_t *scratch) {`,
          `  (void)zp; (void)lo; (void)hi;`,
          `  int16_t *ring = (int16_t *)scratch;`,
          `  int16_t *zrow = ring + ${span * cmid * wp};`,
          `  int16_t *col = (int16_t *)(scratch + ${ringBytes});`,
          `  int32_t held[${span}];`,
          `  _Pragma("GCC unroll 8") for (int32_t i = 0; i < ${
            span * cmid * wp + wp
          }; i++) ring[i] = (int16_t)zp_mid;`,
          `  for (int32_t s = 0; s < ${span}; s++) held[s] = -1;`,
          `  for (int32_t oy = 0; oy < ${ho}; oy++) {`,
          `    const int16_t *rows[${kh}];`,
          `    int32_t cs[${kh}];`,
          `    for (int32_t ky = 0; ky < ${kh}; ky++) {`,
          `      int32_t iy = oy * ${o.strideH} - ${pad.top} + ky * ${o.dilationH};`,
          `      if (iy < 0 || iy >= ${h}) { rows[ky] = zrow; cs[ky] = 0; continue; }`,
          `      int32_t s = iy % ${span};`,
          `      int16_t *dst = ring + s * ${cmid * wp} + ${pad.left};`,
          `      if (held[s] != iy) {`,
          `        const int8_t *src = in + iy * ${w * cin};`,
          `        int32_t px = 0;`,
          full > 0
            ? `        for (; px < ${full}; px += ${block}) {\n          for (int32_t r = 0; r < ${block}; r++) te_unpack(src + (px + r) * ${cin}, col + r * ${k4}, ${
              k4 / 4
            });\n          ${mmFull}(col, pw_w, pw_b, pw_q, dst + px, pw_zp, pw_lo, pw_hi);\n        }`
            : "",
          rem > 0
            ? `        for (int32_t r = 0; r < ${rem}; r++) te_unpack(src + (px + r) * ${cin}, col + r * ${k4}, ${
              k4 / 4
            });\n        ${mmRem}(col, pw_w, pw_b, pw_q, dst + px, pw_zp, pw_lo, pw_hi);`
            : "",
          `        held[s] = iy;`,
          `      }`,
          `      rows[ky] = ring + s * ${cmid * wp};`,
          `      cs[ky] = ${wp};`,
          `    }`,
          `    int8_t *orow = out + oy * ${wo * cout};`,
          `    for (int32_t c = 0; c < ${cmid}; c++) {`,
          `      ${rowPtrs.join(" ")}`,
          `      for (int32_t mm = 0; mm < ${mult}; mm++) {`,
          `        const int32_t oc = c * ${mult} + mm;`,
          prepack
            ? `        const int32_t *wk = w + oc * ${tapWordCount(terms)};`
            : `        const int8_t *wk = (const int8_t *)w + oc * ${taps};`,
          `        ${loadTaps.join(" ")}`,
          `        const int32_t b = bias[oc]${dbl ? " * 2" : ""};`,
          `        ${requantLoad(dwRq.mode, "q", "oc", cout)}`,
          `        int8_t *o = orow + oc;`,
          zeroSplit(dwRq.zero, dwRq.mode, dwCm, dbl, (rq) =>
            pairOut
              ? [
                `        int32_t ox = 0;`,
                `        for (; ox + 2 <= ${wo}; ox += 2) {`,
                `          ${pixPtrs.join(" ")}`,
                `          int32_t a0 = b, a1 = b;`,
                `          ${
                  twoOutputSum(terms.map((t) => ({ ...t, rowBase: `p${t.ky}` })), o.strideW).join(
                    " ",
                  )
                }`,
                `          o[0] = ${rq("a0")}; o[${cout}] = ${rq("a1")};`,
                `          o += ${2 * cout};`,
                `        }`,
                `        if (ox < ${wo}) {`,
                ...onePixelLines(pixPtrs.join(" "), sum.join(" "), rq("acc"), cout),
                `        }`,
              ].join("\n")
              : [
                `        for (int32_t ox = 0; ox < ${wo}; ox++) {`,
                ...onePixelLines(pixPtrs.join(" "), sum.join(" "), rq("acc"), cout),
                `        }`,
              ].join("\n")),
          ...closeBraces(3),
        ].filter((l) => l !== "").join("\n"));
      return {
        fn,
        args: [
          ctx.ptr(pre.inputs[0]!),
          ctx.ptr(layer.outputs[0]!),
          pwW,
          pwB,
          pwQ,
          ctx.param("pw_out_zp", pp.outputOffset),
          ctx.param("pw_act_min", pwCl.min),
          ctx.param("pw_act_max", pwCl.max),
          dwW,
          dwB,
          dwQ,
          ...requantArgs(ctx, zpMid, dp.outputOffset, dwCl, "dw_"),
          ctx.scratch,
        ],
      };
    },
  };
}
