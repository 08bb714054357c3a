/**
 * The matrix-kernel family: 1x1 pointwise convolution, general convolution through a two-row
 * im2col, and fully connected layers all reduce to `out[row][o] = requant(bias'[o] + sum_k
 * a[row][k] * w[o][k])`. The template emits, per distinct (K, output channels) key, a block that
 * computes two rows x four outputs at a time with SMLAD on SXTB16-unpacked int8 (no int16 copy of
 * either operand). Weights are padded at compile time to rows of a multiple of 4 bytes with zeros,
 * so there is no tail loop over K; the input offset is folded into the bias at compile time
 * (`bias' = bias - zp_in * sum(w)`), and padding positions hold `zp_in`, so they add nothing.
 *
 * @module
 */
import type { Conv2DNode, FullyConnectedNode, Tensor } from "../../../ir/mod.ts";
import { convParams, fullyConnectedParams } from "../../../quant/mod.ts";
import type { Layer, Lowered } from "../../../schedule/mod.ts";
import {
  matmulFunction,
  matmulRowFunction,
  matmulWsFunction,
  pRowBlock,
  WS_MAX_K4,
} from "./matmul_blocks.ts";
import { clampMode, layerRequant, type RequantMode } from "./requant.ts";
import type { EmitContext, LayerKernel } from "./types.ts";
import {
  clampOf,
  constInt32OrZero,
  constInt8,
  dim,
  nhwc,
  packRows,
  requantArgs,
  tensorOf,
  weightedTensors,
  windowKey,
} from "./util.ts";

/** Rows (pixels) computed per output channel in one pass. */
export const ROW_BLOCK = 4;

/** Weights as zero-padded rows of `k4` bytes and the input-offset-folded bias. */
export function packMatmulWeights(
  w: Int8Array,
  rows: number,
  k: number,
  bias: Int32Array,
  inputOffset: number,
): { packed: Int8Array; k4: number; bias: Int32Array } {
  const k4 = Math.ceil(k / 4) * 4;
  return { ...packRows((o, i) => w[o * k + i]!, rows, k, k4, bias, inputOffset), k4 };
}

interface MatmulKernels {
  /** Kernel name for a block of `rows` rows. */
  rows(rows: number): string;
}

function matmulKernels(
  ctx: EmitContext,
  k4: number,
  cout: number,
  mode: RequantMode,
  clamp: "sat" | "range",
  rowFn = false,
): MatmulKernels {
  if (k4 <= WS_MAX_K4) {
    return {
      rows: (r) =>
        ctx.kernel(
          `mws${r}_k${k4}_n${cout}_${mode}_${clamp}`,
          (n) => matmulWsFunction(n, r, k4, cout, mode, clamp),
        ),
    };
  }
  return {
    rows: (r) =>
      ctx.kernel(
        `mm${r}${rowFn && r === 1 ? "r" : ""}_k${k4}_n${cout}_${mode}_${clamp}`,
        (n) => matmulFunction(n, r, k4, cout, mode, clamp, 0, rowFn),
      ),
  };
}

/** What a conv/FC layer's constants are made from (TFLite's prepared parameters). */
interface MatmulParams {
  readonly inputOffset: number;
  readonly outputOffset: number;
  readonly multipliers: Int32Array;
  readonly shifts: Int32Array;
}

/** Constants of a conv/FC layer in Flash: `rows` x `k` weights `w`, the optional bias tensor. */
function layerConsts(
  ctx: EmitContext,
  layer: Layer,
  w: Int8Array,
  rows: number,
  k: number,
  biasT: Tensor | undefined,
  p: MatmulParams,
) {
  const bias = constInt32OrZero(biasT, rows);
  const packed = packMatmulWeights(w, rows, k, bias, p.inputOffset);
  const { rq } = layerRequant(p, packed.bias, k, false, layer);
  return {
    k4: packed.k4,
    mode: rq.mode,
    w: ctx.consts.int8(packed.packed, "weight"),
    b: ctx.consts.int32(rq.bias, "bias"),
    q: ctx.consts.int32(rq.table, "mult"),
  };
}

/** Whether a CONV_2D layer is a plain 1x1 stride-1 unpadded convolution. */
export function isPointwise(lowered: Lowered, layer: Layer): boolean {
  if (layer.op !== "CONV_2D") return false;
  const f = tensorOf(lowered, layer.inputs[1], "filter").shape;
  const o = (layer.node as Conv2DNode).options;
  const p = layer.pad;
  return dim(f, 1) === 1 && dim(f, 2) === 1 && o.strideH === 1 && o.strideW === 1 &&
    (!p || (p.top === 0 && p.bottom === 0 && p.left === 0 && p.right === 0));
}

/** CONV_2D: pointwise fast path (input rows are the matrix rows) or im2col (two rows). */
export function convTemplate(lowered: Lowered, layer: Layer, rowBlock = ROW_BLOCK): LayerKernel {
  const { graph } = lowered;
  const node = layer.node as Conv2DNode;
  const { input, filter, biasT } = weightedTensors(lowered, layer);
  const output = tensorOf(lowered, layer.outputs[0], "output");
  const [n, h, w, cin] = nhwc(input.shape);
  const [, ho, wo, cout] = nhwc(output.shape);
  const [, kh, kw, fcin] = nhwc(filter.shape);
  if (fcin !== cin) {
    throw new RangeError(
      `Cannot generate CONV_2D '${output.name}': grouped convolution is not supported`,
    );
  }
  const k = kh * kw * cin;
  const k4 = Math.ceil(k / 4) * 4;
  const pad = layer.pad ?? { top: 0, bottom: 0, left: 0, right: 0 };
  const o = node.options;
  const pointwise = isPointwise(lowered, layer);
  const pixels = n * ho * wo;
  const block = Math.min(pRowBlock(k4, rowBlock), pixels);
  return {
    scratchBytes: block * k4 * 2 + (pointwise ? 0 : k4),
    variant: pointwise
      ? `pointwise k${cin} n${cout}`
      : `im2col ${kh}x${kw} s${o.strideH} k${k} n${cout}`,
    emit(ctx) {
      const p = convParams({ ...graph, nodes: [] }, {
        ...node,
        inputs: layer.inputs,
        outputs: layer.outputs,
      });
      const direct = cin % 4 === 0;
      // Small K with odd channel counts (e.g. the first 3-channel convolution): straight-line
      // im2col into int16 at the SXTB16 positions, no int8 row and no unpack pass.
      const unrolled = !pointwise && !direct && k4 <= 64;
      // Row words: each kernel row's kw * cin input bytes are contiguous (dilation 1), so inside
      // the input they are read as whole words (SXTB16 straight into the column); K is reordered
      // at compile time (see rowWordPos), the leftover bytes of every row share the last groups.
      const rowWords = unrolled && o.dilationW === 1 && kw * cin >= 4;
      const rowLen = kw * cin;
      const nw = Math.floor(rowLen / 4);
      const left = rowLen - 4 * nw;
      const newPos = (i: number) => {
        if (!rowWords || i >= k) return i;
        const ky = Math.floor(i / rowLen);
        const j = i - ky * rowLen;
        return j < 4 * nw ? ky * 4 * nw + j : kh * 4 * nw + ky * left + (j - 4 * nw);
      };
      const filt = constInt8(filter);
      const wK = rowWords ? new Int8Array(filt.length) : filt;
      if (rowWords) {
        for (let oc = 0; oc < cout; oc++) {
          for (let i = 0; i < k; i++) wK[oc * k + newPos(i)] = filt[oc * k + i]!;
        }
      }
      const c = layerConsts(ctx, layer, wK, cout, k, biasT, p);
      const cl = clampOf(layer);
      const cm = clampMode(cl.min, cl.max);
      const mm = matmulKernels(ctx, c.k4, cout, c.mode, cm);
      const inP = ctx.ptr(layer.inputs[0]!);
      const outP = ctx.ptr(layer.outputs[0]!);
      const full = Math.floor(pixels / block) * block;
      const rem = pixels - full;
      const unrolledFill = (r: string) => {
        const pos = (k: number) => {
          const q = newPos(k);
          return (q & ~3) + [0, 2, 1, 3][q & 3]!;
        };
        const lines = [
          `{ int32_t pp = ${r}, b = pp / ${ho * wo}, oy = (pp % ${
            ho * wo
          }) / ${wo}, ox = pp % ${wo};`,
          `      int16_t *d = col + (pp - p) * ${k4};`,
          `      const int32_t y0 = oy * ${o.strideH} - ${pad.top}, x0 = ox * ${o.strideW} - ${pad.left};`,
        ];
        if (rowWords) {
          // Whole patch inside the input: word loads per kernel row, leftovers packed in pairs.
          const rs = o.dilationH * w * cin;
          const inside = `y0 >= 0 && y0 + ${(kh - 1) * o.dilationH} < ${h} && x0 >= 0 && x0 + ${
            kw - 1
          } < ${w}`;
          const body = [
            `const int8_t *s = in + ((b * ${h} + y0) * ${w} + x0) * ${cin}; int32_t *dw = (int32_t *)d;`,
          ];
          for (let ky = 0; ky < kh; ky++) {
            for (let q = 0; q < nw; q++) {
              const g = ky * nw + q;
              body.push(
                `{ const int32_t v = te_ld32(s + ${ky * rs + 4 * q}); dw[${
                  2 * g
                }] = __sxtb16(v); dw[${2 * g + 1}] = te_sxtb16_ror8(v); }`,
              );
            }
          }
          const rest: string[] = [];
          for (let ky = 0; ky < kh; ky++) {
            for (let j = 4 * nw; j < rowLen; j++) rest.push(`(int32_t)s[${ky * rs + j}]`);
          }
          const half = (a: string | undefined, b: string | undefined) =>
            a === undefined
              ? "0"
              : b === undefined
              ? `(int32_t)(uint16_t)${a}`
              : `(int32_t)(((uint32_t)(uint16_t)${a}) | ((uint32_t)${b} << 16))`;
          const g0 = kh * nw;
          for (let t = 0; t < k4 - 4 * g0; t += 4) {
            const g = g0 + t / 4;
            body.push(
              `dw[${2 * g}] = ${half(rest[t], rest[t + 2])}; dw[${2 * g + 1}] = ${
                half(rest[t + 1], rest[t + 3])
              };`,
            );
          }
          lines.push(`      if (${inside}) { ${body.join(" ")} } else {`);
        }
        for (let ky = 0; ky < kh; ky++) {
          lines.push(
            `      { const int32_t iy = y0 + ${
              ky * o.dilationH
            }; const int32_t ry = iy >= 0 && iy < ${h};`,
          );
          lines.push(`        const int8_t *srow = in + (b * ${h} + iy) * ${w * cin};`);
          for (let kx = 0; kx < kw; kx++) {
            const k0 = (ky * kw + kx) * cin;
            const copy = Array.from({ length: cin }, (_, ci) => `d[${pos(k0 + ci)}] = s[${ci}];`)
              .join(" ");
            const fillZ = Array.from(
              { length: cin },
              (_, ci) => `d[${pos(k0 + ci)}] = (int16_t)zp_in;`,
            ).join(" ");
            lines.push(
              `        { const int32_t ix = x0 + ${
                kx * o.dilationW
              }; if (ry && ix >= 0 && ix < ${w}) { const int8_t *s = srow + ix * ${cin}; ${copy} } else { ${fillZ} } }`,
            );
          }
          lines.push(`      }`);
        }
        for (let k = kh * kw * cin; k < k4; k++) lines.push(`      d[${pos(k)}] = 0;`);
        if (rowWords) lines.push(`      }`);
        lines.push(`    }`);
        return lines.join("\n");
      };
      const fill = (r: string) =>
        pointwise
          ? `te_unpack(in + (${r}) * ${cin}, col + (${r} - p) * ${k4}, ${k4 / 4});`
          : unrolled
          ? unrolledFill(r)
          : direct
          ? [
            `{ int32_t pp = ${r}, b = pp / ${ho * wo}, oy = (pp % ${
              ho * wo
            }) / ${wo}, ox = pp % ${wo};`,
            `      const int8_t *src = in + b * ${h * w * cin};`,
            `      int16_t *dst = col + (pp - p) * ${k4};`,
            `      const int32_t zz = (int32_t)((uint32_t)(uint16_t)zp_in | ((uint32_t)(uint16_t)zp_in << 16));`,
            `      for (int32_t ky = 0; ky < ${kh}; ky++) {`,
            `        int32_t iy = oy * ${o.strideH} - ${pad.top} + ky * ${o.dilationH};`,
            `        for (int32_t kx = 0; kx < ${kw}; kx++) {`,
            `          int32_t ix = ox * ${o.strideW} - ${pad.left} + kx * ${o.dilationW};`,
            `          if (iy >= 0 && iy < ${h} && ix >= 0 && ix < ${w}) te_unpack(src + (iy * ${w} + ix) * ${cin}, dst, ${
              cin / 4
            });`,
            `          else { int32_t *d = (int32_t *)dst; for (int32_t i = 0; i < ${
              cin / 2
            }; i++) d[i] = zz; }`,
            `          dst += ${cin};`,
            `        }`,
            `      }`,
            `    }`,
          ].join("\n")
          : [
            `{ int32_t pp = ${r}, b = pp / ${ho * wo}, oy = (pp % ${
              ho * wo
            }) / ${wo}, ox = pp % ${wo};`,
            `      const int8_t *src = in + b * ${h * w * cin};`,
            `      int8_t *dst = row;`,
            `      for (int32_t ky = 0; ky < ${kh}; ky++) {`,
            `        int32_t iy = oy * ${o.strideH} - ${pad.top} + ky * ${o.dilationH};`,
            `        for (int32_t kx = 0; kx < ${kw}; kx++) {`,
            `          int32_t ix = ox * ${o.strideW} - ${pad.left} + kx * ${o.dilationW};`,
            `          if (iy >= 0 && iy < ${h} && ix >= 0 && ix < ${w}) memcpy(dst, src + (iy * ${w} + ix) * ${cin}, ${cin});`,
            `          else memset(dst, zp_in, ${cin});`,
            `          dst += ${cin};`,
            `        }`,
            `      }`,
            k4 > k ? `      memset(dst, 0, ${k4 - k});` : "",
            `      te_unpack(row, col + (pp - p) * ${k4}, ${k4 / 4}); }`,
          ].filter((l) => l !== "").join("\n");
      const geo = pointwise ? ["pw", cin, cout, pixels, c.mode, cm] : [
        "conv",
        h,
        w,
        cin,
        ho,
        wo,
        ...windowKey(kh, kw, o, pad),
        cout,
        n,
        c.mode,
        cm,
      ];
      const fn = ctx.kernel(geo.join("_"), (name) =>
        [
          `TE_KERNEL void ${name}(const int8_t *in, int8_t *out, const int8_t *w, const int32_t *bias, const int32_t *q, int32_t zp_in, int32_t zp, int32_t lo, int32_t hi, int8_t *scratch) {`,
          `  int16_t *col = (int16_t *)scratch;`,
          pointwise
            ? `  (void)zp_in;`
            : cin % 4 === 0 || k4 <= 64
            ? ""
            : `  int8_t *row = scratch + ${block * k4 * 2};`,
          `  int32_t p = 0;`,
          full > 0
            ? `  for (; p < ${full}; p += ${block}) {\n    for (int32_t r = p; r < p + ${block}; r++) ${
              fill("r")
            }\n    ${mm.rows(block)}(col, w, bias, q, out + p * ${cout}, zp, lo, hi);\n  }`
            : "",
          rem > 0
            ? `  for (int32_t r = p; r < p + ${rem}; r++) ${fill("r")}\n  ${
              mm.rows(rem)
            }(col, w, bias, q, out + p * ${cout}, zp, lo, hi);`
            : "",
          `}`,
          ``,
        ].filter((l) => l !== "").join("\n"));
      return {
        fn,
        args: [
          inP,
          outP,
          c.w,
          c.b,
          c.q,
          ...requantArgs(ctx, -p.inputOffset, p.outputOffset, cl),
          ctx.scratch,
        ],
      };
    },
  };
}

/** FULLY_CONNECTED: rows are batches, K the accumulation depth. */
export function fullyConnectedTemplate(
  lowered: Lowered,
  layer: Layer,
  direct = false,
): LayerKernel {
  const { graph } = lowered;
  const node = layer.node as FullyConnectedNode;
  const { input, filter, biasT } = weightedTensors(lowered, layer, "weights");
  const cout = dim(filter.shape, 0);
  const k = dim(filter.shape, filter.shape.length - 1);
  let elems = 1;
  for (const d of input.shape) elems *= d;
  const batches = elems / k;
  const k4 = Math.ceil(k / 4) * 4;
  const block = Math.min(ROW_BLOCK, batches);
  const useDirect = direct && cout >= 4;
  return {
    scratchBytes: useDirect ? 0 : block * k4 * 2,
    variant: `fc k${k} n${cout}${useDirect ? " direct" : ""}`,
    emit(ctx) {
      const p = fullyConnectedParams({ ...graph, nodes: [] }, {
        ...node,
        inputs: layer.inputs,
        outputs: layer.outputs,
      });
      if (p.filterOffset !== 0) {
        throw new RangeError(
          `Cannot generate FULLY_CONNECTED '${filter.name}': weights with a non-zero zero point are not supported`,
        );
      }
      const c = layerConsts(ctx, layer, constInt8(filter), cout, k, biasT, p);
      const cl = clampOf(layer);
      const cm = clampMode(cl.min, cl.max);
      const mm = matmulKernels(ctx, c.k4, cout, c.mode, cm, true);
      const inP = ctx.ptr(layer.inputs[0]!);
      const outP = ctx.ptr(layer.outputs[0]!);
      const col = `(int16_t *)${ctx.scratch}`;
      const args = `${c.w}, ${c.b}, ${c.q}`;
      const tail = requantArgs(ctx, undefined, p.outputOffset, cl).join(", ");
      const stmts: string[] = [];
      if (useDirect) {
        const fn = ctx.kernel(
          `mmd_k${c.k4}_n${cout}_${c.mode}_${cm}`,
          (name) => matmulRowFunction(name, c.k4, cout, c.mode, cm, true),
        );
        stmts.push(
          `for (int32_t b = 0; b < ${batches}; b++) ${fn}((const int16_t *)(${inP} + b * ${k}), ${args}, ${outP} + b * ${cout}, ${tail});`,
        );
        return stmts.join("\n  ");
      }
      for (let b = 0; b < batches; b += block) {
        const r = Math.min(block, batches - b);
        stmts.push(
          `for (int32_t r = 0; r < ${r}; r++) te_unpack(${inP} + (${b} + r) * ${k}, ${col} + r * ${k4}, ${
            k4 / 4
          });`,
        );
        stmts.push(`${mm.rows(r)}(${col}, ${args}, ${outP} + ${b * cout}, ${tail});`);
        if (stmts.length > 16) {
          throw new RangeError(`Cannot generate FULLY_CONNECTED with ${batches} batches`);
        }
      }
      return stmts.join("\n  ");
    },
  };
}
