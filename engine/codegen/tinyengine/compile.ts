/**
 * The tinyengine compile pipeline: passes -> lifetimes -> planners -> code generation.
 *
 * @module
 */
import type { Board } from "../../boards.ts";
import { type Graph, tensorBytes } from "../../ir/graph.ts";
import { opMacs } from "../../ops/macs.ts";
import { computeLifetimes } from "../../schedule/lifetimes.ts";
import { type Pass, runPasses } from "../../schedule/passes/mod.ts";
import type { Lowered } from "../../schedule/passes/types.ts";
import { planMemory } from "../../schedule/planners/mod.ts";
import { validatePlan } from "../../schedule/validate.ts";
import type { CompiledModel, MemoryPlanSummary } from "../backend.ts";
import { TE_RUNTIME_H } from "./c_runtime.ts";
import { constAsm, ConstPool } from "./const_pool.ts";
import type { EmitContext, LayerKernel } from "./kernels/types.ts";
import { layerKernel } from "./templates.ts";

/** Options of {@link compileTinyEngine}. */
export interface TinyEngineOptions {
  readonly board: Board;
  /** Graph passes to run. @default DEFAULT_PASSES */
  readonly passes?: readonly Pass[];
  /** Planner names to try (the smallest valid plan wins). @default every planner */
  readonly planners?: readonly string[];
}

/** Bytes read past the end of a buffer by word loads of odd-length rows. */
const ARENA_SLACK = 8;

/** The symbol names the firmware exposes. */
export const INPUT_SYMBOL = "mcu_input";
export const OUTPUT_SYMBOL = "mcu_output";

function fnv1a(graph: Graph): string {
  let h = 0xcbf29ce484222325n;
  const mask = 0xffffffffffffffffn;
  const feed = (bytes: Uint8Array) => {
    for (const b of bytes) h = ((h ^ BigInt(b)) * 0x100000001b3n) & mask;
  };
  const enc = new TextEncoder();
  feed(enc.encode(JSON.stringify({ n: graph.nodes, i: graph.inputs, o: graph.outputs })));
  for (const t of graph.tensors) {
    feed(enc.encode(JSON.stringify([t.name, t.shape, t.dtype, t.quant ?? null])));
    if (t.data) feed(t.data.subarray(0, 4096));
    if (t.data) feed(enc.encode(String(t.data.length)));
  }
  return h.toString(16).padStart(16, "0");
}

/** Layer marker description: the op names the layer covers. */
function layerOps(lowered: Lowered, i: number): string {
  const l = lowered.layers[i]!;
  const ops = l.from.map((k) => lowered.graph.nodes[k]!.op);
  return [...new Set(ops)].join("+");
}

/**
 * Compile a graph with the tinyengine backend.
 *
 * @example
 * ```ts
 * const m = compileTinyEngine(graph, { board: getBoard("stm32f746") });
 * // m.sources.files["model.c"], m.plan.arenaBytes
 * ```
 */
export function compileTinyEngine(graph: Graph, options: TinyEngineOptions): CompiledModel {
  const lowered = runPasses(graph, options.passes ? { passes: options.passes } : {});
  if (lowered.inputs.length !== 1 || lowered.outputs.length !== 1) {
    throw new RangeError(
      `Cannot compile '${graph.name}' with tinyengine: it has ${lowered.inputs.length} inputs and ${lowered.outputs.length} outputs (needs one of each)`,
    );
  }
  const kernels: LayerKernel[] = lowered.layers.map((l) => layerKernel(lowered, l));
  const lifetimes = computeLifetimes(lowered, { scratchBytes: (i) => kernels[i]!.scratchBytes });
  const chosen = planMemory(
    lifetimes.buffers,
    options.planners ? { planners: options.planners } : {},
  );
  const errors = validatePlan(lifetimes.buffers, chosen.placement);
  if (errors.length > 0) {
    throw new Error(`Cannot plan memory of '${graph.name}': ${errors.join("; ")}`);
  }
  const offsets = chosen.placement.offsets;
  const arenaBytes = chosen.placement.totalBytes + ARENA_SLACK;

  const consts = new ConstPool();
  const kernelCode = new Map<string, { name: string; code: string }>();
  const offsetOf = (t: number): number => {
    const b = lifetimes.bufferOf[t];
    if (b === undefined || b < 0) {
      throw new RangeError(`Cannot address tensor ${t}: it has no buffer`);
    }
    return offsets[b]!;
  };
  const ctx: EmitContext = {
    lowered,
    consts,
    ptr: (t) => `(te_arena + ${offsetOf(t)})`,
    scratch: lifetimes.scratch >= 0 ? `(te_arena + ${offsets[lifetimes.scratch]})` : "(te_arena)",
    kernel(key, code) {
      const found = kernelCode.get(key);
      if (found) return found.name;
      const name = `te_${key}`.replace(/[^A-Za-z0-9_]/g, "_");
      kernelCode.set(key, { name, code: code(name) });
      return name;
    },
  };
  const calls = lowered.layers.map((_, i) => kernels[i]!.emit(ctx));
  const inputT = lowered.inputs[0]!;
  const outputT = lowered.outputs[0]!;
  const hash = fnv1a(graph);
  const body = calls.map((c, i) =>
    [
      `  /* layer ${i}: ${layerOps(lowered, i)} (${kernels[i]!.variant}) */`,
      `  MCU_PROBE(MCU_MARK_LAYER_BEGIN(${i}));`,
      `  ${c}`,
      `  MCU_PROBE(MCU_MARK_LAYER_END(${i}));`,
    ].join("\n")
  );
  const modelC = [
    `/* model.c: '${graph.name}' compiled by mcunet-bench tinyengine (generated; do not edit).`,
    `   Input hash ${hash}. Arena ${arenaBytes} bytes, planner ${chosen.planner}. */`,
    `#include "te_runtime.h"`,
    `#include "probe.h"`,
    ``,
    `extern const uint8_t te_const[];`,
    `MCU_NOINIT __attribute__((aligned(8))) int8_t te_arena[${arenaBytes}];`,
    `__asm__(".global ${INPUT_SYMBOL}\\n.type ${INPUT_SYMBOL}, %object\\n.set ${INPUT_SYMBOL}, te_arena + ${
      offsetOf(inputT)
    }\\n.size ${INPUT_SYMBOL}, ${tensorBytes(graph.tensors[inputT]!)}");`,
    `__asm__(".global ${OUTPUT_SYMBOL}\\n.type ${OUTPUT_SYMBOL}, %object\\n.set ${OUTPUT_SYMBOL}, te_arena + ${
      offsetOf(outputT)
    }\\n.size ${OUTPUT_SYMBOL}, ${tensorBytes(graph.tensors[outputT]!)}");`,
    ``,
    ...[...kernelCode.values()].map((k) => k.code),
    `void te_invoke(void) {`,
    ...body,
    `}`,
    ``,
  ].join("\n");
  const mainC = [
    `/* main.c: runs one inference between the probe markers (generated; do not edit). */`,
    `#include "probe.h"`,
    `void te_invoke(void);`,
    `int main(void) {`,
    `  MCU_PROBE(MCU_MARK_INFERENCE_BEGIN);`,
    `  te_invoke();`,
    `  MCU_PROBE(MCU_MARK_INFERENCE_END);`,
    `  return 0;`,
    `}`,
    ``,
  ].join("\n");
  const plan: MemoryPlanSummary = {
    arenaBytes,
    headBytes: arenaBytes,
    tailBytes: 0,
    scratchBytes: lifetimes.scratch >= 0 ? lifetimes.buffers[lifetimes.scratch]!.size : 0,
    planner: chosen.planner,
    buffers: lifetimes.buffers.map((b, i) => ({
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
        "te_const.S": constAsm(consts.size),
        "te_const.bin": consts.bytes(),
      },
    },
    plan,
    inputSymbol: INPUT_SYMBOL,
    outputSymbol: OUTPUT_SYMBOL,
    layers: lowered.layers.map((l, i) => ({
      op: layerOps(lowered, i),
      macs: l.from.reduce((s, k) => s + opMacs(graph, graph.nodes[k]!), 0),
    })),
  };
}
