/**
 * The tinyengine compile pipeline: passes -> lifetimes -> planners -> code generation.
 *
 * @module
 */
import { fnv1a } from "../../util/mod.ts";
import type { Board } from "../../target/mod.ts";
import { type Graph, tensorBytes } from "../../ir/mod.ts";
import { opMacs } from "../../ops/mod.ts";
import type { Pass } from "../../schedule/mod.ts";
import { validatePlan } from "../../schedule/mod.ts";
import { patchRewrite, type PatchSpec } from "../../schedule/mod.ts";
import type { CompiledModel, Harness, MemoryPlanSummary, StreamingMode } from "../backend.ts";
import { ARENA_SLACK, arenaPeak, chooseVariant, layerOps } from "./variants.ts";
import {
  aliasSymbol,
  constPrefix,
  dequantizeOutputCode,
  layerComment,
  quantizeInputCode,
} from "./model_c.ts";

export type { StreamingMode };
import { mainSource } from "./main_c.ts";
import { TE_RUNTIME_H } from "./c_runtime.ts";
import { wrapC } from "./c_format.ts";
import { constAsm, ConstPool } from "./const_pool.ts";
import type { EmitContext } from "./kernels/types.ts";
import { describeKernelKey, kernelFamily } from "./kernels/kernel_names.ts";

/** Options of {@link compileTinyEngine}. */
export interface TinyEngineOptions {
  readonly board: Board;
  /** Graph passes to run. @default DEFAULT_PASSES */
  readonly passes?: readonly Pass[];
  /** Planner names to try (the smallest valid plan wins). @default every planner */
  readonly planners?: readonly string[];
  /**
   * Whether 1x1 expansions are streamed into their depthwise (`fuse-expand-depthwise`):
   * `"auto"` tries layer by layer, streaming only the expansions at the memory peak (see
   * {@link selectiveStreaming}) and streaming all of them, and keeps the fastest within 15% of the
   * smallest arena that fits the board's SRAM (else the fastest within 15%);
   * `"always"` / `"never"` force one (measuring both variants of a layer, e.g. for the search's
   * latency table). Ignored when `passes` is given. @default "auto"
   */
  readonly streaming?: StreamingMode;
  /** Which `main.c` the project gets (see {@link Harness}). @default "single" */
  readonly harness?: Harness;
  /**
   * Force patch-based execution of the stage before a split tensor (issue #15, first form: the
   * stage unrolled per patch as a graph, see `patchRewrite`; bit-exact, not yet memory-saving).
   * @default layer by layer
   */
  readonly patches?: PatchSpec;
}

/** The input symbol the firmware exposes (further inputs: `mcu_input_1`, ...). */
export const INPUT_SYMBOL = "mcu_input";
/** The output symbol the firmware exposes (further outputs: `mcu_output_1`, ...). */
export const OUTPUT_SYMBOL = "mcu_output";

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

/**
 * Compile a graph with the tinyengine backend.
 *
 * @example
 * ```ts
 * import { getBoard } from "../../target/mod.ts";
 * import type { Graph } from "../../ir/mod.ts";
 * declare const graph: Graph;
 * import type { Board } from "../../target/mod.ts";
 * declare const board: Board;
 * const m = compileTinyEngine(graph, { board: getBoard("stm32f746") });
 * // m.sources.files["model.c"], m.plan.arenaBytes
 * ```
 */
export function compileTinyEngine(source: Graph, options: TinyEngineOptions): CompiledModel {
  const graph = options.patches ? patchRewrite(source, options.patches) : source;
  const { best, streaming: streamingChoice } = chooseVariant(graph, options);
  const lowered = best.lowered;
  const floatIns = lowered.inputs.map((t) => lowered.foldedInputs.find((f) => f.int8 === t));
  const floatOuts = lowered.outputs.map((t) => lowered.foldedOutputs.find((f) => f.int8 === t));
  const { kernels, lifetimes, chosen, all } = best;
  const errors = validatePlan(all, chosen.placement);
  if (errors.length > 0) {
    throw new Error(`Cannot plan memory of '${graph.name}': ${errors.join("; ")}`);
  }
  const offsets = chosen.placement.offsets;
  const arenaBytes = chosen.placement.totalBytes + ARENA_SLACK;
  const boundaryOffset = (id: number) => offsets[all.findIndex((b) => b.id === id)]!;

  const consts = new ConstPool();
  const kernelCode = new Map<string, { name: string; code: string }>();
  const familyCount = new Map<string, number>();
  const offsetOf = (t: number): number => {
    const b = lifetimes.bufferOf[t];
    if (b === undefined || b < 0) {
      throw new RangeError(`Cannot address tensor ${t}: it has no buffer`);
    }
    return offsets[b]!;
  };
  const base: EmitContext = {
    lowered,
    consts: consts.scope("model"),
    ptr: (t) => `(te_arena + ${offsetOf(t)})`,
    scratch: "(te_arena)",
    kernel(key, code) {
      const found = kernelCode.get(key);
      if (found) return found.name;
      // Short name per family (te_dw3), and a comment that spells out the specialization.
      const family = kernelFamily(key);
      const count = (familyCount.get(family) ?? 0) + 1;
      familyCount.set(family, count);
      const name = `te_${family}${count}`;
      kernelCode.set(key, {
        name,
        code: `/* ${name}: ${describeKernelKey(key)} */\n${code(name)}`,
      });
      return name;
    },
  };
  const symbolName = (prefix: string, i: number) => (i === 0 ? prefix : `${prefix}_${i}`);
  const emitted: { op: string; macs: number; variant: string; code: string; about?: string }[] = [];
  const symbols: string[] = [];
  lowered.inputs.forEach((t, i) => {
    const f = floatIns[i];
    const name = symbolName(INPUT_SYMBOL, i);
    const bytes = tensorBytes(graph.tensors[t]!);
    if (f) {
      const off = boundaryOffset(-2 - i);
      symbols.push(aliasSymbol(name, off, 4 * bytes));
      emitted.push({
        op: "QUANTIZE",
        macs: 0,
        variant: "float input",
        code: quantizeInputCode(
          graph,
          f.quant,
          t,
          base.ptr(t),
          `((const float *)(te_arena + ${off}))`,
        ),
      });
    } else {
      symbols.push(aliasSymbol(name, offsetOf(t), bytes));
    }
  });
  lowered.layers.forEach((l, i) => {
    const s = lifetimes.scratchOf[i] ?? -1;
    const ctx: EmitContext = {
      ...base,
      consts: consts.scope(`${constPrefix(lowered, i)}${emitted.length}`),
      scratch: s >= 0 ? `(te_arena + ${offsets[s]})` : "(te_arena)",
    };
    emitted.push({
      op: layerOps(lowered, i),
      macs: l.from.reduce((sum, k) => sum + opMacs(graph, graph.nodes[k]!), 0),
      variant: kernels[i]!.variant,
      code: kernels[i]!.emit(ctx),
      about: layerComment(lowered, i),
    });
  });
  lowered.outputs.forEach((t, i) => {
    const f = floatOuts[i];
    const name = symbolName(OUTPUT_SYMBOL, i);
    const bytes = tensorBytes(graph.tensors[t]!);
    if (f) {
      const off = boundaryOffset(-100 - i);
      symbols.push(aliasSymbol(name, off, 4 * bytes));
      emitted.push({
        op: "DEQUANTIZE",
        macs: 0,
        variant: "float output",
        code: dequantizeOutputCode(
          graph,
          f.quant,
          t,
          base.ptr(t),
          `((float *)(te_arena + ${off}))`,
        ),
      });
    } else {
      symbols.push(aliasSymbol(name, offsetOf(t), bytes));
    }
  });
  const hash = graphFingerprint(graph);
  // A layer whose code is more than one kernel call (e.g. an ADD loop with its constants baked
  // in) gets a function of its own, so that its machine code does not depend on te_invoke().
  const layerFns: string[] = [];
  for (const [i, e] of emitted.entries()) {
    if (/^te_\w+\([^;{}]*\);$/.test(e.code.trim())) continue;
    layerFns.push(`TE_KERNEL void te_layer_${i}(void) {\n  ${e.code}\n}`);
    e.code = `te_layer_${i}();`;
  }
  const body = emitted.map((e, i) =>
    [
      `  /* layer ${i}: ${e.op} (${e.variant})${e.about ? `: ${e.about}` : ""} */`,
      `  MCU_PROBE(MCU_MARK_LAYER_BEGIN(${i}));`,
      `  ${e.code}`,
      `  MCU_PROBE(MCU_MARK_LAYER_END(${i}));`,
    ].join("\n")
  );
  const modelC = wrapC([
    `/* model.c: '${graph.name}' compiled by mcunet-bench tinyengine (generated; do not edit).`,
    `   Input hash ${hash}. Arena ${arenaBytes} bytes, planner ${chosen.planner}. */`,
    `#include "te_runtime.h"`,
    `#include "probe.h"`,
    `#include "float_io.h"`,
    ``,
    `extern const uint8_t mcu_model_const[];`,
    `/* Constant tables of each layer, inside the one linked blob mcu_model_const.bin. */`,
    ...consts.defines(),
    `MCU_NOINIT __attribute__((aligned(8), used)) int8_t te_arena[${arenaBytes}];`,
    ...symbols,
    ``,
    ...[...kernelCode.values()].map((k) => k.code),
    ...layerFns,
    `void te_invoke(void) {`,
    ...body,
    `}`,
    ``,
  ].join("\n"));
  const mainC = mainSource(options.harness ?? "single");
  const plan: MemoryPlanSummary = {
    arenaBytes,
    headBytes: arenaBytes,
    tailBytes: 0,
    scratchBytes: lifetimes.buffers.reduce((m, b) => (b.id === -1 ? Math.max(m, b.size) : m), 0),
    planner: `${chosen.planner} (${best.config.name})`,
    streamed: lowered.layers.some((l) => l.pre !== undefined),
    streaming: streamingChoice,
    kernelFamily: best.config.family,
    peak: arenaPeak(lowered, all),
    buffers: all.map((b, i) => ({
      tensor: b.id,
      name: b.name,
      offset: offsets[i]!,
      size: b.size,
      firstUse: b.firstUse,
      lastUse: b.lastUse,
    })),
  };
  return {
    engine: "tinyengine",
    sources: {
      name: graph.name.replace(/[^A-Za-z0-9_.-]/g, "_") || "model",
      files: {
        "te_runtime.h": TE_RUNTIME_H,
        "model.c": modelC,
        "main.c": mainC,
        "mcu_model_const.S": constAsm(consts.size),
        "mcu_model_const.bin": consts.bytes(),
      },
    },
    plan,
    inputSymbol: INPUT_SYMBOL,
    outputSymbol: OUTPUT_SYMBOL,
    layers: emitted.map((e) => ({ op: e.op, macs: e.macs })),
  };
}
