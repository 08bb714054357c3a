/**
 * SPLIT, SPLIT_V, PACK and UNPACK: byte copies between one "whole" tensor and its pieces along
 * an axis (TFLM's kernels copy without requantizing, so int8 tensors must share a quantization).
 *
 * @module
 */
import type { Node, PackNode, SplitNode, SplitVNode, Tensor, UnpackNode } from "../../ir/mod.ts";
import { DTYPE_BYTES } from "../../ir/mod.ts";
import {
  fail,
  inputBytes,
  inputTensor,
  int32Values,
  type KernelArgs,
  outputBytes,
  outputTensor,
} from "./_kernel.ts";

/** Whole-tensor rows before the axis, and bytes per unit of the axis. */
function geometry(whole: Tensor, axis: number): { outer: number; inner: number } {
  let outer = 1;
  for (let i = 0; i < axis; i++) outer *= whole.shape[i]!;
  let inner = DTYPE_BYTES[whole.dtype];
  for (let i = axis + 1; i < whole.shape.length; i++) inner *= whole.shape[i]!;
  return { outer, inner };
}

/** Refuse pieces whose type or quantization differs from the whole tensor's. */
function sameQuantization<N extends Node>(args: KernelArgs<N>, whole: Tensor, piece: Tensor) {
  const a = whole.quant, b = piece.quant;
  const same = whole.dtype === piece.dtype &&
    (a?.scale[0] ?? 0) === (b?.scale[0] ?? 0) && (a?.zeroPoint[0] ?? 0) === (b?.zeroPoint[0] ?? 0);
  if (!same) fail(args, `'${piece.name}' must have the type and quantization of '${whole.name}'`);
}

/**
 * Copy between `whole` and the pieces: piece `k` holds `sizes[k]` units of the axis. `gather`
 * copies pieces into the whole (PACK), otherwise the whole into the pieces.
 */
function copyPieces(
  whole: Uint8Array,
  pieces: readonly Uint8Array[],
  sizes: readonly number[],
  g: { outer: number; inner: number },
  gather: boolean,
): void {
  const total = sizes.reduce((a, s) => a + s, 0) * g.inner;
  let offset = 0;
  pieces.forEach((p, k) => {
    const chunk = sizes[k]! * g.inner;
    for (let o = 0; o < g.outer; o++) {
      const w = o * total + offset;
      if (gather) whole.set(p.subarray(o * chunk, (o + 1) * chunk), w);
      else p.set(whole.subarray(w, w + chunk), o * chunk);
    }
    offset += chunk;
  });
}

/** The axis of a SPLIT / SPLIT_V constant input, resolved against `rank`. */
function axisOf<N extends Node>(args: KernelArgs<N>, k: number, rank: number): number {
  const a = int32Values(args, k)[0] ?? 0;
  return a < 0 ? a + rank : a;
}

/** Run one SPLIT node (inputs: axis, data). */
export function split(args: KernelArgs<SplitNode>): void {
  splitAlong(args, 1, 0);
}

/** Run one SPLIT_V node (inputs: data, sizes, axis). */
export function splitV(args: KernelArgs<SplitVNode>): void {
  splitAlong(args, 0, 2);
}

/** Cut input `dataInput` along the axis in input `axisInput` into the node's outputs, in order. */
function splitAlong<N extends SplitNode | SplitVNode>(
  args: KernelArgs<N>,
  dataInput: number,
  axisInput: number,
): void {
  const input = inputTensor(args, dataInput);
  const axis = axisOf(args, axisInput, input.shape.length);
  const outs = args.node.outputs.map((_, k) => outputTensor(args, k));
  outs.forEach((t) => sameQuantization(args, input, t));
  const sizes = outs.map((t) => t.shape[axis]!);
  copyPieces(
    inputBytes(args, dataInput),
    outs.map((_, k) => outputBytes(args, k)),
    sizes,
    geometry(input, axis),
    false,
  );
}

/** Run one PACK node. */
export function pack(args: KernelArgs<PackNode>): void {
  const output = outputTensor(args);
  const rank = output.shape.length;
  const axis = args.node.options.axis < 0 ? args.node.options.axis + rank : args.node.options.axis;
  args.node.inputs.forEach((_, k) => sameQuantization(args, output, inputTensor(args, k)));
  const pieces = args.node.inputs.map((_, k) => inputBytes(args, k));
  copyPieces(outputBytes(args), pieces, pieces.map(() => 1), geometry(output, axis), true);
}

/** Run one UNPACK node. */
export function unpack(args: KernelArgs<UnpackNode>): void {
  const input = inputTensor(args, 0);
  const rank = input.shape.length;
  const axis = args.node.options.axis < 0 ? args.node.options.axis + rank : args.node.options.axis;
  args.node.outputs.forEach((_, k) => sameQuantization(args, input, outputTensor(args, k)));
  const pieces = args.node.outputs.map((_, k) => outputBytes(args, k));
  copyPieces(inputBytes(args, 0), pieces, pieces.map(() => 1), geometry(input, axis), false);
}
