/**
 * The operators that cut a tensor along an axis or stack tensors along a new one, copying bytes
 * (int8 tensors share one quantization): SPLIT and SPLIT_V (several outputs), PACK, and UNPACK
 * (several outputs).
 *
 * @module
 */
import { oneNumberOption } from "./_codec.ts";
import { type CheckContext, sameDims, shapeText } from "./_check.ts";
import { constInt32, shapeOf } from "./_shape_util.ts";
import type { OpDef } from "./op_def.ts";
import { i32, OPTIONS } from "./tflite_options.ts";

/** An axis in [-rank, rank) as a non-negative index, or undefined when out of range. */
export function resolveAxis(axis: number, rank: number): number | undefined {
  const a = axis < 0 ? axis + rank : axis;
  return Number.isInteger(a) && a >= 0 && a < rank ? a : undefined;
}

/**
 * The sizes SPLIT_V cuts along its axis: `sizes` with a single -1 replaced by what is left, or a
 * text saying why they do not fit `total`.
 */
export function splitVSizes(sizes: readonly number[], total: number): number[] | string {
  const unknown = sizes.filter((s) => s === -1).length;
  if (unknown > 1) return `size_splits [${sizes}] has more than one -1`;
  if (sizes.some((s) => s < -1)) return `size_splits [${sizes}] has a negative size`;
  const known = sizes.reduce((a, s) => a + (s === -1 ? 0 : s), 0);
  const out = sizes.map((s) => (s === -1 ? total - known : s));
  if (out.some((s) => s < 0) || out.reduce((a, s) => a + s, 0) !== total) {
    return `size_splits [${sizes}] do not add up to the axis size ${total}`;
  }
  return out;
}

/** The scalar axis of constant input `k` (SPLIT, SPLIT_V), resolved against `rank`. */
function axisInput(ctx: CheckContext, k: number, rank: number): number {
  const values = ctx.ints(k, "axis");
  if (values.length !== 1) ctx.fail(`axis tensor has ${values.length} values, expected 1`);
  return resolveAxis(values[0]!, rank) ??
    ctx.fail(`axis ${values[0]} is out of range for rank ${rank}`);
}

/** Every output `k` has `shapeAt(k)`. */
function expectOutputs(ctx: CheckContext, count: number, shapeAt: (k: number) => number[]): void {
  for (let k = 0; k < count; k++) ctx.expectShape(shapeAt(k), "the expected", k);
}

/** Output `k` of a split of `input` along `axis` into pieces of `sizes`. */
function piece(input: readonly number[], axis: number, size: number): number[] {
  return input.map((d, j) => (j === axis ? size : d));
}

/** The outputs of a split of `input` along `axis` into pieces of `sizes`. */
function splitShapes(input: readonly number[], axis: number, sizes: number[]): number[][] {
  return sizes.map((s) => piece(input, axis, s));
}

/** SPLIT. */
export const SPLIT: OpDef<"SPLIT"> = {
  inputs: [2, 2],
  outputs: [1, Number.MAX_SAFE_INTEGER],
  check(ctx, node) {
    const input = ctx.tensor(1).shape;
    const axis = axisInput(ctx, 0, input.length);
    const n = node.options.numSplits;
    if (n !== node.outputs.length) {
      ctx.fail(`num_splits ${n} differs from its ${node.outputs.length} outputs`);
    }
    if (input[axis]! % n !== 0) {
      ctx.fail(`axis ${axis} of input shape ${shapeText(input)} does not split into ${n}`);
    }
    expectOutputs(ctx, n, () => piece(input, axis, input[axis]! / n));
  },
  outputShapes(graph, node) {
    const input = shapeOf(graph, node.inputs[1], "SPLIT input");
    const axis = resolveAxis(constInt32(graph, node.inputs[0], "SPLIT axis")[0]!, input.length)!;
    const n = node.options.numSplits;
    return splitShapes(input, axis, new Array<number>(n).fill(input[axis]! / n));
  },
  tflite: oneNumberOption(49, OPTIONS.SplitOptions, "i32", "numSplits", "num_splits"),
};

/** SPLIT_V. */
export const SPLIT_V: OpDef<"SPLIT_V"> = {
  inputs: [3, 3],
  outputs: [1, Number.MAX_SAFE_INTEGER],
  check(ctx, node) {
    const input = ctx.inS;
    const axis = axisInput(ctx, 2, input.length);
    const given = splitVSizes(ctx.ints(1, "size_splits"), input[axis]!);
    const sizes = typeof given === "string" ? ctx.fail(given) : given;
    if (sizes.length !== node.outputs.length || node.options.numSplits !== sizes.length) {
      ctx.fail(
        `${sizes.length} size_splits, num_splits ${node.options.numSplits} and ${node.outputs.length} outputs differ`,
      );
    }
    expectOutputs(ctx, sizes.length, (k) => piece(input, axis, sizes[k]!));
  },
  outputShapes(graph, node) {
    const input = shapeOf(graph, node.inputs[0], "SPLIT_V input");
    const axis = resolveAxis(constInt32(graph, node.inputs[2], "SPLIT_V axis")[0]!, input.length)!;
    const sizes = splitVSizes(
      Array.from(constInt32(graph, node.inputs[1], "SPLIT_V size_splits")),
      input[axis]!,
    );
    if (typeof sizes === "string") throw new RangeError(`Cannot infer a shape: ${sizes}`);
    return splitShapes(input, axis, sizes);
  },
  tflite: oneNumberOption(102, OPTIONS.SplitVOptions, "i32", "numSplits", "num_splits"),
};

/** PACK. */
export const PACK: OpDef<"PACK"> = {
  inputs: [1, Number.MAX_SAFE_INTEGER],
  check(ctx, node) {
    const { inS } = ctx;
    const n = node.inputs.length;
    if (node.options.valuesCount !== n) {
      ctx.fail(`values_count ${node.options.valuesCount} differs from its ${n} inputs`);
    }
    node.inputs.forEach((_, k) => {
      const s = ctx.tensor(k).shape;
      if (!sameDims(s, inS)) ctx.fail(`input ${k} shape ${shapeText(s)} differs from input 0's`);
    });
    const axis = resolveAxis(node.options.axis, inS.length + 1) ??
      ctx.fail(`axis ${node.options.axis} is out of range for rank ${inS.length + 1}`);
    ctx.expectShape([...inS.slice(0, axis), n, ...inS.slice(axis)], "the packed");
  },
  outputShapes(graph, node) {
    const input = shapeOf(graph, node.inputs[0], "PACK input 0");
    const axis = resolveAxis(node.options.axis, input.length + 1)!;
    return [[...input.slice(0, axis), node.inputs.length, ...input.slice(axis)]];
  },
  describe: (node) => `axis ${node.options.axis}`,
  tflite: {
    code: 83,
    options: OPTIONS.PackOptions,
    read: (o) => ({ valuesCount: o?.i32(0, "values_count") ?? 0, axis: o?.i32(1, "axis") ?? 0 }),
    write: (o) => [i32(0, o.valuesCount), i32(1, o.axis)],
  },
};

/** UNPACK. */
export const UNPACK: OpDef<"UNPACK"> = {
  inputs: [1, 1],
  outputs: [1, Number.MAX_SAFE_INTEGER],
  check(ctx, node) {
    const { inS } = ctx;
    const axis = resolveAxis(node.options.axis, inS.length) ??
      ctx.fail(`axis ${node.options.axis} is out of range for rank ${inS.length}`);
    if (inS[axis] !== node.outputs.length || node.options.num !== node.outputs.length) {
      ctx.fail(
        `axis ${axis} of size ${
          inS[axis]
        }, num ${node.options.num} and ${node.outputs.length} outputs differ`,
      );
    }
    expectOutputs(ctx, node.outputs.length, () => inS.filter((_, j) => j !== axis));
  },
  outputShapes(graph, node) {
    const input = shapeOf(graph, node.inputs[0], "UNPACK input");
    const axis = resolveAxis(node.options.axis, input.length)!;
    return Array.from({ length: input[axis]! }, () => input.filter((_, j) => j !== axis));
  },
  describe: (node) => `axis ${node.options.axis}`,
  tflite: {
    code: 88,
    options: OPTIONS.UnpackOptions,
    read: (o) => ({ num: o?.i32(0, "num") ?? 0, axis: o?.i32(1, "axis") ?? 0 }),
    write: (o) => [i32(0, o.num), i32(1, o.axis)],
  },
};
