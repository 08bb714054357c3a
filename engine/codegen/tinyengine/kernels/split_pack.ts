/**
 * SPLIT, SPLIT_V, PACK and UNPACK: row copies between one whole tensor and its pieces along an
 * axis, unrolled per piece with the geometry as literals (no requantization: the tensors share
 * one quantization).
 *
 * @module
 */
import { DTYPE_BYTES, int32Data, type Tensor } from "../../../ir/mod.ts";
import type { Layer, Lowered } from "../../../schedule/mod.ts";
import type { LayerKernel } from "./types.ts";
import { tensorOf } from "./util.ts";

/** Which tensor is whole and where the axis comes from, per operator. */
interface AxisCopy {
  readonly whole: Tensor;
  readonly wholeIndex: number;
  readonly axis: number;
  /** Graph tensor indices of the pieces, in order. */
  readonly pieces: readonly number[];
  /** Units of the axis each piece spans. */
  readonly units: readonly number[];
  /** Pieces are copied into the whole (PACK), otherwise out of it. */
  readonly gather: boolean;
}

function resolve(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

function describe(lowered: Lowered, layer: Layer): AxisCopy {
  const t = (i: number | undefined, what: string) => tensorOf(lowered, i, what);
  const o = layer.node.options as { axis?: number };
  switch (layer.op) {
    case "PACK":
    case "UNPACK": {
      const gather = layer.op === "PACK";
      const wholeIndex = gather ? layer.outputs[0]! : layer.inputs[0]!;
      const whole = t(wholeIndex, "whole");
      const pieces = gather ? layer.inputs : layer.outputs;
      return {
        whole,
        wholeIndex,
        axis: resolve(o.axis ?? 0, whole.shape.length),
        pieces,
        units: pieces.map(() => 1),
        gather,
      };
    }
    default: {
      // SPLIT: [axis, input]; SPLIT_V: [input, size_splits, axis].
      const [dataAt, axisAt] = layer.op === "SPLIT" ? [1, 0] : [0, 2];
      const wholeIndex = layer.inputs[dataAt]!;
      const whole = t(wholeIndex, "input");
      const axis = resolve(int32Data(t(layer.inputs[axisAt], "axis"))[0] ?? 0, whole.shape.length);
      return {
        whole,
        wholeIndex,
        axis,
        pieces: layer.outputs,
        units: layer.outputs.map((p) => t(p, "output").shape[axis]!),
        gather: false,
      };
    }
  }
}

/** The copy of SPLIT, SPLIT_V, PACK or UNPACK. */
export function axisCopyTemplate(lowered: Lowered, layer: Layer): LayerKernel {
  const d = describe(lowered, layer);
  let outer = 1;
  for (let i = 0; i < d.axis; i++) outer *= d.whole.shape[i]!;
  let inner = DTYPE_BYTES[d.whole.dtype];
  for (let i = d.axis + 1; i < d.whole.shape.length; i++) inner *= d.whole.shape[i]!;
  const row = d.whole.shape[d.axis]! * inner;
  return {
    scratchBytes: 0,
    variant: `${layer.op.toLowerCase()} ${d.pieces.length}`,
    emit(ctx) {
      const w = ctx.ptr(d.wholeIndex);
      let offset = 0;
      return d.pieces.map((p, k) => {
        const chunk = d.units[k]! * inner;
        const tensor = tensorOf(lowered, p, `piece ${k}`);
        const src = tensor.data ? ctx.consts.int8(new Int8Array(tensor.data), "data") : ctx.ptr(p);
        const [to, from] = d.gather
          ? [`${w} + o * ${row} + ${offset}`, `${src} + o * ${chunk}`]
          : [`${src} + o * ${chunk}`, `${w} + o * ${row} + ${offset}`];
        offset += chunk;
        return `for (int32_t o = 0; o < ${outer}; o++) memcpy(${to}, ${from}, ${chunk});`;
      }).join("\n  ");
    },
  };
}
