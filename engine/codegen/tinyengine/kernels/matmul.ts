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
import { convParams, fullyConnectedParams } from "../../../reference/quant.ts";
import type { Conv2DNode, FullyConnectedNode } from "../../../ir/graph.ts";
import type { Layer, Lowered } from "../../../schedule/passes/types.ts";
import type { EmitContext, LayerKernel } from "./types.ts";
import { clampOf, constInt32OrZero, constInt8, dim, nhwc, pairs, tensorOf } from "./util.ts";

/** Outputs computed per block. */
const OUT_BLOCK = 4;

/** Weights as zero-padded rows of `k4` bytes and the input-offset-folded bias. */
export function packMatmulWeights(
  w: Int8Array,
  rows: number,
  k: number,
  bias: Int32Array,
  inputOffset: number,
): { packed: Int8Array; k4: number; bias: Int32Array } {
  const k4 = Math.ceil(k / 4) * 4;
  const packed = new Int8Array(rows * k4);
  const folded = new Int32Array(rows);
  for (let o = 0; o < rows; o++) {
    let sum = 0;
    for (let i = 0; i < k; i++) {
      const v = w[o * k + i]!;
      packed[o * k4 + i] = v;
      sum += v;
    }
    folded[o] = (bias[o]! + Math.imul(inputOffset, sum)) | 0;
  }
  return { packed, k4, bias: folded };
}

function accName(r: number, o: number): string {
  return `c${r}_${o}`;
}

/** C body of one block of `rows` rows x `outs` outputs over k4/4 groups. */
function blockCode(rows: number, outs: number, k4: number): string {
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outs; o++) {
      lines.push(`    int32_t ${accName(r, o)} = bias[oc + ${o}];`);
    }
  }
  for (let r = 0; r < rows; r++) lines.push(`    const int8_t *p${r} = a${r};`);
  lines.push(`    const int8_t *wp = w + oc * ${k4};`);
  lines.push(`    for (int32_t g = 0; g < ${k4 / 4}; g++) {`);
  for (let r = 0; r < rows; r++) {
    lines.push(`      int32_t x${r} = te_ld32(p${r}); p${r} += 4;`);
    lines.push(`      int32_t x${r}e = __sxtb16(x${r}), x${r}o = te_sxtb16_ror8(x${r});`);
  }
  for (let o = 0; o < outs; o++) {
    lines.push(`      { int32_t wv = te_ld32(wp + ${o * k4});`);
    lines.push(`        int32_t we = __sxtb16(wv), wo = te_sxtb16_ror8(wv);`);
    for (let r = 0; r < rows; r++) {
      const a = accName(r, o);
      lines.push(`        ${a} = __smlad(x${r}e, we, ${a}); ${a} = __smlad(x${r}o, wo, ${a});`);
    }
    lines.push(`      }`);
  }
  lines.push(`      wp += 4;`);
  lines.push(`    }`);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outs; o++) {
      lines.push(
        `    o${r}[oc + ${o}] = te_out(${accName(r, o)}, q + 2 * (oc + ${o}), zp, lo, hi);`,
      );
    }
  }
  return lines.join("\n");
}

/**
 * The C function computing `rows` (1 or 2) output rows of `cout` channels from input rows of
 * K (padded to `k4`) int8 values.
 */
export function matmulFunction(name: string, rows: number, k4: number, cout: number): string {
  const params = [
    ...Array.from({ length: rows }, (_, r) => `const int8_t *a${r}`),
    "const int8_t *w",
    "const int32_t *bias",
    "const int32_t *q",
    ...Array.from({ length: rows }, (_, r) => `int8_t *o${r}`),
    "int32_t zp",
    "int32_t lo",
    "int32_t hi",
  ];
  const main = Math.floor(cout / OUT_BLOCK) * OUT_BLOCK;
  return [
    `static void ${name}(${params.join(", ")}) {`,
    `  int32_t oc = 0;`,
    main > 0
      ? `  for (; oc < ${main}; oc += ${OUT_BLOCK}) {\n${blockCode(rows, OUT_BLOCK, k4)}\n  }`
      : "",
    cout > main ? `  for (; oc < ${cout}; oc++) {\n${blockCode(rows, 1, k4)}\n  }` : "",
    `}`,
    "",
  ].filter((l) => l !== "").join("\n");
}

function matmulPair(ctx: EmitContext, k4: number, cout: number): { two: string; one: string } {
  const two = ctx.kernel(`mm2_k${k4}_n${cout}`, (n) => matmulFunction(n, 2, k4, cout));
  const one = ctx.kernel(`mm1_k${k4}_n${cout}`, (n) => matmulFunction(n, 1, k4, cout));
  return { two, one };
}

/** Constants of a conv/FC layer in Flash. */
function layerConsts(
  ctx: EmitContext,
  w: Int8Array,
  rows: number,
  k: number,
  bias: Int32Array,
  inputOffset: number,
  mult: Int32Array,
  shift: Int32Array,
) {
  const packed = packMatmulWeights(w, rows, k, bias, inputOffset);
  return {
    k4: packed.k4,
    w: ctx.consts.int8(packed.packed),
    b: ctx.consts.int32(packed.bias),
    q: ctx.consts.int32(pairs(mult, shift)),
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
export function convTemplate(lowered: Lowered, layer: Layer): LayerKernel {
  const { graph } = lowered;
  const node = layer.node as Conv2DNode;
  const input = tensorOf(lowered, layer.inputs[0], "input");
  const filter = tensorOf(lowered, layer.inputs[1], "filter");
  const output = tensorOf(lowered, layer.outputs[0], "output");
  const biasT = (layer.inputs[2] ?? -1) >= 0
    ? tensorOf(lowered, layer.inputs[2], "bias")
    : undefined;
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
  return {
    scratchBytes: pointwise ? 0 : 2 * k4,
    variant: pointwise
      ? `pointwise k${cin} n${cout}`
      : `im2col ${kh}x${kw} s${o.strideH} k${k} n${cout}`,
    emit(ctx) {
      const p = convParams({ ...graph, nodes: [] }, {
        ...node,
        inputs: layer.inputs,
        outputs: layer.outputs,
      });
      const c = layerConsts(
        ctx,
        constInt8(filter),
        cout,
        k,
        constInt32OrZero(biasT, cout),
        p.inputOffset,
        p.multipliers,
        p.shifts,
      );
      const { two, one } = matmulPair(ctx, c.k4, cout);
      const cl = clampOf(layer);
      const tail = `${p.outputOffset}, ${cl.min}, ${cl.max}`;
      const inP = ctx.ptr(layer.inputs[0]!);
      const outP = ctx.ptr(layer.outputs[0]!);
      if (pointwise) {
        const pixels = n * h * w;
        const fn = ctx.kernel(`pw_k${c.k4}_c${cin}_n${cout}`, (name) =>
          [
            `static void ${name}(const int8_t *in, int8_t *out, int32_t pixels, const int8_t *w, const int32_t *bias, const int32_t *q, int32_t zp, int32_t lo, int32_t hi) {`,
            `  int32_t p = 0;`,
            `  for (; p + 2 <= pixels; p += 2) {`,
            `    ${two}(in + p * ${cin}, in + (p + 1) * ${cin}, w, bias, q, out + p * ${cout}, out + (p + 1) * ${cout}, zp, lo, hi);`,
            `  }`,
            `  if (p < pixels) ${one}(in + p * ${cin}, w, bias, q, out + p * ${cout}, zp, lo, hi);`,
            `}`,
            ``,
          ].join("\n"));
        return `${fn}(${inP}, ${outP}, ${pixels}, ${c.w}, ${c.b}, ${c.q}, ${tail});`;
      }
      const zpIn = -p.inputOffset;
      const geo = [
        h,
        w,
        cin,
        ho,
        wo,
        kh,
        kw,
        o.strideH,
        o.strideW,
        o.dilationH,
        o.dilationW,
        pad.top,
        pad.left,
        cout,
      ];
      const fn = ctx.kernel(`conv_${geo.join("_")}`, (name) =>
        [
          `static void ${name}(const int8_t *in, int8_t *out, int32_t batches, const int8_t *w, const int32_t *bias, const int32_t *q, int32_t zp_in, int32_t zp, int32_t lo, int32_t hi, int8_t *col) {`,
          `  const int32_t total = batches * ${ho * wo};`,
          `  int32_t p = 0;`,
          `  while (p < total) {`,
          `    int32_t rows = total - p >= 2 ? 2 : 1;`,
          `    for (int32_t r = 0; r < rows; r++) {`,
          `      int32_t pp = p + r, b = pp / ${ho * wo}, oy = (pp % ${
            ho * wo
          }) / ${wo}, ox = pp % ${wo};`,
          `      const int8_t *src = in + b * ${h * w * cin};`,
          `      int8_t *dst = col + r * ${k4};`,
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
          `    }`,
          `    if (rows == 2) ${two}(col, col + ${k4}, w, bias, q, out + p * ${cout}, out + (p + 1) * ${cout}, zp, lo, hi);`,
          `    else ${one}(col, w, bias, q, out + p * ${cout}, zp, lo, hi);`,
          `    p += rows;`,
          `  }`,
          `}`,
          ``,
        ].filter((l) => l !== "").join("\n"));
      return `${fn}(${inP}, ${outP}, ${n}, ${c.w}, ${c.b}, ${c.q}, ${zpIn}, ${tail}, ${ctx.scratch});`;
    },
  };
}

/** FULLY_CONNECTED: rows are batches, K the accumulation depth. */
export function fullyConnectedTemplate(lowered: Lowered, layer: Layer): LayerKernel {
  const { graph } = lowered;
  const node = layer.node as FullyConnectedNode;
  const input = tensorOf(lowered, layer.inputs[0], "input");
  const filter = tensorOf(lowered, layer.inputs[1], "weights");
  const biasT = (layer.inputs[2] ?? -1) >= 0
    ? tensorOf(lowered, layer.inputs[2], "bias")
    : undefined;
  const cout = dim(filter.shape, 0);
  const k = dim(filter.shape, filter.shape.length - 1);
  let elems = 1;
  for (const d of input.shape) elems *= d;
  const batches = elems / k;
  return {
    scratchBytes: 0,
    variant: `fc k${k} n${cout}`,
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
      const c = layerConsts(
        ctx,
        constInt8(filter),
        cout,
        k,
        constInt32OrZero(biasT, cout),
        p.inputOffset,
        p.multipliers,
        p.shifts,
      );
      const { two, one } = matmulPair(ctx, c.k4, cout);
      const cl = clampOf(layer);
      const inP = ctx.ptr(layer.inputs[0]!);
      const outP = ctx.ptr(layer.outputs[0]!);
      const args = `${c.w}, ${c.b}, ${c.q}`;
      const tail = `${p.outputOffset}, ${cl.min}, ${cl.max}`;
      const stmts: string[] = [];
      if (batches >= 2) {
        stmts.push(
          `for (int32_t b = 0; b + 2 <= ${batches}; b += 2) ${two}(${inP} + b * ${k}, ${inP} + (b + 1) * ${k}, ${args}, ${outP} + b * ${cout}, ${outP} + (b + 1) * ${cout}, ${tail});`,
        );
      }
      if (batches % 2 === 1) {
        const b = batches - 1;
        stmts.push(`${one}(${inP} + ${b * k}, ${args}, ${outP} + ${b * cout}, ${tail});`);
      }
      return stmts.join("\n  ");
    },
  };
}
