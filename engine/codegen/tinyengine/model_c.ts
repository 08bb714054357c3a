/**
 * Pieces of the generated `model.c` besides the kernels: symbol aliases into the arena, the float
 * boundary loops, constant-symbol prefixes and the comment above each layer's call.
 *
 * @module
 */
import { aliasDirectives } from "../symbols.ts";
import { elementCount, type Graph, type Quantization } from "../../ir/mod.ts";
import type { Layer, Lowered } from "../../schedule/mod.ts";

/** A global data symbol at an arena offset (the emulator reads its size). */
export function aliasSymbol(name: string, offset: number, size: number): string {
  const lines = aliasDirectives(name, "te_arena", offset, size);
  return lines.map((d, i) => {
    const text = `"${d}${i < lines.length - 1 ? "\\n" : ""}"`;
    return i === 0 ? `__asm__(${text}` : `        ${text}${i === lines.length - 1 ? ");" : ""}`;
  }).join("\n");
}

function f32Literal(x: number): string {
  return `${Math.fround(x).toPrecision(17)}`;
}

/**
 * The float boundary of the model (fixtures/firmware/float_io.h), from `src` into `dst` over the
 * int8 tensor's elements: `"quantize"` a float input (TFLite's QUANTIZE in single precision on
 * the FPU, `mcu_quantize_f32_array`, 11 instructions per element) or `"dequantize"` an int8
 * output (TFLite's DEQUANTIZE, one float32 multiply, `mcu_dequantize_i8_array`).
 */
export function floatBoundaryCode(
  kind: "quantize" | "dequantize",
  graph: Graph,
  quant: Quantization,
  tensor: number,
  src: string,
  dst: string,
): string {
  const n = elementCount(graph.tensors[tensor]!.shape);
  const scale = f32Literal(quant.scale[0] ?? 1);
  const zp = quant.zeroPoint[0] ?? 0;
  const fn = kind === "quantize" ? "mcu_quantize_f32_array" : "mcu_dequantize_i8_array";
  return `${fn}(${src}, ${dst}, ${n}, ${scale}f, ${zp});`;
}

function shapeText(graph: Graph, t: number): string {
  return graph.tensors[t]!.shape.join("x");
}

function quantText(graph: Graph, t: number): string {
  const q = graph.tensors[t]!.quant;
  return q ? `q(${Math.fround(q.scale[0] ?? 0).toPrecision(6)}, ${q.zeroPoint[0] ?? 0})` : "float";
}

/**
 * What a layer computes, for the comment above its `#define` block: op and kernel variant, tensor
 * shapes, quantization (scale, zero point) of input and output.
 */
export function layerComment(lowered: Lowered, i: number): string {
  const graph = lowered.graph;
  const l = lowered.layers[i]!;
  const acts = (ts: readonly number[]) => ts.filter((t) => t >= 0 && !graph.tensors[t]!.data);
  const ins = acts(l.pre ? l.pre.inputs : l.inputs);
  const outs = acts(l.outputs);
  const parts = [
    `${ins.map((t) => shapeText(graph, t)).join(", ")} -> ${
      outs.map((t) => shapeText(graph, t)).join(", ")
    }`,
    `in ${ins.map((t) => quantText(graph, t)).join(", ")}, out ${
      outs.map((t) => quantText(graph, t)).join(", ")
    }`,
  ];
  return parts.join("; ");
}

/**
 * The real scale `s_in * s_w / s_out` (per channel: its range) that each multiplier table of a
 * layer with quantized weights encodes, by the table's role (`mult`; `pw_mult` and `dw_mult` for
 * a streamed expansion + depthwise).
 */
export function requantScales(
  lowered: Lowered,
  i: number,
): { readonly role: string; readonly scale: string }[] {
  const graph = lowered.graph;
  const l = lowered.layers[i]!;
  const parts: { role: string; layer: Layer }[] = l.pre
    ? [{ role: "pw_mult", layer: l.pre }, { role: "dw_mult", layer: l }]
    : [{ role: "mult", layer: l }];
  return parts.flatMap(({ role, layer }) => {
    const w = graph.tensors[layer.inputs[1] ?? -1];
    const sIn = graph.tensors[layer.inputs[0] ?? -1]?.quant?.scale[0];
    const sOut = graph.tensors[layer.outputs[0] ?? -1]?.quant?.scale[0];
    if (!w?.data || !w.quant || sIn === undefined || !sOut) return [];
    const real = w.quant.scale.map((sw) => Math.fround(sIn) * Math.fround(sw) / Math.fround(sOut));
    const lo = Math.min(...real).toPrecision(4);
    const hi = Math.max(...real).toPrecision(4);
    return [{ role, scale: lo === hi ? lo : `${lo}..${hi}` }];
  });
}

/** Short op name that prefixes a layer's constant symbols (`conv3_weight`, `dw4_mult`). */
export function constPrefix(lowered: Lowered, i: number): string {
  const from = lowered.layers[i]!.from;
  if (from.length > 1) return "block"; // a fused layer, e.g. a streamed expansion + depthwise
  const op = lowered.graph.nodes[from[0]!]!.op.toLowerCase();
  return op.replace("depthwise_conv_2d", "dw").replace("conv_2d", "conv")
    .replace("fully_connected", "fc").replace(/_/g, "");
}
