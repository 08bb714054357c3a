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
import {
  convParams,
  fullyConnectedParams,
  multiplyByQuantizedMultiplier,
} from "../../../quant/mod.ts";
import type { Conv2DNode, FullyConnectedNode } from "../../../ir/graph.ts";
import type { Layer, Lowered } from "../../../schedule/passes/types.ts";
import type { EmitContext, LayerKernel } from "./types.ts";
import { clampOf, constInt32OrZero, constInt8, dim, nhwc, tensorOf } from "./util.ts";

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

/**
 * How a layer requantizes: `fast` (one SMMLAR, every shift in [-24, -1]) or `exact` (any shift); the
 * `1` variants share one (multiplier, shift) pair for all channels (per-tensor quantization).
 * `fastr`: fast where the clamp's lower bound is at least the output zero point (ReLU-like), so the
 * negative-accumulator rounding correction is dropped: every x <= 0 clamps to the bound either way.
 */
export type RequantMode = "fast" | "exact" | "fast1" | "exact1" | "fastr" | "fastr1";

/** Largest accumulator magnitude fast requantization accepts (it doubles the accumulator). */
export const FAST_ACC_LIMIT = 2 ** 30;

/** How far a layer's accumulator strays from its bias: `products` products of at most 128 * 256. */
export function accSpread(products: number): number {
  return products * 128 * 256;
}

/**
 * Requantization table and mode for a layer whose accumulator of channel c lies in
 * `bias[c] ± spread` (`bias` is what the kernel starts from; use the returned `bias` instead).
 * Fast: n int32 multipliers, n int32 rounding-and-zero-point terms `2^(rs-1) + zp * 2^rs` (see
 * `te_rqd2`), then n int8 shifts rs; exact: n int32 multipliers, then n int8 TFLite shifts. Fast
 * mode needs every shift in [-24, -1] (or [-24, +1] with `nonNegativeShifts`, for kernels that
 * emit {@link zeroSplit}) and every |accumulator| below {@link FAST_ACC_LIMIT}; `zp`
 * is the output zero point. A channel whose requantized value is one constant c over its whole
 * range (a zero multiplier, or a tiny one beside a huge bias) becomes bias 0, (2^30, rs 24) with
 * zero point zp + c: both functions are monotonic, so equal ends mean equal everywhere.
 */
export function requantTable(
  mult: ArrayLike<number>,
  shift: ArrayLike<number>,
  bias: ArrayLike<number>,
  spread: number,
  zp: number,
  nonNegativeShifts = false,
  lo = -Infinity,
): {
  mode: RequantMode;
  table: Int32Array;
  bias: Int32Array;
  /** Some channel has shift 0 or +1 (stored as rs = -shift <= 0, see `te_rqz`). */
  zero: boolean;
} {
  const n0 = mult.length;
  // Shifts 0 and +1 (only where the kernel emits the `te_rqz` branch, see {@link zeroSplit}):
  // the shifted, doubled accumulator 2x * 2^s must stay in int32.
  const okZero = (m: number, s: number, b: number) =>
    nonNegativeShifts && (s === 0 || s === 1) && m >= 0 &&
    Math.abs(b) + spread < FAST_ACC_LIMIT / 2 ** s;
  const okAt = (i: number) =>
    (ok(m2[i]!, s2[i]!) && Math.abs(b2[i]!) + spread < FAST_ACC_LIMIT) ||
    okZero(m2[i]!, s2[i]!, b2[i]!);
  const ok = (m: number, s: number) => s <= -1 && s >= -24 && m >= 1 << 30;
  const m2 = Array.from(mult);
  const s2 = Array.from(shift);
  const z2 = new Array<number>(n0).fill(zp);
  const b2 = Int32Array.from(bias);
  const mbqm = (x: number, m: number, sh: number) =>
    sh <= 0 || Math.abs(x) * 2 ** sh < 2 ** 31 ? multiplyByQuantizedMultiplier(x, m, sh) : NaN;
  for (let i = 0; i < n0; i++) {
    if (okAt(i)) continue;
    if (spread >= 2 ** 24) continue;
    const lo = mbqm(b2[i]! - spread, m2[i]!, s2[i]!);
    const hi = mbqm(b2[i]! + spread, m2[i]!, s2[i]!);
    if (!(lo === hi)) continue;
    // rs = 24 keeps 2^(rs-1) + zp * 2^rs in int32 for every int8 zp; |acc| < 2^24 maps to 0.
    m2[i] = 2 ** 30;
    s2[i] = -24;
    b2[i] = 0;
    z2[i] = Math.max(-128, Math.min(127, zp + lo));
  }
  let fast = true;
  for (let i = 0; i < n0; i++) {
    if (!okAt(i)) fast = false;
  }
  if (!fast) {
    m2.splice(0, n0, ...Array.from(mult));
    s2.splice(0, n0, ...Array.from(shift));
    z2.fill(zp);
    b2.set(bias);
  }
  let uniform = true;
  for (let i = 1; i < n0; i++) {
    if (m2[i] !== m2[0] || s2[i] !== s2[0] || z2[i] !== z2[0]) uniform = false;
  }
  const n = uniform ? Math.min(1, n0) : n0;
  const words = fast ? 2 * n : n;
  const table = new Int32Array(words + Math.ceil(n / 4));
  const shifts = new Int8Array(table.buffer, words * 4, n);
  let zero = false;
  for (let i = 0; i < n; i++) {
    table[i] = m2[i]!;
    if (fast) {
      const rs = -s2[i]!;
      table[n + i] = rs <= 0 ? z2[i]! : (2 ** (rs - 1) + z2[i]! * 2 ** rs) | 0;
      shifts[i] = rs;
      if (rs <= 0) zero = true;
    } else {
      shifts[i] = s2[i]!;
    }
  }
  // Without te_rqd2's -[x < 0] term, a channel's value for x <= 0 is still at most its zero point
  // (m > 0, rounding half up of a non-positive SRDHM), so with lo >= zp both clamp to lo. Constant
  // channels (|x| < 2^24, rs 24) round to their zero point with or without the term.
  const relu = fast && lo >= zp;
  const mode: RequantMode = fast
    ? (relu ? (uniform ? "fastr1" : "fastr") : (uniform ? "fast1" : "fast"))
    : (uniform ? "exact1" : "exact");
  return { mode, table, bias: b2, zero };
}

/**
 * Per-channel requantization code for a kernel that loaded `qs` with {@link requantLoad}: `body`
 * gets the expression builder. When the table has shift-0/+1 channels (`zero`), the body is
 * emitted twice, the copy for rs <= 0 requantizing with `te_rqz` (doubled accumulators only).
 */
export function zeroSplit(
  zero: boolean,
  mode: RequantMode,
  clamp: "sat" | "range",
  doubled: boolean,
  body: (rq: (acc: string) => string) => string,
): string {
  const normal = body((acc) => requantExpr(acc, mode, clamp, doubled));
  if (!zero) return normal;
  if (!doubled || !mode.startsWith("fast")) {
    throw new RangeError("Cannot generate code: shift-0 requantization needs doubled sums");
  }
  const z = (acc: string) => {
    const v = `te_rqz(${acc}, qm, qk, qz)`;
    return clamp === "sat" ? `(int8_t)__ssat(${v}, 8)` : `te_clamp8(${v}, lo, hi)`;
  };
  return `if (qs > 0) {\n${normal}\n} else {\nconst int32_t qz = -qs;\n${body(z)}\n}`;
}

/** Clamp mode: `sat` when the range is all of int8 (one SSAT), else explicit bounds. */
export function clampMode(lo: number, hi: number): "sat" | "range" {
  return lo === -128 && hi === 127 ? "sat" : "range";
}

/**
 * C expression requantizing accumulator `acc` (needs `qm`, `qk`, `qs`, `zp`, `lo`, `hi`).
 * `doubled`: in fast mode the kernel accumulated twice the sum (doubled bias and weights, see
 * {@link doubles}), which the requantization needs anyway.
 */
export function requantExpr(
  acc: string,
  mode: RequantMode,
  clamp: "sat" | "range",
  doubled = false,
): string {
  // Fast mode folds the output zero point into qk (added before the final shift).
  const v = mode.startsWith("fast")
    ? `te_rqd${doubled ? "2" : ""}${mode.startsWith("fastr") ? "r" : ""}(${acc}, qm, qk, qs)`
    : `te_mbqm(${acc}, qm, qs) + zp`;
  return clamp === "sat" ? `(int8_t)__ssat(${v}, 8)` : `te_clamp8(${v}, lo, hi)`;
}

/** Whether a kernel of this requantization mode accumulates doubled sums (fast modes). */
export function doubles(mode: RequantMode): boolean {
  return mode.startsWith("fast");
}

/** An int16 (planar ring) destination needs no int8 narrowing: SSAT already bounds it. */
function rqOut(expr: string, planar: number): string {
  return planar ? expr.replace("(int8_t)__ssat(", "__ssat(") : expr;
}

/** C statements loading channel `oc`'s requantization constants. */
export function requantLoad(mode: RequantMode, table: string, channel: string, n: number): string {
  const one = mode.endsWith("1");
  const oc = one ? "0" : channel;
  const count = one ? 1 : n;
  const m = `${table}[${oc}]`;
  const sh = `((const int8_t *)(${table} + ${count}))[${oc}]`;
  return mode.startsWith("fast")
    ? `const int32_t qm = ${m}, qk = ${table}[${count} + ${oc}], qs = ((const int8_t *)(${table} + ${
      2 * count
    }))[${oc}];`
    : `const int32_t qm = ${m}, qs = ${sh};`;
}

/**
 * The C function computing `rows` output rows of `cout` channels from `rows` unpacked input rows
 * (int16, SXTB16 order, `k4` values each): per output channel, one weight word feeds `rows`
 * SMLAD pairs.
 */
export function matmulFunction(
  name: string,
  rows: number,
  k4: number,
  cout: number,
  mode: RequantMode,
  clamp: "sat" | "range",
  planar = 0,
  rowFn = false,
): string {
  if (rows === 1 && cout >= 4 && planar === 0 && rowFn) {
    return matmulRowFunction(name, k4, cout, mode, clamp);
  }
  const outType = planar ? "int16_t" : "int8_t";
  const lines: string[] = [];
  lines.push(
    `TE_KERNEL void ${name}(const int16_t *col, const int8_t *w, const int32_t *bias, const int32_t *q, ${outType} *out, int32_t zp, int32_t lo, int32_t hi) {`,
  );
  lines.push(`  (void)zp; (void)lo; (void)hi;`);
  lines.push(`  for (int32_t oc = 0; oc < ${cout}; oc++) {`);
  lines.push(`    const int32_t b = bias[oc];`);
  for (let r = 0; r < rows; r++) lines.push(`    int32_t a${r} = b;`);
  lines.push(`    const int8_t *wp = w + oc * ${k4};`);
  lines.push(`    const int8_t *wend = wp + ${k4};`);
  // One row pointer with immediate LDRD offsets when they fit (frees registers for more rows).
  const single = rows > 4 && (rows - 1) * k4 * 2 <= 1020;
  if (single) {
    lines.push(`    const int32_t *x = (const int32_t *)col;`);
  } else {
    for (let r = 0; r < rows; r++) {
      lines.push(`    const int32_t *x${r} = (const int32_t *)col + ${r * (k4 / 2)};`);
    }
  }
  lines.push(`    _Pragma("GCC unroll 1") while (wp != wend) {`);
  lines.push(`      int32_t wv = te_ld32(wp); wp += 4;`);
  lines.push(`      int32_t we = __sxtb16(wv), wo = te_sxtb16_ror8(wv);`);
  for (let r = 0; r < rows; r++) {
    const load = single ? `TE_LDRD(xe, xo, x, ${r * k4 * 2})` : `TE_LDRD_POST(xe, xo, x${r})`;
    lines.push(
      `      { int32_t xe, xo; ${load}; a${r} = __smlad(xe, we, a${r}); a${r} = __smlad(xo, wo, a${r}); }`,
    );
  }
  if (single) lines.push(`      x += 2;`);
  lines.push(`    }`);
  lines.push(`    ${requantLoad(mode, "q", "oc", cout)}`);
  for (let r = 0; r < rows; r++) {
    const at = planar ? `oc * ${planar} + ${r}` : `${r * cout} + oc`;
    lines.push(`    out[${at}] = ${rqOut(requantExpr(`a${r}`, mode, clamp), planar)};`);
  }
  lines.push(`  }`);
  lines.push(`}`);
  lines.push(``);
  return lines.join("\n");
}

/**
 * Rows per matrix-kernel pass: many for the weight-stationary kernel (small K), six when one row
 * pointer with immediate offsets reaches them all (K <= 96), else the configured block.
 */
export function pRowBlock(k4: number, rowBlock: number): number {
  if (k4 <= WS_MAX_K4) return rowBlock === 1 ? 8 : WS_ROWS;
  if (rowBlock >= 4 && k4 <= 96) return 6;
  return rowBlock;
}

/** Largest padded K that the weight-stationary kernel keeps in registers. */
export const WS_MAX_K4 = 16;
/** Rows per weight-stationary pass. */
export const WS_ROWS = 32;

/**
 * Weight-stationary matrix kernel for small K (k4 <= 8): per output channel the unpacked weights
 * and requantization constants stay in registers while all `rows` unpacked input rows stream by,
 * two at a time.
 */
export function matmulWsFunction(
  name: string,
  rows: number,
  k4: number,
  cout: number,
  mode: RequantMode,
  clamp: "sat" | "range",
  planar = 0,
): string {
  const groups = k4 / 4;
  const l: string[] = [];
  l.push(
    `TE_KERNEL void ${name}(const int16_t *col, const int8_t *w, const int32_t *bias, const int32_t *q, ${
      planar ? "int16_t" : "int8_t"
    } *out, int32_t zp, int32_t lo, int32_t hi) {`,
  );
  l.push(`  (void)zp; (void)lo; (void)hi;`);
  const step = planar ? 1 : cout;
  // Fast modes accumulate doubled sums: the held weights are doubled once per channel.
  const dbl = doubles(mode);
  const d = (v: string) => dbl ? `__sadd16(${v}, ${v})` : v;
  l.push(`  for (int32_t oc = 0; oc < ${cout}; oc++) {`);
  for (let g = 0; g < groups; g++) {
    l.push(
      `    const int32_t wv${g} = te_ld32(w + oc * ${k4} + ${g * 4}), we${g} = ${
        d(`__sxtb16(wv${g})`)
      }, wo${g} = ${d(`te_sxtb16_ror8(wv${g})`)};`,
    );
  }
  l.push(`    const int32_t b = bias[oc]${dbl ? " * 2" : ""};`);
  l.push(`    ${requantLoad(mode, "q", "oc", cout)}`);
  l.push(`    const int64_t *x = (const int64_t *)col;`);
  l.push(planar ? `    int16_t *o = out + oc * ${planar};` : `    int8_t *o = out + oc;`);
  const body = (r: number) => {
    const lines: string[] = [`int32_t a${r} = b;`];
    for (let g = 0; g < groups; g++) {
      const off = (r * groups + g) * 8;
      lines.push(
        `{ int32_t xe, xo; TE_LDRD(xe, xo, x, ${off}); a${r} = __smlad(xe, we${g}, a${r}); a${r} = __smlad(xo, wo${g}, a${r}); }`,
      );
    }
    return lines.join(" ");
  };
  const pairs = Math.floor(rows / 2);
  if (pairs > 0) {
    l.push(`    for (int32_t r = 0; r < ${pairs}; r++) {`);
    l.push(`      ${body(0)}`);
    l.push(`      ${body(1)}`);
    l.push(
      `      o[0] = ${rqOut(requantExpr("a0", mode, clamp, dbl), planar)}; o[${step}] = ${
        rqOut(requantExpr("a1", mode, clamp, dbl), planar)
      };`,
    );
    l.push(`      o += ${2 * step}; x += ${2 * groups};`);
    l.push(`    }`);
  }
  if (rows % 2) {
    l.push(`    { ${body(0)} o[0] = ${rqOut(requantExpr("a0", mode, clamp, dbl), planar)}; }`);
  }
  l.push(`  }`);
  l.push(`}`);
  l.push(``);
  return l.join("\n");
}

/** One input row: four output channels per pass share each input word. */
export function matmulRowFunction(
  name: string,
  k4: number,
  cout: number,
  mode: RequantMode,
  clamp: "sat" | "range",
  direct = false,
): string {
  const main = Math.floor(cout / 4) * 4;
  const block = (outs: number) => {
    const l: string[] = [];
    for (let o = 0; o < outs; o++) l.push(`    int32_t a${o} = bias[oc + ${o}];`);
    l.push(`    const int8_t *wp = w + oc * ${k4};`);
    if (direct) {
      l.push(`    const int8_t *x = (const int8_t *)col;`);
      l.push(`    for (int32_t g = 0; g < ${k4 / 4}; g++) {`);
      l.push(
        `      const int32_t xv = te_ld32(x), xe = __sxtb16(xv), xo = te_sxtb16_ror8(xv); x += 4;`,
      );
    } else {
      l.push(`    const int32_t *x = (const int32_t *)col;`);
      l.push(`    for (int32_t g = 0; g < ${k4 / 4}; g++) {`);
      l.push(`      const int32_t xe = x[0], xo = x[1]; x += 2;`);
    }
    for (let o = 0; o < outs; o++) {
      l.push(
        `      { int32_t wv = te_ld32(wp + ${
          o * k4
        }); a${o} = __smlad(xe, __sxtb16(wv), a${o}); a${o} = __smlad(xo, te_sxtb16_ror8(wv), a${o}); }`,
      );
    }
    l.push(`      wp += 4;`);
    l.push(`    }`);
    for (let o = 0; o < outs; o++) {
      l.push(
        `    { ${requantLoad(mode, "q", `oc + ${o}`, cout)} out[oc + ${o}] = ${
          requantExpr(`a${o}`, mode, clamp)
        }; }`,
      );
    }
    return l.join("\n");
  };
  return [
    `TE_KERNEL void ${name}(const int16_t *col, const int8_t *w, const int32_t *bias, const int32_t *q, int8_t *out, int32_t zp, int32_t lo, int32_t hi) {`,
    `  (void)zp; (void)lo; (void)hi;`,
    `  int32_t oc = 0;`,
    `  for (; oc < ${main}; oc += 4) {\n${block(4)}\n  }`,
    cout > main ? `  for (; oc < ${cout}; oc++) {\n${block(1)}\n  }` : "",
    `}`,
    ``,
  ].filter((l) => l !== "").join("\n");
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
  outputOffset: number,
  lo: number,
) {
  const packed = packMatmulWeights(w, rows, k, bias, inputOffset);
  const rq = requantTable(mult, shift, packed.bias, accSpread(k), outputOffset, false, lo);
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
      const c = layerConsts(
        ctx,
        wK,
        cout,
        k,
        constInt32OrZero(biasT, cout),
        p.inputOffset,
        p.multipliers,
        p.shifts,
        p.outputOffset,
        clampOf(layer).min,
      );
      const cl = clampOf(layer);
      const cm = clampMode(cl.min, cl.max);
      const mm = matmulKernels(ctx, c.k4, cout, c.mode, cm);
      const tail = `${p.outputOffset}, ${cl.min}, ${cl.max}`;
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
        kh,
        kw,
        o.strideH,
        o.strideW,
        o.dilationH,
        o.dilationW,
        pad.top,
        pad.left,
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
      return `${fn}(${inP}, ${outP}, ${c.w}, ${c.b}, ${c.q}, ${-p
        .inputOffset}, ${tail}, ${ctx.scratch});`;
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
      const c = layerConsts(
        ctx,
        constInt8(filter),
        cout,
        k,
        constInt32OrZero(biasT, cout),
        p.inputOffset,
        p.multipliers,
        p.shifts,
        p.outputOffset,
        clampOf(layer).min,
      );
      const cl = clampOf(layer);
      const cm = clampMode(cl.min, cl.max);
      const mm = matmulKernels(ctx, c.k4, cout, c.mode, cm, true);
      const inP = ctx.ptr(layer.inputs[0]!);
      const outP = ctx.ptr(layer.outputs[0]!);
      const col = `(int16_t *)${ctx.scratch}`;
      const args = `${c.w}, ${c.b}, ${c.q}`;
      const tail = `${p.outputOffset}, ${cl.min}, ${cl.max}`;
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
