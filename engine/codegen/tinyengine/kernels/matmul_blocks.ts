/**
 * The matrix blocks every conv/FC kernel calls: two rows x four outputs at a time with SMLAD on
 * SXTB16-unpacked int8 (`matmulFunction`), the weight-stationary variant for small K
 * (`matmulWsFunction`) and the one-row direct form (`matmulRowFunction`).
 *
 * @module
 */
import { doubles, requantExpr, requantLoad, type RequantMode, rqOut } from "./requant.ts";
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
