/**
 * ARG_MAX (int8 in, int32 or int64 indices out): one pass along the axis per (outer, inner)
 * position, replacing the running maximum only when strictly greater (the first index on ties,
 * as TFLite).
 *
 * @module
 */
import { type ArgMaxNode, UnsupportedOpError } from "../../../ir/mod.ts";
import { argMaxAxis } from "../../../ops/mod.ts";
import type { Layer, Lowered } from "../../../schedule/mod.ts";
import { layerCall, type LayerKernel } from "./types.ts";
import { tensorOf } from "./util.ts";

/** ARG_MAX along its constant axis. */
export function argMaxTemplate(lowered: Lowered, layer: Layer): LayerKernel {
  const input = tensorOf(lowered, layer.inputs[0], "input");
  const output = tensorOf(lowered, layer.outputs[0], "output");
  if (input.dtype !== "int8" || (output.dtype !== "int32" && output.dtype !== "int64")) {
    throw new UnsupportedOpError(
      "ARG_MAX",
      layer.from[0] ?? -1,
      `tinyengine's kernel reads int8 and writes int32 or int64 indices, the model has ${input.dtype} -> ${output.dtype}`,
    );
  }
  const node = { ...layer.node, inputs: layer.inputs, outputs: layer.outputs } as ArgMaxNode;
  const axis = argMaxAxis(lowered.graph, node);
  const shape = input.shape;
  const size = shape[axis] ?? 1;
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const index = output.dtype === "int64" ? "int64_t" : "int32_t";
  return {
    scratchBytes: 0,
    variant: `argmax ${output.dtype}`,
    emit(ctx) {
      const fn = ctx.kernel(`argmax_${output.dtype}`, (name) =>
        [
          `TE_KERNEL void ${name}(const int8_t *in, void *out, int32_t outer, int32_t size, int32_t inner) {`,
          `  ${index} *o = (${index} *)out;`,
          `  for (int32_t a = 0; a < outer; a++, in += size * inner) {`,
          `    for (int32_t b = 0; b < inner; b++) {`,
          `      const int8_t *p = in + b;`,
          `      int32_t best = p[0], at = 0;`,
          `      for (int32_t i = 1; i < size; i++) { p += inner; if (*p > best) { best = *p; at = i; } }`,
          `      *o++ = at;`,
          `    }`,
          `  }`,
          `}`,
          ``,
        ].join("\n"));
      return layerCall(
        ctx,
        layer,
        fn,
        ctx.param("outer", outer),
        ctx.param("size", size),
        ctx.param("inner", inner),
      );
    },
  };
}
