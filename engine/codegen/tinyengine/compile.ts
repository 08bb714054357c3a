/**
 * The tinyengine compile pipeline: passes -> lifetimes -> planners -> code generation.
 *
 * @module
 */
import type { Board } from "../../boards.ts";
import { elementCount, type Graph, type Quantization, tensorBytes } from "../../ir/graph.ts";
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

/** A global data symbol at an arena offset (the emulator reads its size). */
function aliasSymbol(name: string, offset: number, size: number): string {
  return `__asm__(".global ${name}\\n.type ${name}, %object\\n.set ${name}, te_arena + ${offset}\\n.size ${name}, ${size}");`;
}

function f32Literal(x: number): string {
  return `${Math.fround(x).toPrecision(17)}`;
}

/** Float model input -> int8 (the reference's QUANTIZE: double division, round half away). */
function quantizeInputCode(graph: Graph, quant: Quantization, tensor: number, dst: string): string {
  const n = elementCount(graph.tensors[tensor]!.shape);
  const scale = f32Literal(quant.scale[0] ?? 1);
  const zp = quant.zeroPoint[0] ?? 0;
  return `for (int32_t i = 0; i < ${n}; i++) {
    double v = (double)${INPUT_SYMBOL}[i] / ${scale};
    int32_t q;
    if (v != v || v > 1e300 || v < -1e300) q = 0;
    else if (v >= 1e9) q = 1000000000;
    else if (v <= -1e9) q = -1000000000;
    else { int32_t t = (int32_t)(v < 0 ? -v : v); double f = (v < 0 ? -v : v) - (double)t; if (f >= 0.5) t++; q = v < 0 ? -t : t; }
    ${dst}[i] = te_clamp8(q + ${zp}, -128, 127);
  }`;
}

/** int8 model output -> float (the reference's DEQUANTIZE: one float32 multiply). */
function dequantizeOutputCode(
  graph: Graph,
  quant: Quantization,
  tensor: number,
  src: string,
): string {
  const n = elementCount(graph.tensors[tensor]!.shape);
  const scale = f32Literal(quant.scale[0] ?? 1);
  const zp = quant.zeroPoint[0] ?? 0;
  return `for (int32_t i = 0; i < ${n}; i++) ${OUTPUT_SYMBOL}[i] = (float)${scale} * (float)(${src}[i] - ${zp});`;
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
  const inputT = lowered.inputs[0]!;
  const outputT = lowered.outputs[0]!;
  const floatIn = lowered.foldedInputs.find((f) => f.int8 === inputT);
  const floatOut = lowered.foldedOutputs.find((f) => f.int8 === outputT);
  const emitted: { op: string; macs: number; variant: string; code: string }[] = [];
  if (floatIn) {
    emitted.push({
      op: "QUANTIZE",
      macs: 0,
      variant: "float input",
      code: quantizeInputCode(graph, floatIn.quant, inputT, ctx.ptr(inputT)),
    });
  }
  lowered.layers.forEach((l, i) =>
    emitted.push({
      op: layerOps(lowered, i),
      macs: l.from.reduce((s, k) => s + opMacs(graph, graph.nodes[k]!), 0),
      variant: kernels[i]!.variant,
      code: kernels[i]!.emit(ctx),
    })
  );
  if (floatOut) {
    emitted.push({
      op: "DEQUANTIZE",
      macs: 0,
      variant: "float output",
      code: dequantizeOutputCode(graph, floatOut.quant, outputT, ctx.ptr(outputT)),
    });
  }
  const hash = fnv1a(graph);
  const body = emitted.map((e, i) =>
    [
      `  /* layer ${i}: ${e.op} (${e.variant}) */`,
      `  MCU_PROBE(MCU_MARK_LAYER_BEGIN(${i}));`,
      `  ${e.code}`,
      `  MCU_PROBE(MCU_MARK_LAYER_END(${i}));`,
    ].join("\n")
  );
  const inBytes = tensorBytes(graph.tensors[inputT]!);
  const outBytes = tensorBytes(graph.tensors[outputT]!);
  const symbols = [
    floatIn
      ? `MCU_NOINIT __attribute__((aligned(8))) float ${INPUT_SYMBOL}[${inBytes}];`
      : aliasSymbol(INPUT_SYMBOL, offsetOf(inputT), inBytes),
    floatOut
      ? `__attribute__((aligned(8))) float ${OUTPUT_SYMBOL}[${outBytes}];`
      : aliasSymbol(OUTPUT_SYMBOL, offsetOf(outputT), outBytes),
  ];
  const modelC = [
    `/* model.c: '${graph.name}' compiled by mcunet-bench tinyengine (generated; do not edit).`,
    `   Input hash ${hash}. Arena ${arenaBytes} bytes, planner ${chosen.planner}. */`,
    `#include "te_runtime.h"`,
    `#include "probe.h"`,
    ``,
    `extern const uint8_t mcu_model_const[];`,
    `MCU_NOINIT __attribute__((aligned(8))) int8_t te_arena[${arenaBytes}];`,
    ...symbols,
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
