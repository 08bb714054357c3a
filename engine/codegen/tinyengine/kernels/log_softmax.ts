/**
 * LOG_SOFTMAX (int8 in, int8 out with scale 16/256 and zero point 127): TFLite's fixed-point
 * path. The Q5.26 scaled difference and its Q12.19 exponential for each of the 256 possible
 * differences from the row maximum are compile-time tables from the reference arithmetic; the
 * log of each row's sum runs in C (TFLite's `log_x_for_x_greater_than_or_equal_to_1`).
 *
 * @module
 */
import {
  expOnNegativeValues,
  logSoftmaxParams,
  multiplyByQuantizedMultiplier,
  rescale,
} from "../../../quant/mod.ts";
import { elementCount, type LogSoftmaxNode } from "../../../ir/mod.ts";
import type { Layer, Lowered } from "../../../schedule/mod.ts";
import { SOFTMAX_HELPERS, SOFTMAX_ROW_SUM, softmaxRowArgs } from "./reduce.ts";
import { layerCall, type LayerKernel } from "./types.ts";
import { closeBraces, dim, tensorOf } from "./util.ts";

/**
 * C helper: gemmlowp's log for x >= 1, Q12.19 in, Q5.26 out (TFLite's
 * `log_x_for_x_greater_than_or_equal_to_1_impl`), on top of the softmax helpers' saturating shift
 * and 1 / (1 + x).
 */
const LOG_HELPERS = `TE_INLINE int32_t te_mul_pot(int32_t x, int32_t e) {
  return e < 0 ? te_rdbpot(x, -e) : e == 0 ? x : te_sat_mul_pot(x, e);
}
/* ln(x) for a Q12.19 x >= 1, as Q5.26. */
static int32_t te_log_q12_to_q5(int32_t x) {
  const int32_t quarter = 536870912 >> 6; /* 1/4 in Q6.25 */
  int64_t zas;
  int32_t ha = __builtin_clz((uint32_t)x);
  int32_t ra = te_mul_pot(te_srdhm(te_mul_pot(x, ha - 1), 1518500250), 1);
  zas = (int64_t)te_mul_pot(12 - ha, 25) + quarter;
  int32_t za = zas > INT32_MAX ? INT32_MAX : (int32_t)zas;
  int32_t zb = te_srdhm(x, 1518500250);
  int32_t hb = __builtin_clz((uint32_t)zb) - 1;
  int32_t rb = te_mul_pot(x, hb);
  int64_t zbs = (int64_t)te_mul_pot(12 - hb, 25) - quarter;
  int32_t zb2 = zbs < INT32_MIN ? INT32_MIN : (int32_t)zbs;
  int32_t r = ra < rb ? ra : rb;
  int32_t z = za > zb2 ? za : zb2;
  int64_t ps = (int64_t)r + 1805811301;
  int32_t p = (int32_t)((ps + (ps >= 0 ? 1 : -1)) / 2);
  int32_t q = (int32_t)((uint32_t)r - 1805811301u);
  q = (int32_t)((uint32_t)q + (uint32_t)q);
  int32_t sq = te_srdhm(q, q);
  int32_t num = (int32_t)((uint32_t)te_srdhm(q, r) + (uint32_t)te_srdhm(te_srdhm(q, sq), 117049297));
  int32_t inner = (int32_t)(1057819769u + (uint32_t)q + (uint32_t)te_srdhm(127690142, sq));
  int32_t den = (int32_t)((uint32_t)te_srdhm(p, inner) + (uint32_t)te_srdhm(638450708, q));
  int32_t sum = (int32_t)((uint32_t)te_srdhm(z, 1488522236) +
                          (uint32_t)te_srdhm(te_mul_pot(num, -6), te_one_over_one_plus_x(den)));
  return te_mul_pot(sum, 1);
}
`;

/** LOG_SOFTMAX over the last axis. */
export function logSoftmaxTemplate(lowered: Lowered, layer: Layer): LayerKernel {
  const { graph } = lowered;
  const input = tensorOf(lowered, layer.inputs[0], "input");
  const depth = dim(input.shape, input.shape.length - 1);
  const rows = depth === 0 ? 0 : elementCount(input.shape) / depth;
  return {
    scratchBytes: 0,
    variant: "logsoftmax",
    emit(ctx) {
      const node = {
        ...layer.node,
        inputs: layer.inputs,
        outputs: layer.outputs,
      } as LogSoftmaxNode;
      const p = logSoftmaxParams({ ...graph, nodes: [] }, node);
      const q5 = new Int32Array(256);
      const resc = new Int32Array(256);
      for (let d = 0; d < 256; d++) {
        q5[d] = multiplyByQuantizedMultiplier(-d, p.inputMultiplier, p.inputLeftShift);
        if (-d >= p.diffMin) resc[d] = rescale(expOnNegativeValues(q5[d]!, 5), 0, 12);
      }
      const qP = ctx.consts.int32(q5, "q5_table");
      const rP = ctx.consts.int32(resc, "exp_table");
      ctx.kernel("softmax_helpers", () => SOFTMAX_HELPERS);
      ctx.kernel("logsoftmax_helpers", () => LOG_HELPERS);
      const fn = ctx.kernel("logsoftmax", (name) =>
        [
          `TE_KERNEL void ${name}(const int8_t *in, int8_t *out, int32_t rows, int32_t depth, const int32_t *q5, const int32_t *resc, int32_t diff_min, int32_t rev_m, int32_t rev_s) {`,
          ...SOFTMAX_ROW_SUM,
          `    int32_t lg = te_log_q12_to_q5((int32_t)sum);`,
          `    int32_t rev = te_mbqm((int32_t)((uint32_t)lg + 0x80000000u), rev_m, rev_s);`,
          `    int32_t adj = diff_min - 1 > rev ? diff_min - 1 : rev;`,
          `    for (int32_t c = 0; c < depth; c++) {`,
          `      int32_t d = in[c] - mx;`,
          `      out[c] = d > adj ? te_clamp8(te_rdbpot((int32_t)((uint32_t)q5[-d] - (uint32_t)lg), 22) + 127, -128, 127) : -128;`,
          ...closeBraces(2),
        ].join("\n"));
      return layerCall(
        ctx,
        layer,
        fn,
        ...softmaxRowArgs(ctx, rows, depth),
        qP,
        rP,
        ctx.param("diff_min", Math.max(p.diffMin, -256)),
        ctx.param("rev_mult", p.reverseScalingDivisor),
        ctx.param("rev_shift", p.reverseScalingShift),
      );
    },
  };
}
