/**
 * The generated `model.c` of a planned tinyengine variant: one block per layer (a comment with op,
 * shapes and quantization, then `#define`s of its constant tables, its tensors' places in the
 * arena, its scratch region and its scalar call arguments), the kernels, the layers whose code is
 * an inline loop as functions of their own, and `te_invoke()`.
 *
 * @module
 */
import { type Graph, tensorBytes } from "../../ir/mod.ts";
import { opMacs } from "../../ops/mod.ts";
import { fnv1a } from "../../util/mod.ts";
import { defineLine, wrapC } from "./c_format.ts";
import { ConstPool } from "./const_pool.ts";
import { describeKernelKey, kernelFamily } from "./kernels/kernel_names.ts";
import { callText, type EmitContext, type LayerCode } from "./kernels/types.ts";
import {
  aliasSymbol,
  constPrefix,
  floatBoundaryCode,
  layerComment,
  requantScales,
} from "./model_c.ts";
import { layerOps, type Variant } from "./variants.ts";
import { offsetInStorage } from "../../schedule/mod.ts";

/** The input symbol the firmware exposes (further inputs: `mcu_input_1`, ...). */
export const INPUT_SYMBOL = "mcu_input";
/** The output symbol the firmware exposes (further outputs: `mcu_output_1`, ...). */
export const OUTPUT_SYMBOL = "mcu_output";

/** What {@link modelSource} produced: the C text and one entry per layer marker. */
export interface ModelSource {
  readonly modelC: string;
  /** The constant blob (`mcu_model_const.bin`) the `#define`s point into. */
  readonly consts: ConstPool;
  readonly layers: readonly { readonly op: string; readonly macs: number }[];
}

/** One layer marker of te_invoke(): what it runs and the `#define` block above the code. */
interface EmittedLayer {
  readonly op: string;
  readonly macs: number;
  readonly variant: string;
  readonly code: LayerCode;
  readonly block: readonly string[];
}

/** The fingerprint in model.c's header: the graph's structure and (a prefix of) its data. */
function graphFingerprint(graph: Graph): string {
  const enc = new TextEncoder();
  const chunks: Uint8Array[] = [
    enc.encode(JSON.stringify({ n: graph.nodes, i: graph.inputs, o: graph.outputs })),
  ];
  for (const t of graph.tensors) {
    chunks.push(enc.encode(JSON.stringify([t.name, t.shape, t.dtype, t.quant ?? null])));
    if (t.data) chunks.push(t.data.subarray(0, 4096), enc.encode(String(t.data.length)));
  }
  return fnv1a(chunks);
}

/** A C literal of a named argument (negative values parenthesised, as a macro body should be). */
function paramLiteral(value: number): string {
  return value < 0 ? `(${value})` : `${value}`;
}

function symbolName(prefix: string, i: number): string {
  return i === 0 ? prefix : `${prefix}_${i}`;
}

/**
 * The `model.c` of a planned variant.
 *
 * @example
 * ```ts
 * import type { Variant } from "./variants.ts";
 * declare const best: Variant;
 * const { modelC } = modelSource(best, 1024);
 * ```
 */
export function modelSource(best: Variant, arenaBytes: number): ModelSource {
  const { lowered, kernels, lifetimes, chosen, all } = best;
  const graph = lowered.graph;
  const offsets = chosen.placement.offsets;
  const boundaryOffset = (id: number) => offsets[all.findIndex((b) => b.id === id)]!;
  const floatIns = lowered.inputs.map((t) => lowered.foldedInputs.find((f) => f.int8 === t));
  const floatOuts = lowered.outputs.map((t) => lowered.foldedOutputs.find((f) => f.int8 === t));
  const shift = floatIns.filter((f) => f).length;
  // Each layer's name prefixes its constants, arguments and output tensors (`conv3_weight`,
  // `conv3_out_zp`, `conv3_out`); the number is the layer marker's.
  const prefixes = lowered.layers.map((_, i) => `${constPrefix(lowered, i)}${i + shift}`);

  // Activation tensors are named after the layer that writes them (graph inputs `model_in`).
  const preferred = new Map<number, string>();
  lowered.inputs.forEach((t, i) => preferred.set(t, symbolName("model_in", i)));
  lowered.layers.forEach((l, i) =>
    l.outputs.forEach((t, k) => preferred.set(t, symbolName(`${prefixes[i]}_out`, k)))
  );
  const tensorNames = new Map<number, string>();
  let block: string[] = [];
  const offsetOf = (t: number): number => {
    const b = lifetimes.bufferOf[t];
    if (b === undefined || b < 0) {
      throw new RangeError(`Cannot address tensor ${t}: it has no buffer`);
    }
    // A view (a band of rows of another tensor) starts inside its storage's buffer.
    return offsets[b]! + offsetInStorage(lowered, t);
  };
  // A tensor's macro is defined in the block of the first layer that uses it.
  const ptr = (t: number): string => {
    const found = tensorNames.get(t);
    if (found) return found;
    const name = preferred.get(t) ?? `tensor${t}`;
    tensorNames.set(t, name);
    const tensor = graph.tensors[t]!;
    block.push(
      defineLine(name, `(te_arena + ${offsetOf(t)})`, `${tensor.shape.join("x")} ${tensor.dtype}`),
    );
    return name;
  };

  const consts = new ConstPool();
  const kernelCode = new Map<string, { name: string; code: string }>();
  const familyCount = new Map<string, number>();
  const kernel: EmitContext["kernel"] = (key, code) => {
    const found = kernelCode.get(key);
    if (found) return found.name;
    // Short name per family (te_dw3), and a comment that spells out the specialization.
    const family = kernelFamily(key);
    const count = (familyCount.get(family) ?? 0) + 1;
    familyCount.set(family, count);
    const name = `te_${family}${count}`;
    kernelCode.set(key, { name, code: `/* ${name}: ${describeKernelKey(key)} */\n${code(name)}` });
    return name;
  };

  const emitted: EmittedLayer[] = [];
  const symbols: string[] = [];
  /*
   * Model input or output `i` (int8 tensor `t`): the symbol the host reads or writes, aliased to
   * the int8 tensor, or, for a float boundary, to a float buffer with the QUANTIZE (input) or
   * DEQUANTIZE (output) between the two as a layer of its own.
   */
  const boundary = (kind: "input" | "output", t: number, i: number) => {
    const f = kind === "input" ? floatIns[i] : floatOuts[i];
    const name = symbolName(kind === "input" ? INPUT_SYMBOL : OUTPUT_SYMBOL, i);
    const bytes = tensorBytes(graph.tensors[t]!);
    if (!f) {
      symbols.push(aliasSymbol(name, offsetOf(t), bytes));
      return;
    }
    // The float buffers' ids in the plan: -2 - i for inputs, -100 - i for outputs.
    const off = boundaryOffset(kind === "input" ? -2 - i : -100 - i);
    symbols.push(aliasSymbol(name, off, 4 * bytes));
    const floats = symbolName(kind === "input" ? "model_in_f32" : "model_out_f32", i);
    block = [`/* float ${kind} ${i} */`];
    block.push(
      `#define ${floats} ((${kind === "input" ? "const " : ""}float *)(te_arena + ${off}))`,
    );
    const code = kind === "input"
      ? floatBoundaryCode("quantize", graph, f.quant, t, floats, ptr(t))
      : floatBoundaryCode("dequantize", graph, f.quant, t, ptr(t), floats);
    const op = kind === "input" ? "QUANTIZE" : "DEQUANTIZE";
    emitted.push({ op, macs: 0, variant: `float ${kind}`, code, block });
  };
  lowered.inputs.forEach((t, i) => boundary("input", t, i));
  lowered.layers.forEach((l, i) => {
    const prefix = prefixes[i]!;
    const s = lifetimes.scratchOf[i] ?? -1;
    block = [
      `/* layer ${i + shift} (${prefix}): ${layerOps(lowered, i)} (${kernels[i]!.variant}): ${
        layerComment(lowered, i)
      } */`,
    ];
    const own = block;
    const params: string[] = [];
    let scratch: string | undefined;
    const ctx: EmitContext = {
      lowered,
      consts: consts.scope(prefix),
      ptr,
      get scratch() {
        if (s < 0) return "(te_arena)";
        if (!scratch) {
          scratch = `${prefix}_scratch`;
          own.push(`#define ${scratch} (te_arena + ${offsets[s]})`);
        }
        return scratch;
      },
      param(role, value, note) {
        const name = `${prefix}_${role}`;
        params.push(defineLine(name, paramLiteral(value), note));
        return name;
      },
      kernel,
    };
    const code = kernels[i]!.emit(ctx);
    for (const { role, scale } of requantScales(lowered, i)) {
      consts.annotate(
        prefix,
        role,
        `requantization table: real scale s_in * s_w / s_out = ${scale}`,
      );
    }
    emitted.push({
      op: layerOps(lowered, i),
      macs: l.from.reduce((sum, k) => sum + opMacs(graph, graph.nodes[k]!), 0),
      variant: kernels[i]!.variant,
      code,
      // The constant tables, then the buffers, then the scalar arguments.
      block: [own[0]!, ...consts.defines(prefix), ...own.slice(1), ...params],
    });
  });
  lowered.outputs.forEach((t, i) => boundary("output", t, i));

  // The layer's emitter says whether its code is one kernel call (stays in te_invoke) or
  // statements: those get a function of their own, so that their machine code does not depend on
  // te_invoke().
  const layerFns: string[] = [];
  const calls = emitted.map((e, i) => {
    if (typeof e.code !== "string") return callText(e.code);
    layerFns.push(`TE_KERNEL void te_layer_${i}(void) {\n  ${e.code}\n}`);
    return `te_layer_${i}();`;
  });
  const body = emitted.map((e, i) =>
    [
      `  /* layer ${i}: ${e.op} (${e.variant}) */`,
      `  MCU_PROBE(MCU_MARK_LAYER_BEGIN(${i}));`,
      `  ${calls[i]}`,
      `  MCU_PROBE(MCU_MARK_LAYER_END(${i}));`,
    ].join("\n")
  );
  const modelC = wrapC([
    `/* model.c: '${graph.name}' compiled by mcunet-bench tinyengine (generated; do not edit).`,
    `   Input hash ${
      graphFingerprint(graph)
    }. Arena ${arenaBytes} bytes, planner ${chosen.planner}. */`,
    `#include "te_runtime.h"`,
    `#include "probe.h"`,
    `#include "float_io.h"`,
    ``,
    `extern const uint8_t mcu_model_const[];`,
    `MCU_NOINIT __attribute__((aligned(8), used)) int8_t te_arena[${arenaBytes}];`,
    ...symbols,
    ``,
    `/* Each layer: its constant tables (inside the one linked blob mcu_model_const.bin), its`,
    `   tensors' places in te_arena (from the memory plan) and its scalar call arguments. */`,
    ...emitted.flatMap((e) => [...e.block, ``]),
    ...[...kernelCode.values()].map((k) => k.code),
    ...layerFns,
    `void te_invoke(void) {`,
    ...body,
    `}`,
    ``,
  ].join("\n"));
  return { modelC, consts, layers: emitted.map((e) => ({ op: e.op, macs: e.macs })) };
}
