/**
 * Compile, build, emulate and check one model: the pipeline behind `mcu run`, the bench and the
 * tests, for every engine.
 *
 * `runModel` = backend.compile -> buildFirmware -> runFirmware (the input written into the
 * compiled model's input symbol, the output read from its output symbol) -> the reference
 * interpreter on the same input -> a {@link RunReport}.
 *
 * Conventions a backend follows so that `runModel` can measure it:
 * - the input symbol is a `.noinit` buffer (or an alias into one) of the first graph input's
 *   bytes; further graph inputs use `<inputSymbol>_<i>`;
 * - the output symbol has the size of the first graph output's bytes; when the backend exports
 *   `<outputSymbol>_<i>` for further outputs they are compared with the reference too;
 * - model constants in Flash are the data symbols whose names start with `mcu_model`
 *   (their sizes add up to `flashModelBytes`; the rest of the image is code).
 *
 * @module
 */
import { type Board, enlargedBoard } from "../engine/target/mod.ts";
import { fitMessage, shortfalls } from "../engine/target/mod.ts";

export { fitMessage };
import { buildFirmware } from "../engine/build/mod.ts";
import { ToolchainError } from "../engine/target/mod.ts";
import type { FirmwareImage } from "../engine/build/mod.ts";
import type { CompiledModel, EngineName } from "../engine/codegen/mod.ts";
import { getBackend } from "../engine/codegen/mod.ts";
import { elementCount, type Graph, tensorBytes } from "../engine/ir/mod.ts";
import { layerwiseBounds } from "../engine/analysis/mod.ts";
import { BudgetExceededError } from "../emulator/mod.ts";
import { opMacs } from "../engine/ops/mod.ts";
import { interpret } from "../engine/reference/mod.ts";
import type { RunReport } from "./report.ts";
import { createRng } from "../engine/util/mod.ts";
import { parseElf } from "../emulator/mod.ts";
import { runFirmware } from "../emulator/mod.ts";

/** Options of {@link compileModel}. */
export interface CompileModelOptions {
  readonly engine: EngineName;
  readonly board: Board;
}

/**
 * Compile a graph with an engine's backend (no build).
 *
 * @example
 * ```ts ignore
 * const compiled = compileModel(graph, { engine: "tflm", board: getBoard("stm32f746") });
 * ```
 */
export function compileModel(graph: Graph, options: CompileModelOptions): CompiledModel {
  checkTensorSizes(graph);
  return getBackend(options.engine).compile(graph, { board: options.board });
}

/** Options of {@link runModel}. */
export interface RunModelOptions {
  readonly engine: EngineName;
  readonly board: Board;
  /**
   * Raw bytes of the graph input (of all inputs, concatenated, when there are several).
   * @default seeded random int8 values (see {@link defaultInput})
   */
  readonly input?: Uint8Array;
  /** Name in the report. @default graph.name */
  readonly modelName?: string;
  /** Firmware build cache directory. @default no cache */
  readonly cacheDir?: string;
  /** Instruction budget of the emulation. @default derived from the model ({@link defaultBudget}) */
  readonly budget?: number;
  /** Seed of the default input. @default 1 */
  readonly seed?: number;
  /**
   * The model already compiled for this graph, engine and board (e.g. with backend options the
   * registry's default compile does not take). @default compiled here
   */
  readonly compiled?: CompiledModel;
}

/** A run report plus a readable verdict when the model does not fit the board. */
export type ModelRunReport = RunReport & {
  /** "does not fit: needs N bytes of SRAM, board has M" (and/or Flash); absent when it fits. */
  readonly message?: string;
  /** The board the firmware actually ran on (an enlarged copy when it does not fit). */
  readonly measuredOn: string;
};

/** The first consumer QUANTIZE node of a float input, if any (to draw realistic floats). */
function quantOfFloatInput(graph: Graph, tensor: number): { scale: number; zeroPoint: number } {
  for (const n of graph.nodes) {
    if (n.op === "QUANTIZE" && n.inputs[0] === tensor) {
      const q = graph.tensors[n.outputs[0] ?? -1]?.quant;
      if (q) return { scale: q.scale[0] ?? 1, zeroPoint: q.zeroPoint[0] ?? 0 };
    }
  }
  const q = graph.tensors[tensor]?.quant;
  return { scale: q?.scale[0] ?? 1 / 64, zeroPoint: q?.zeroPoint[0] ?? 0 };
}

/**
 * The deterministic default input: uniform random int8 values from `seed` for each graph input,
 * concatenated; a float32 input gets those values dequantized with the scale it is quantized to.
 *
 * @example
 * ```ts ignore
 * const bytes = defaultInput(graph, 1); // same graph and seed, same bytes
 * ```
 */
export function defaultInput(graph: Graph, seed = 1): Uint8Array {
  const rng = createRng(seed);
  const parts: Uint8Array[] = [];
  for (const index of graph.inputs) {
    const t = graph.tensors[index];
    if (!t) throw new RangeError(`Cannot draw an input: graph input tensor ${index} is missing`);
    const bytes = new Uint8Array(tensorBytes(t));
    if (t.dtype === "float32") {
      const { scale, zeroPoint } = quantOfFloatInput(graph, index);
      const view = new DataView(bytes.buffer);
      for (let i = 0; i < bytes.length / 4; i++) {
        view.setFloat32(i * 4, Math.fround(scale * (rng.int(256) - 128 - zeroPoint)), true);
      }
    } else {
      for (let i = 0; i < bytes.length; i++) bytes[i] = rng.int(256);
    }
    parts.push(bytes);
  }
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The raw bytes of each graph input, cut from their concatenation (RangeError on a bad size). */
export function splitInputs(graph: Graph, input: Uint8Array): Uint8Array[] {
  const sizes = graph.inputs.map((i) => tensorBytes(graph.tensors[i]!));
  const total = sizes.reduce((s, n) => s + n, 0);
  if (input.length !== total) {
    throw new RangeError(
      `Cannot run '${graph.name}': the input has ${input.length} bytes but the model takes ${total}`,
    );
  }
  let at = 0;
  return sizes.map((n) => {
    const part = input.slice(at, at + n);
    at += n;
    return part;
  });
}

/** The first graph output's raw bytes as numbers of its dtype. */
export function decodeOutput(graph: Graph, bytes: Uint8Array): number[] {
  const t = graph.tensors[graph.outputs[0] ?? -1];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (t?.dtype) {
    case "float32":
      return Array.from({ length: bytes.length >> 2 }, (_, i) => view.getFloat32(i * 4, true));
    case "int32":
      return Array.from({ length: bytes.length >> 2 }, (_, i) => view.getInt32(i * 4, true));
    case "int16":
      return Array.from({ length: bytes.length >> 1 }, (_, i) => view.getInt16(i * 2, true));
    case "uint8":
      return Array.from(bytes);
    default:
      return Array.from(new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }
}

/** Bytes of the data symbols whose names start with `mcu_model` (the model's Flash share). */
export function modelFlashBytes(elf: Uint8Array): number {
  let total = 0;
  const seen = new Set<string>();
  for (const s of parseElf(elf).symbols) {
    if (s.name.startsWith("mcu_model") && s.type === "object" && s.shndx !== 0) {
      if (seen.has(s.name)) continue;
      seen.add(s.name);
      total += s.size;
    }
  }
  return total;
}

/**
 * Where a compiled model's SRAM peaks, for "does not fit" messages: the plan's own peak layer
 * (tinyengine), else the operator where the tensors live at once peak (the layer-wise bound).
 */
export function sramPeakText(graph: Graph, compiled: CompiledModel): string {
  const peak = compiled.plan.peak;
  if (peak) return `layer ${peak.layer} (${peak.op}, ${peak.liveBytes} B live)`;
  const b = layerwiseBounds(graph).tflm;
  return `operator ${b.peakOp} (${b.peakOpName}, ${b.bytes} B of tensors live)`;
}

/** SRAM the emulator maps at most for an enlarged board (the SRAM window is 512 MiB). */
export const MAX_EMULATED_SRAM_BYTES = 256 * 1024 * 1024;
/** Flash the emulator maps at most for an enlarged board. */
export const MAX_EMULATED_FLASH_BYTES = 64 * 1024 * 1024;

/**
 * Refuse, before anything is allocated, a graph whose tensors no board and no emulator map can
 * hold (a 544-byte model can declare 2 GB tensors).
 *
 * @example
 * ```ts ignore
 * checkTensorSizes(graph); // throws RangeError naming the tensor
 * ```
 */
export function checkTensorSizes(graph: Graph): void {
  const limit = MAX_EMULATED_SRAM_BYTES / 4;
  let constants = 0;
  graph.tensors.forEach((t, i) => {
    const bytes = tensorBytes(t);
    if (t.data) {
      constants += bytes;
    } else if (bytes > limit) {
      throw new RangeError(
        `Cannot compile '${graph.name}': tensor ${i} ('${t.name}', ${t.dtype} [${t.shape}]) needs ` +
          `${bytes} bytes; no microcontroller has that much SRAM, and the emulator maps at most ` +
          `${limit} bytes for one tensor`,
      );
    }
  });
  if (constants > MAX_EMULATED_FLASH_BYTES) {
    throw new RangeError(
      `Cannot compile '${graph.name}': its constants need ${constants} bytes of Flash; the ` +
        `emulator maps at most ${MAX_EMULATED_FLASH_BYTES}`,
    );
  }
}

/**
 * The default instruction budget of a run, derived from the model so that a runaway firmware
 * stops in seconds: 20 instructions per MAC, 2,000 per tensor element (elementwise operators and
 * init-time per-channel arithmetic cost no MACs) and a 20M margin.
 */
export function defaultBudget(graph: Graph): number {
  let macs = 0;
  for (const n of graph.nodes) macs += opMacs(graph, n);
  let elements = 0;
  for (const t of graph.tensors) elements += elementCount(t.shape);
  return Math.min(2e9, 20 * macs + 2000 * elements + 20_000_000);
}

/** SRAM the static data needs beyond the arena, and stack, for the first-guess fit check. */
const STATIC_MARGIN = 16 * 1024;
/** Flash beyond the model data (runtime code) for the first-guess fit check. */
const CODE_MARGIN = 128 * 1024;

async function build(
  compiled: CompiledModel,
  board: Board,
  cacheDir: string | undefined,
): Promise<FirmwareImage> {
  return await buildFirmware(compiled.sources, {
    board,
    ...(cacheDir !== undefined ? { cacheDir } : {}),
  });
}

function modelDataBytes(compiled: CompiledModel): number {
  let n = 0;
  for (const c of Object.values(compiled.sources.files)) if (c instanceof Uint8Array) n += c.length;
  return n;
}

/**
 * Build a compiled model for `board`, or for an enlarged memory map of the same core when it does
 * not fit ({@link enlargedBoard}); `target` is the board the image was linked for.
 */
export async function buildForBoard(
  compiled: CompiledModel,
  board: Board,
  cacheDir: string | undefined,
): Promise<{ image: FirmwareImage; target: Board }> {
  const needSram = compiled.plan.arenaBytes + STATIC_MARGIN;
  const needFlash = modelDataBytes(compiled) + CODE_MARGIN;
  if (needSram > MAX_EMULATED_SRAM_BYTES / 2 || needFlash > MAX_EMULATED_FLASH_BYTES / 2) {
    throw new RangeError(
      `Cannot build '${compiled.sources.name}': it needs ${needSram} bytes of SRAM and ` +
        `${needFlash} of Flash; the emulator maps at most ${MAX_EMULATED_SRAM_BYTES / 2} and ${
          MAX_EMULATED_FLASH_BYTES / 2
        }`,
    );
  }
  const big = () => enlargedBoard(board, needSram * 2, needFlash * 2);
  const fits = shortfalls({ sramBytes: needSram, flashBytes: needFlash }, board).length === 0;
  let target = fits ? board : big();
  try {
    return { image: await build(compiled, target, cacheDir), target };
  } catch (e) {
    // The link failed for lack of room on the real board: measure on the enlarged map.
    if (!(e instanceof ToolchainError) || target !== board) throw e;
    target = big();
    return { image: await build(compiled, target, cacheDir), target };
  }
}

/**
 * Compile, build, run in the emulator and compare with the reference interpreter.
 *
 * A model that does not fit the board is measured anyway, on an enlarged memory map of the same
 * core ({@link enlargedBoard}); the report then has `fits: false` and a `message`.
 *
 * @example
 * ```ts ignore
 * const r = await runModel(graph, { engine: "tflm", board: getBoard("stm32f746") });
 * // r.instructions, r.peakSramBytes, r.referenceMatch, r.layers
 * ```
 */
export async function runModel(graph: Graph, options: RunModelOptions): Promise<ModelRunReport> {
  const board = options.board;
  checkTensorSizes(graph);
  const compiled = options.compiled ?? compileModel(graph, { engine: options.engine, board });
  if (compiled.engine !== options.engine) {
    throw new RangeError(
      `Cannot run '${graph.name}': it was compiled by ${compiled.engine}, not ${options.engine}`,
    );
  }
  const input = options.input ?? defaultInput(graph, options.seed ?? 1);
  const inputs = splitInputs(graph, input);

  const { image, target } = await buildForBoard(compiled, board, options.cacheDir);

  const inputMap: Record<string, Uint8Array> = {};
  inputs.forEach((bytes, i) => {
    inputMap[i === 0 ? compiled.inputSymbol : `${compiled.inputSymbol}_${i}`] = bytes;
  });
  const outputSymbols = [compiled.outputSymbol];
  const exported = new Set(parseElf(image.elf).symbols.map((s) => s.name));
  for (let i = 1; i < graph.outputs.length; i++) {
    if (exported.has(`${compiled.outputSymbol}_${i}`)) {
      outputSymbols.push(`${compiled.outputSymbol}_${i}`);
    }
  }
  const budget = options.budget ?? defaultBudget(graph);
  let run;
  try {
    run = runFirmware(
      { elf: image.elf, board: target },
      {
        inputs: inputMap,
        outputs: outputSymbols,
        cycleModel: { clockHz: board.clockHz, ...(board.timing ? { timing: board.timing } : {}) },
        budget,
      },
    );
  } catch (e) {
    if (e instanceof BudgetExceededError && options.budget === undefined) {
      const err = new BudgetExceededError(e);
      err.message = `${e.message}; the default budget is derived from the model (20 ` +
        `instructions per MAC, 2,000 per tensor element, plus 20M): a firmware that runs longer ` +
        `is stuck`;
      throw err;
    }
    throw e;
  }
  if (run.exitStatus !== 0) {
    throw new Error(
      `Cannot run '${graph.name}' with engine ${options.engine}: the firmware stopped with status ${run.exitStatus}`,
    );
  }
  const got = run.outputs[compiled.outputSymbol] ?? new Uint8Array(0);
  const expected = interpret(graph, inputs).outputs;
  const referenceMatch = outputSymbols.every((sym, i) => {
    const a = run.outputs[sym] ?? new Uint8Array(0);
    const b = expected[i] ?? new Uint8Array(0);
    return a.length === b.length && a.every((v, j) => v === b[j]);
  });

  const counts = new Map(run.layers.map((l) => [l.index, l.instructions]));
  const modelled = new Map((run.cycles?.layers ?? []).map((l) => [l.index, l]));
  const layers = compiled.layers.map((l, index) => {
    const c = modelled.get(index);
    return {
      index,
      op: l.op,
      macs: l.macs,
      instructions: counts.get(index) ?? 0,
      cycles: c?.cycles ?? 0,
      latencyMs: c?.latencyMs ?? 0,
      energyMj: c?.energyMj ?? 0,
    };
  });
  const cost = run.cycles;
  const flashModelBytes = modelFlashBytes(image.elf);
  const measured = { peakSramBytes: run.sram.peakBytes, flashBytes: run.flash.bytes };
  const message = fitMessage(measured, board, sramPeakText(graph, compiled));
  const { buffers: _buffers, ...plan } = compiled.plan;
  let macs = 0;
  for (const n of graph.nodes) macs += opMacs(graph, n);
  const report: ModelRunReport = {
    model: options.modelName ?? graph.name,
    engine: options.engine,
    board: board.name,
    core: board.core,
    macs,
    instructions: run.inferenceInstructions,
    initInstructions: run.initInstructions,
    ...(cost
      ? {
        cycles: cost.inference.cycles,
        idealCycles: cost.inference.idealCycles,
        latencyMs: cost.inference.latencyMs,
        idealLatencyMs: cost.inference.idealCycles / board.clockHz * 1e3,
        energyMj: cost.inference.energyMj,
        initCycles: cost.init.cycles,
      }
      : {}),
    peakSramBytes: run.sram.peakBytes,
    staticSramBytes: run.sram.staticBytes,
    stackBytes: run.sram.stackBytes,
    arenaBytes: compiled.plan.arenaBytes,
    plan,
    flashBytes: run.flash.bytes,
    flashModelBytes,
    flashCodeBytes: run.flash.bytes - flashModelBytes,
    fits: message === undefined,
    fitsSram: run.sram.peakBytes <= board.sram.size,
    fitsFlash: run.flash.bytes <= board.flash.size,
    referenceMatch,
    output: decodeOutput(graph, got),
    layers,
    firmwareSha256: image.sha256,
    measuredOn: target.name,
    ...(message !== undefined ? { message } : {}),
  };
  return report;
}
