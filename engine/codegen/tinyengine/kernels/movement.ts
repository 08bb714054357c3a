/**
 * Data movement: PAD (not folded into a convolution), TRANSPOSE, CONCATENATION (copies, or a
 * requantizing table for inputs whose quantization differs), STRIDED_SLICE,
 * RESIZE_NEAREST_NEIGHBOR and RESHAPE when it must copy.
 *
 * @module
 */
import { concatenationParams, multiplyByQuantizedMultiplier } from "../../../quant/mod.ts";
import {
  type ConcatenationNode,
  DTYPE_BYTES,
  elementCount,
  int32Data,
  type ResizeNearestNeighborNode,
  type StridedSliceNode,
  tensorBytes,
} from "../../../ir/mod.ts";
import { sliceAxes } from "../../../ir/mod.ts";
import { nearestNeighbor } from "../../../reference/mod.ts";
import type { Layer, Lowered } from "../../../schedule/mod.ts";
import type { LayerKernel } from "./types.ts";
import { tensorOf } from "./util.ts";

/** PAD of any rank: fill with the output zero point, then copy innermost rows. */
export function padTemplate(lowered: Lowered, layer: Layer): LayerKernel {
  const input = tensorOf(lowered, layer.inputs[0], "input");
  const output = tensorOf(lowered, layer.outputs[0], "output");
  const p = int32Data(tensorOf(lowered, layer.inputs[1], "paddings"));
  const size = DTYPE_BYTES[input.dtype];
  const rank = input.shape.length;
  return {
    scratchBytes: 0,
    variant: "pad",
    emit(ctx) {
      const zp = input.dtype === "int8" ? (output.quant?.zeroPoint[0] ?? 0) : 0;
      const inner = (input.shape[rank - 1] ?? 1) * size;
      const outStrides = new Array<number>(rank).fill(0);
      let s = size;
      for (let i = rank - 1; i >= 0; i--) {
        outStrides[i] = s;
        s *= output.shape[i]!;
      }
      const loops = input.shape.slice(0, rank - 1).map((d, k) =>
        `for (int32_t i${k} = 0; i${k} < ${d}; i${k}++)`
      );
      const dstTerms = input.shape.slice(0, rank - 1).map((_, k) =>
        `(i${k} + ${p[2 * k]}) * ${outStrides[k]}`
      );
      const srcTerms: string[] = [];
      let st = inner;
      for (let k = rank - 2; k >= 0; k--) {
        srcTerms.unshift(`i${k} * ${st}`);
        st *= input.shape[k]!;
      }
      const lead = rank === 0 ? 0 : p[2 * (rank - 1)]! * size;
      const inP = ctx.ptr(layer.inputs[0]!);
      const outP = ctx.ptr(layer.outputs[0]!);
      return `memset(${outP}, ${zp}, ${tensorBytes(output)});
  ${loops.join(" ")} memcpy(${outP} + ${lead}${dstTerms.map((t) => ` + ${t}`).join("")}, ${inP}${
        srcTerms.map((t) => ` + ${t}`).join("")
      }, ${inner});`;
    },
  };
}

/** TRANSPOSE of any rank (element size 1, 2, 4 or 8 bytes). */
export function transposeTemplate(lowered: Lowered, layer: Layer): LayerKernel {
  const input = tensorOf(lowered, layer.inputs[0], "input");
  const output = tensorOf(lowered, layer.outputs[0], "output");
  const perm = Array.from(int32Data(tensorOf(lowered, layer.inputs[1], "perm")));
  const size = DTYPE_BYTES[input.dtype];
  return {
    scratchBytes: 0,
    variant: "transpose",
    emit(ctx) {
      const rank = input.shape.length;
      const inStrides = new Array<number>(rank).fill(0);
      let s = 1;
      for (let i = rank - 1; i >= 0; i--) {
        inStrides[i] = s;
        s *= input.shape[i]!;
      }
      const loops = output.shape.map((d, k) => `for (int32_t i${k} = 0; i${k} < ${d}; i${k}++)`);
      const src = perm.map((a, k) => `i${k} * ${inStrides[a]}`).join(" + ") || "0";
      const ty = size === 1
        ? "int8_t"
        : size === 2
        ? "int16_t"
        : size === 4
        ? "int32_t"
        : "int64_t";
      return `{ const ${ty} *src = (const ${ty} *)${
        ctx.ptr(layer.inputs[0]!)
      }; ${ty} *dst = (${ty} *)${ctx.ptr(layer.outputs[0]!)}; int32_t o = 0;
  ${loops.join(" ")} dst[o++] = src[${src}]; }`;
    },
  };
}

/** CONCATENATION along any axis. */
export function concatTemplate(lowered: Lowered, layer: Layer): LayerKernel {
  const { graph } = lowered;
  const output = tensorOf(lowered, layer.outputs[0], "output");
  const node = { ...layer.node, inputs: layer.inputs, outputs: layer.outputs } as ConcatenationNode;
  const rank = output.shape.length;
  const axis = node.options.axis < 0 ? node.options.axis + rank : node.options.axis;
  const size = DTYPE_BYTES[output.dtype];
  return {
    scratchBytes: 0,
    variant: "concat",
    emit(ctx) {
      const params = output.dtype === "int8"
        ? concatenationParams({ ...graph, nodes: [] }, node)
        : undefined;
      let outer = 1;
      for (let i = 0; i < axis; i++) outer *= output.shape[i]!;
      let inner = size;
      for (let i = axis + 1; i < rank; i++) inner *= output.shape[i]!;
      const outRow = output.shape[axis]! * inner;
      const lines: string[] = [];
      let offset = 0;
      layer.inputs.forEach((t, i) => {
        const tensor = tensorOf(lowered, t, `input ${i}`);
        const chunk = (tensor.shape[axis] ?? 1) * inner;
        const src = tensor.data ? ctx.consts.int8(new Int8Array(tensor.data), "data") : ctx.ptr(t);
        const pr = params?.[i];
        if (!pr || pr.identity) {
          lines.push(
            `for (int32_t o = 0; o < ${outer}; o++) memmove(${
              ctx.ptr(layer.outputs[0]!)
            } + o * ${outRow} + ${offset}, ${src} + o * ${chunk}, ${chunk});`,
          );
        } else {
          const lut = new Int8Array(256);
          for (let x = -128; x < 128; x++) {
            const v =
              multiplyByQuantizedMultiplier(x - pr.inputZeroPoint, pr.multiplier, pr.shift) +
              pr.outputZeroPoint;
            lut[x + 128] = v < -128 ? -128 : v > 127 ? 127 : v;
          }
          const l = ctx.consts.int8(lut, "lut");
          lines.push(
            `for (int32_t o = 0; o < ${outer}; o++) for (int32_t k = 0; k < ${chunk}; k++) ${
              ctx.ptr(layer.outputs[0]!)
            }[o * ${outRow} + ${offset} + k] = ${l}[${src}[o * ${chunk} + k] + 128];`,
          );
        }
        offset += chunk;
      });
      return lines.join("\n  ");
    },
  };
}

/** RESHAPE that could not become an alias: a copy. */
export function copyTemplate(lowered: Lowered, layer: Layer): LayerKernel {
  const input = tensorOf(lowered, layer.inputs[0], "input");
  return {
    scratchBytes: 0,
    variant: "copy",
    emit(ctx) {
      const src = input.data
        ? ctx.consts.int8(new Int8Array(input.data), "data")
        : ctx.ptr(layer.inputs[0]!);
      return `memmove(${ctx.ptr(layer.outputs[0]!)}, ${src}, ${
        elementCount(input.shape) * DTYPE_BYTES[input.dtype]
      });`;
    },
  };
}

/** STRIDED_SLICE: nested loops over the slice with the start and stride of every axis inlined. */
export function stridedSliceTemplate(lowered: Lowered, layer: Layer): LayerKernel {
  const input = tensorOf(lowered, layer.inputs[0], "input");
  const [begin, end, strides] = [1, 2, 3].map((k) =>
    int32Data(tensorOf(lowered, layer.inputs[k], ["begin", "end", "strides"][k - 1]!))
  ) as [Int32Array, Int32Array, Int32Array];
  const node = layer.node as StridedSliceNode;
  const axes = sliceAxes(input.shape, begin, end, strides, node.options);
  const size = DTYPE_BYTES[input.dtype];
  return {
    scratchBytes: 0,
    variant: "strided slice",
    emit(ctx) {
      const rank = input.shape.length;
      const inStrides = new Array<number>(rank).fill(1);
      for (let k = rank - 2; k >= 0; k--) inStrides[k] = inStrides[k + 1]! * input.shape[k + 1]!;
      const loops = axes.map((a, k) => `for (int32_t i${k} = 0; i${k} < ${a.count}; i${k}++)`);
      const src =
        axes.map((a, k) => `(${a.start} + i${k} * ${a.stride}) * ${inStrides[k]! * size}`).join(
          " + ",
        ) || "0";
      return `{ const int8_t *src = ${ctx.ptr(layer.inputs[0]!)}; int8_t *dst = ${
        ctx.ptr(layer.outputs[0]!)
      }; int32_t o = 0;
  ${loops.join(" ")} { memcpy(dst + o, src + ${src}, ${size}); o += ${size}; } }`;
    },
  };
}

/**
 * RESIZE_NEAREST_NEIGHBOR: the input row and column of every output row and column, computed at
 * compile time with the reference's index function, as two tables of byte offsets.
 */
export function resizeNearestTemplate(lowered: Lowered, layer: Layer): LayerKernel {
  const input = tensorOf(lowered, layer.inputs[0], "input");
  const output = tensorOf(lowered, layer.outputs[0], "output");
  const node = layer.node as ResizeNearestNeighborNode;
  const { alignCorners, halfPixelCenters } = node.options;
  const [n, h, w, c] = input.shape as [number, number, number, number];
  const [, oh, ow] = output.shape as [number, number, number, number];
  const pixel = c * DTYPE_BYTES[input.dtype];
  return {
    scratchBytes: 0,
    variant: "resize nearest",
    emit(ctx) {
      const rows = Int32Array.from(
        { length: oh },
        (_, y) => nearestNeighbor(y, h, oh, alignCorners, halfPixelCenters) * w * pixel,
      );
      const cols = Int32Array.from(
        { length: ow },
        (_, x) => nearestNeighbor(x, w, ow, alignCorners, halfPixelCenters) * pixel,
      );
      return `{ const int8_t *src = ${ctx.ptr(layer.inputs[0]!)}; int8_t *dst = ${
        ctx.ptr(layer.outputs[0]!)
      }; const int32_t *ry = ${ctx.consts.int32(rows, "row_offsets")}; const int32_t *cx = ${
        ctx.consts.int32(cols, "col_offsets")
      };
  for (int32_t b = 0; b < ${n}; b++) for (int32_t y = 0; y < ${oh}; y++) { const int8_t *row = src + b * ${
        h * w * pixel
      } + ry[y]; for (int32_t x = 0; x < ${ow}; x++) { memcpy(dst, row + cx[x], ${pixel}); dst += ${pixel}; } } }`;
    },
  };
}
