/**
 * The tinyengine compile pipeline: passes -> lifetimes -> planners -> code generation.
 *
 * @module
 */
import type { Board } from "../../target/boards.ts";
import { elementCount, type Graph, type Quantization, tensorBytes } from "../../ir/graph.ts";
import { opMacs } from "../../ops/macs.ts";
import {
  alignUp,
  computeLifetimes,
  type Lifetimes,
  type ScratchMode,
} from "../../schedule/lifetimes.ts";
import type { BufferRequest } from "../../schedule/types.ts";
import {
  DEFAULT_PASSES,
  type Pass,
  passesStreaming,
  runPasses,
} from "../../schedule/passes/mod.ts";
import type { Lowered } from "../../schedule/passes/types.ts";
import { type ChosenPlan, planMemory } from "../../schedule/planners/mod.ts";
import { validatePlan } from "../../schedule/validate.ts";
import type { CompiledModel, Harness, MemoryPlanSummary } from "../backend.ts";
import { mainSource } from "./main_c.ts";
import { TE_RUNTIME_H } from "./c_runtime.ts";
import { wrapC } from "./c_format.ts";
import { constAsm, ConstPool } from "./const_pool.ts";
import type { EmitContext, LayerKernel } from "./kernels/types.ts";
import { describeKernelKey, kernelFamily } from "./kernels/kernel_names.ts";
import {
  DEFAULT_KERNEL_CONFIG,
  type KernelConfig,
  layerKernel,
  LEAN_KERNEL_CONFIG,
} from "./templates.ts";

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
}

/** Which pipelines the compile tries (see {@link TinyEngineOptions.streaming}). */
export type StreamingMode = "auto" | "always" | "never";

/**
 * Relative arena growth accepted for a variant earlier in preference order (faster kernels, no
 * streaming): 15%.
 */
const ARENA_TOLERANCE = 0.15;

/** Bytes read past the end of a buffer by word loads of odd-length rows. */
const ARENA_SLACK = 8;

/**
 * SRAM a variant must leave free for static data and the stack to count as fitting the board
 * (measured: a few hundred bytes of each on the bench models).
 */
const FIT_MARGIN = 4096;

/** The input symbol the firmware exposes (further inputs: `mcu_input_1`, ...). */
export const INPUT_SYMBOL = "mcu_input";
/** The output symbol the firmware exposes (further outputs: `mcu_output_1`, ...). */
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
  return [
    `__asm__(".global ${name}\\n"`,
    `        ".type ${name}, %object\\n"`,
    `        ".set ${name}, te_arena + ${offset}\\n"`,
    `        ".size ${name}, ${size}");`,
  ].join("\n");
}

function f32Literal(x: number): string {
  return `${Math.fround(x).toPrecision(17)}`;
}

/** Float model input -> int8 (the reference's QUANTIZE: double division, round half away). */
function quantizeInputCode(
  graph: Graph,
  quant: Quantization,
  tensor: number,
  dst: string,
  src: string,
): string {
  const n = elementCount(graph.tensors[tensor]!.shape);
  const scale = f32Literal(quant.scale[0] ?? 1);
  const zp = quant.zeroPoint[0] ?? 0;
  return `for (int32_t i = 0; i < ${n}; i++) {
    double v = (double)((float)${src}[i] / (float)${scale}); /* TFLite divides in float */
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
  dst: string,
): string {
  const n = elementCount(graph.tensors[tensor]!.shape);
  const scale = f32Literal(quant.scale[0] ?? 1);
  const zp = quant.zeroPoint[0] ?? 0;
  return `for (int32_t i = 0; i < ${n}; i++) ${dst}[i] = (float)${scale} * (float)(${src}[i] - ${zp});`;
}

/** One kernel/scratch configuration the compiler tries. */
interface Config {
  readonly name: string;
  readonly kernels: KernelConfig;
  readonly scratch: ScratchMode;
}

/** Configurations in preference order (fastest first); the smallest arena wins. */
const CONFIGS: readonly Config[] = [
  { name: "fast, per-layer scratch", kernels: DEFAULT_KERNEL_CONFIG, scratch: "per-layer" },
  { name: "fast", kernels: DEFAULT_KERNEL_CONFIG, scratch: "shared" },
  {
    name: "balanced, per-layer scratch",
    kernels: { ...DEFAULT_KERNEL_CONFIG, rowBlock: 2 },
    scratch: "per-layer",
  },
  { name: "lean, per-layer scratch", kernels: LEAN_KERNEL_CONFIG, scratch: "per-layer" },
  { name: "lean", kernels: LEAN_KERNEL_CONFIG, scratch: "shared" },
];

interface Variant {
  readonly lowered: Lowered;
  readonly config: Config;
  readonly kernels: readonly LayerKernel[];
  readonly lifetimes: Lifetimes;
  /** Lifetimes' buffers plus the float boundary buffers. */
  readonly all: readonly BufferRequest[];
  readonly chosen: ChosenPlan;
}

function planVariant(
  lowered: Lowered,
  config: Config,
  boundary: readonly BufferRequest[],
  planners: readonly string[] | undefined,
): Variant {
  const kernels = lowered.layers.map((l) => layerKernel(lowered, l, config.kernels));
  const lifetimes = computeLifetimes(lowered, {
    scratchBytes: (i) => kernels[i]!.scratchBytes,
    scratchMode: config.scratch,
  });
  const all = [...lifetimes.buffers, ...boundary];
  const chosen = planMemory(all, planners ? { planners } : {});
  return { lowered, config, kernels, lifetimes, all, chosen };
}

/**
 * The liveness peak of a lowered network with the fastest kernels and per-layer scratch: the
 * largest sum of live buffer sizes over the layers, where it occurs, and the lifetimes.
 */
function livePeak(
  lowered: Lowered,
  boundary: readonly BufferRequest[],
): { bytes: number; at: number; lifetimes: Lifetimes } {
  const kernels = lowered.layers.map((l) => layerKernel(lowered, l, DEFAULT_KERNEL_CONFIG));
  const lifetimes = computeLifetimes(lowered, {
    scratchBytes: (i) => kernels[i]!.scratchBytes,
    scratchMode: "per-layer",
  });
  const all = [...lifetimes.buffers, ...boundary];
  let bytes = 0;
  let at = 0;
  for (let t = 0; t < lowered.layers.length; t++) {
    let live = 0;
    for (const b of all) if (b.firstUse <= t && t <= b.lastUse) live += b.size;
    if (live > bytes) [bytes, at] = [live, t];
  }
  return { bytes, at, lifetimes };
}

/**
 * Stream only the 1x1 expansions that set the memory peak. Streaming costs instructions in most
 * blocks (the expansion is recomputed per ring row and the depthwise reads int16 rows), but only
 * the blocks whose expanded tensor is live at the peak lower it. Greedily, the largest expanded
 * tensor live at the current liveness peak is streamed until the peak is no higher than with every
 * expansion streamed. Returns that lowered network, or undefined when it would stream none or all.
 */
function selectiveStreaming(graph: Graph): Lowered | undefined {
  const all = runPasses(graph, { passes: DEFAULT_PASSES });
  const ids = new Set(all.layers.flatMap((l) => (l.pre ? [l.pre.from[0]!] : [])));
  if (ids.size < 2) return undefined;
  const target = livePeak(all, boundaryBuffers(graph, all)).bytes;
  const chosen = new Set<number>();
  while (chosen.size < ids.size - 1) {
    const lowered = runPasses(graph, { passes: passesStreaming(chosen) });
    const peak = livePeak(lowered, boundaryBuffers(graph, lowered));
    if (peak.bytes <= target) return chosen.size > 0 ? lowered : undefined;
    let pick: { id: number; size: number } | undefined;
    for (const l of lowered.layers) {
      const id = l.from[0]!;
      if (l.pre || !ids.has(id) || chosen.has(id)) continue;
      const b = peak.lifetimes.buffers[peak.lifetimes.bufferOf[l.outputs[0]!] ?? -1];
      if (!b || b.firstUse > peak.at || b.lastUse < peak.at) continue;
      if (!pick || b.size > pick.size) pick = { id, size: b.size };
    }
    if (!pick) return undefined;
    chosen.add(pick.id);
  }
  return undefined;
}

/** Float model inputs/outputs get their own arena buffers, live at the first/last layer. */
function boundaryBuffers(graph: Graph, lowered: Lowered): BufferRequest[] {
  const n = lowered.layers.length;
  const out: BufferRequest[] = [];
  lowered.inputs.forEach((t, i) => {
    if (lowered.foldedInputs.some((f) => f.int8 === t)) {
      const size = alignUp(4 * elementCount(graph.tensors[t]!.shape));
      out.push({ id: -2 - i, name: `float_input_${i}`, size, firstUse: 0, lastUse: 0 });
    }
  });
  lowered.outputs.forEach((t, i) => {
    if (lowered.foldedOutputs.some((f) => f.int8 === t)) {
      const size = alignUp(4 * elementCount(graph.tensors[t]!.shape));
      const last = Math.max(0, n - 1);
      out.push({ id: -100 - i, name: `float_output_${i}`, size, firstUse: last, lastUse: last });
    }
  });
  return out;
}

/** Layer marker description: the op names the layer covers. */
function layerOps(lowered: Lowered, i: number): string {
  const l = lowered.layers[i]!;
  const ops = l.from.map((k) => lowered.graph.nodes[k]!.op);
  return [...new Set(ops)].join("+");
}

function shapeText(graph: Graph, t: number): string {
  return graph.tensors[t]!.shape.join("x");
}

function quantText(graph: Graph, t: number): string {
  const q = graph.tensors[t]!.quant;
  return q ? `q(${Math.fround(q.scale[0] ?? 0).toPrecision(6)}, ${q.zeroPoint[0] ?? 0})` : "float";
}

/**
 * What a layer computes, for the comment above its call: op, tensor shapes, quantization (scale,
 * zero point) of input and output, and the real scale `s_in * s_w / s_out` that the multiplier
 * table (`<layer>_mult`) encodes for layers with quantized weights.
 */
function layerComment(lowered: Lowered, i: number): string {
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
  for (const layer of l.pre ? [l.pre, l] : [l]) {
    const w = graph.tensors[layer.inputs[1] ?? -1];
    const sIn = graph.tensors[layer.inputs[0] ?? -1]?.quant?.scale[0];
    const sOut = graph.tensors[layer.outputs[0] ?? -1]?.quant?.scale[0];
    if (!w?.data || !w.quant || sIn === undefined || !sOut) continue;
    const real = w.quant.scale.map((sw) => Math.fround(sIn) * Math.fround(sw) / Math.fround(sOut));
    const lo = Math.min(...real).toPrecision(4);
    const hi = Math.max(...real).toPrecision(4);
    parts.push(`requantization scale ${lo === hi ? lo : `${lo}..${hi}`} (${layer.op})`);
  }
  return parts.join("; ");
}

/** Short op name that prefixes a layer's constant symbols (`conv3_weight`, `dw4_mult`). */
function constPrefix(lowered: Lowered, i: number): string {
  const from = lowered.layers[i]!.from;
  if (from.length > 1) return "block"; // a fused layer, e.g. a streamed expansion + depthwise
  const op = lowered.graph.nodes[from[0]!]!.op.toLowerCase();
  return op.replace("depthwise_conv_2d", "dw").replace("conv_2d", "conv")
    .replace("fully_connected", "fc").replace(/_/g, "");
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
  // Lowered networks to try, in preference order: layer by layer, then streaming only the
  // expansions at the memory peak, then streaming every expansion (much less SRAM on MBConv
  // networks, slower where tensors are narrow).
  const layerwise: readonly Pass[] = passesStreaming(new Set());
  const streaming = options.streaming ?? "auto";
  const fixed = options.passes;
  const lowerings: (() => Lowered | undefined)[] = fixed
    ? [() => runPasses(graph, { passes: fixed })]
    : [
      ...(streaming !== "always" ? [() => runPasses(graph, { passes: layerwise })] : []),
      ...(streaming === "auto" ? [() => selectiveStreaming(graph)] : []),
      ...(streaming !== "never" ? [() => runPasses(graph, { passes: DEFAULT_PASSES })] : []),
    ];
  const variants: Variant[] = [];
  for (const lower of lowerings) {
    const lowered = lower();
    if (!lowered) continue;
    if (lowered.inputs.length < 1 || lowered.outputs.length < 1) {
      throw new RangeError(
        `Cannot compile '${graph.name}' with tinyengine: it has no input or no output`,
      );
    }
    const boundary = boundaryBuffers(graph, lowered);
    for (const config of CONFIGS) {
      variants.push(planVariant(lowered, config, boundary, options.planners));
    }
  }
  // Keep the first (fastest) variant whose arena is within ARENA_TOLERANCE of the smallest and
  // that fits the board's SRAM; when none within the tolerance fits, the first within it.
  const smallest = Math.min(...variants.map((v) => v.chosen.placement.totalBytes));
  const within = (v: Variant) => v.chosen.placement.totalBytes <= smallest * (1 + ARENA_TOLERANCE);
  const fits = (v: Variant) =>
    v.chosen.placement.totalBytes + ARENA_SLACK + FIT_MARGIN <= options.board.sram.size;
  // Scratch modes cost no instructions: the smaller wins outright within a kernel choice.
  const ranked = variants
    .filter((v, i) =>
      !variants.some((o, j) =>
        j !== i && o.lowered === v.lowered && o.config.kernels === v.config.kernels &&
        (o.chosen.placement.totalBytes < v.chosen.placement.totalBytes ||
          (o.chosen.placement.totalBytes === v.chosen.placement.totalBytes && j < i))
      )
    );
  const best = ranked.find((v) => within(v) && fits(v)) ?? ranked.find(within);
  const lowered = best!.lowered;
  const floatIns = lowered.inputs.map((t) => lowered.foldedInputs.find((f) => f.int8 === t));
  const floatOuts = lowered.outputs.map((t) => lowered.foldedOutputs.find((f) => f.int8 === t));
  const { kernels, lifetimes, chosen, all } = best!;
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
  const hash = fnv1a(graph);
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
    planner: `${chosen.planner} (${best!.config.name})`,
    streamed: lowered.layers.some((l) => l.pre !== undefined),
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
