/**
 * Random-chain steps of the operators added for issue #12 item 5 (kept apart from
 * `random_graph.ts` to keep both files small): SPLIT / SPLIT_V and UNPACK, each joined back by
 * CONCATENATION / PACK in reversed order so every output is read and the chain stays 4-D;
 * RSQRT (after a requantization to zero point -128, its domain), SQUARED_DIFFERENCE and PRELU
 * against a per-channel constant; ARG_MAX (int32 or int64 indices, so only as the chain's last
 * layer: `randomChainGraph` draws it nowhere else); BATCH_MATMUL over the last two dimensions
 * against a constant (rank 2, or rank 3 per row of the batch) or against a requantized copy of
 * its own input (`x x^T` with adj_y, `x^T x` with adj_x); GELU (exact or approximate) into a
 * random output quantization.
 *
 * @module
 */
import type { Chain } from "./random_graph.ts";

/** Operators the steps of this file draw. */
export const MORE_RANDOM_OPS = [
  "split",
  "unpack",
  "rsqrt",
  "sqdiff",
  "prelu",
  "argmax",
  "batchmatmul",
  "gelu",
] as const;

/** Steps whose output is not int8: only the chain's last layer may draw them. */
export const LAST_ONLY_OPS: readonly MoreRandomOp[] = ["argmax"];

/** One of {@link MORE_RANDOM_OPS}. */
export type MoreRandomOp = (typeof MORE_RANDOM_OPS)[number];

/** An axis of `shape` (1..3) with at least `min` and at most `max` elements, or undefined. */
function axisWith(c: Chain, shape: readonly number[], min: number, max: number) {
  const axes = [1, 2, 3].filter((a) => shape[a]! >= min && shape[a]! <= max);
  return axes.length ? c.pick(axes) : undefined;
}

/** Random positive sizes adding up to `total`, at least two. */
function cuts(c: Chain, total: number): number[] {
  const n = c.range(2, Math.min(4, total));
  const sizes = new Array<number>(n).fill(1);
  for (let left = total - n; left > 0; left--) sizes[c.rng.int(n)]! += 1;
  return sizes;
}

/** A tensor of `shape` with `x`'s quantization (the copies do not requantize). */
function like(c: Chain, x: number, name: string, shape: readonly number[]): number {
  const q = c.tensors[x]!.quant!;
  return c.act(name, shape, q.scale[0], q.zeroPoint[0]);
}

/** One step of {@link MORE_RANDOM_OPS}: the output tensor (or `x` when the shape does not fit). */
export function moreStep(c: Chain, x: number, op: MoreRandomOp): number {
  const shape = c.tensors[x]!.shape;
  const id = c.nodes.length;
  switch (op) {
    case "split": {
      const axis = axisWith(c, shape, 2, 1 << 30);
      if (axis === undefined) return x;
      const even = c.rng.int(2) === 0 && shape[axis]! % 2 === 0;
      const sizes = even ? [shape[axis]! / 2, shape[axis]! / 2] : cuts(c, shape[axis]!);
      const outs = sizes.map((s, k) =>
        like(c, x, `s${id}_${k}`, shape.map((d, j) => (j === axis ? s : d)))
      );
      const negative = c.rng.int(2) === 0;
      if (even) {
        const a = c.int32Const(`ax${id}`, [negative ? axis - 4 : axis], []);
        c.nodes.push({ op: "SPLIT", inputs: [a, x], outputs: outs, options: { numSplits: 2 } });
      } else {
        // One size given as -1 (inferred) half of the time.
        const given = sizes.map((s, k) => (k === 0 && c.rng.int(2) === 0 ? -1 : s));
        const v = c.int32Const(`sz${id}`, given);
        const a = c.int32Const(`ax${id}`, [axis], []);
        c.nodes.push({
          op: "SPLIT_V",
          inputs: [x, v, a],
          outputs: outs,
          options: { numSplits: sizes.length },
        });
      }
      const y = like(c, x, `y${id}`, shape);
      c.nodes.push({
        op: "CONCATENATION",
        inputs: [...outs].reverse(),
        outputs: [y],
        options: { axis, activation: "NONE" },
      });
      return y;
    }
    case "rsqrt": {
      // Requantize to zero point -128 (RSQRT is defined from the zero point up), then RSQRT.
      const s = c.scaleOf(x) * (1 + c.rng.next());
      const r = c.act(`r${id}`, shape, s, -128);
      c.nodes.push({ op: "QUANTIZE", inputs: [x], outputs: [r], options: {} });
      const y = c.act(
        `y${id}`,
        shape,
        1 / Math.sqrt(s) / (150 + c.rng.int(100)),
        c.range(-120, -60),
      );
      c.nodes.push({ op: "RSQRT", inputs: [r], outputs: [y], options: {} });
      return y;
    }
    case "sqdiff":
    case "prelu": {
      const ch = shape[3]!;
      const sx = c.scaleOf(x);
      const k = c.int8Const(`k${id}`, [ch], [op === "prelu" ? 0.01 : sx * (0.5 + c.rng.next())], 0);
      const y = op === "prelu"
        ? c.act(`y${id}`, shape, sx * (0.8 + 0.4 * c.rng.next()))
        : c.act(`y${id}`, shape, (sx * 60) ** 2 / 200, -128);
      c.nodes.push({
        op: op === "prelu" ? "PRELU" : "SQUARED_DIFFERENCE",
        inputs: [x, k],
        outputs: [y],
        options: {},
      });
      return y;
    }
    case "argmax": {
      const axis = c.range(0, 3);
      const outputType = c.pick(["int32", "int64"] as const);
      const a = c.int32Const(`ax${id}`, [c.rng.int(2) ? axis : axis - 4]);
      c.tensors.push({
        name: `y${id}`,
        shape: shape.filter((_, j) => j !== axis),
        dtype: outputType,
      });
      const y = c.tensors.length - 1;
      c.nodes.push({ op: "ARG_MAX", inputs: [x, a], outputs: [y], options: { outputType } });
      return y;
    }
    case "batchmatmul": {
      const [, h, w, ch] = shape as [number, number, number, number];
      const sx = c.scaleOf(x);
      const variant = c.rng.int(4);
      let rhs: number;
      let adjX = false;
      let adjY = c.rng.int(2) === 1;
      let outShape: number[];
      let depth = ch;
      if (variant < 2) {
        const n = c.range(1, 12);
        const m = adjY ? [n, ch] : [ch, n];
        rhs = c.int8Const(
          `m${id}`,
          variant === 0 ? m : [h, ...m],
          [0.004 + 0.01 * c.rng.next()],
          0,
        );
        const q = c.tensors[rhs]!.quant!;
        c.tensors[rhs] = { ...c.tensors[rhs]!, quant: { ...q, zeroPoint: [c.range(-9, 9)] } };
        outShape = [1, h, w, n];
      } else {
        rhs = c.act(`r${id}`, shape, sx * (0.5 + c.rng.next()));
        c.nodes.push({ op: "QUANTIZE", inputs: [x], outputs: [rhs], options: {} });
        adjX = variant === 3;
        adjY = !adjX;
        depth = adjX ? w : ch;
        outShape = adjX ? [1, h, ch, ch] : [1, h, w, w];
      }
      const y = c.act(`y${id}`, outShape, c.outScale(sx, c.scaleOf(rhs), depth));
      c.nodes.push({ op: "BATCH_MATMUL", inputs: [x, rhs], outputs: [y], options: { adjX, adjY } });
      return y;
    }
    case "gelu": {
      const y = c.act(`y${id}`, shape, c.scaleOf(x) * (0.4 + c.rng.next()), c.range(-40, 10));
      c.nodes.push({
        op: "GELU",
        inputs: [x],
        outputs: [y],
        options: { approximate: c.rng.int(2) === 1 },
      });
      return y;
    }
    case "unpack": {
      const axis = axisWith(c, shape, 2, 6);
      if (axis === undefined) return x;
      const rest = shape.filter((_, j) => j !== axis);
      const outs = Array.from({ length: shape[axis]! }, (_, k) => like(c, x, `u${id}_${k}`, rest));
      c.nodes.push({
        op: "UNPACK",
        inputs: [x],
        outputs: outs,
        options: { num: outs.length, axis: c.rng.int(2) ? axis : axis - 4 },
      });
      const y = like(c, x, `y${id}`, shape);
      c.nodes.push({
        op: "PACK",
        inputs: [...outs].reverse(),
        outputs: [y],
        options: { valuesCount: outs.length, axis },
      });
      return y;
    }
  }
}
