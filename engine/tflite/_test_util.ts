/**
 * Test helpers: the shared real models directory and a raw flatbuffer builder for models the IR
 * cannot express (the hand-built graphs live in `../ir/_test_graphs.ts`). Used only by tests.
 *
 * @module
 */

import { Builder } from "flatbuffers";
import { sharedModelsDir } from "../util/mod.ts";
import {
  BUFFER,
  MODEL,
  OPERATOR,
  OPERATOR_CODE,
  QUANTIZATION,
  SUBGRAPH,
  TENSOR,
} from "./_schema.ts";

/** Where the shared `.tflite` models live: `$MCU_MODELS_DIR`, default `<repo>/../shared/models`. */
export function modelsDir(): string {
  return sharedModelsDir();
}

/** The shared model files present (sorted), or [] when the directory is absent. */
export function sharedModels(): string[] {
  try {
    return [...Deno.readDirSync(modelsDir())]
      .filter((e) => e.isFile && e.name.endsWith(".tflite"))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

/** Read one shared model's bytes. */
export function modelBytes(file: string): Uint8Array {
  return Deno.readFileSync(`${modelsDir()}/${file}`);
}

/** Suffix for test names when the models are missing, so the skip says why. */
export function skipNote(): string {
  return sharedModels().length > 0
    ? ""
    : ` (skipped: no .tflite models in ${modelsDir()}; set MCU_MODELS_DIR)`;
}

/** The unsupported shared model. */
export const LSTM_MODEL = "tflm_mnist_lstm_int8.tflite";

/** A raw operator code for {@link buildRawModel}. */
export interface RawOpCode {
  readonly deprecated?: number;
  readonly builtin?: number;
  readonly custom?: string;
}

/** Parts of a raw model; anything the IR cannot express is allowed. */
export interface RawModel {
  readonly version?: number;
  readonly opcodes: readonly RawOpCode[];
  /** Operators: opcode index, inputs, outputs, and optionally a builtin options table of int32
   * fields (`[slot, value]`) with its union type. */
  readonly ops: readonly {
    opcode: number;
    inputs: number[];
    outputs: number[];
    options?: { type: number; ints: readonly (readonly [number, number])[] };
  }[];
  readonly tensors: readonly { shape: number[]; type: number; buffer: number; scale?: number }[];
  /** Buffer data, or `{ offset, size }` for data stored after the flatbuffer (large models). */
  readonly buffers: readonly (Uint8Array | null | { offset: number; size: number })[];
  readonly subgraphCount?: number;
  /** When set, every tensor's shape field points at this one shared vector. */
  readonly sharedShape?: readonly number[];
}

/** Build a model directly with flatbuffers' Builder, bypassing the IR and the writer. */
export function buildRawModel(m: RawModel): Uint8Array {
  const b = new Builder(1024);
  const i32v = (xs: readonly number[]) => {
    b.startVector(4, xs.length, 4);
    for (let i = xs.length - 1; i >= 0; i--) b.addInt32(xs[i]!);
    return b.endVector();
  };
  const offv = (xs: readonly number[]) => {
    b.startVector(4, xs.length, 4);
    for (let i = xs.length - 1; i >= 0; i--) b.addOffset(xs[i]!);
    return b.endVector();
  };
  const buffers = m.buffers.map((d) => {
    const data = d instanceof Uint8Array ? b.createByteVector(d) : 0;
    b.startObject(3);
    if (data) b.addFieldOffset(BUFFER.data, data, 0);
    if (d && !(d instanceof Uint8Array)) {
      b.addFieldInt64(BUFFER.offset, BigInt(d.offset), 0n);
      b.addFieldInt64(BUFFER.size, BigInt(d.size), 0n);
    }
    return b.endObject();
  });
  const shared = m.sharedShape ? i32v(m.sharedShape) : 0;
  const tensors = m.tensors.map((t, i) => {
    const shape = shared || i32v(t.shape);
    const name = b.createString(`t${i}`);
    let q = 0;
    if (t.scale !== undefined) {
      b.startVector(4, 1, 4);
      b.addFloat32(t.scale);
      const scale = b.endVector();
      b.startObject(QUANTIZATION.count);
      b.addFieldOffset(QUANTIZATION.scale, scale, 0);
      q = b.endObject();
    }
    b.startObject(TENSOR.count);
    b.addFieldOffset(TENSOR.shape, shape, 0);
    b.addFieldInt8(TENSOR.type, t.type, 0);
    b.addFieldInt32(TENSOR.buffer, t.buffer, 0);
    b.addFieldOffset(TENSOR.name, name, 0);
    if (q) b.addFieldOffset(TENSOR.quantization, q, 0);
    return b.endObject();
  });
  const ops = m.ops.map((o) => {
    const ins = i32v(o.inputs);
    const outs = i32v(o.outputs);
    let opts = 0;
    if (o.options) {
      b.startObject(16);
      for (const [slot, v] of o.options.ints) b.addFieldInt32(slot, v, 0);
      opts = b.endObject();
    }
    b.startObject(OPERATOR.count);
    b.addFieldInt32(OPERATOR.opcodeIndex, o.opcode, 0);
    b.addFieldOffset(OPERATOR.inputs, ins, 0);
    b.addFieldOffset(OPERATOR.outputs, outs, 0);
    if (o.options) {
      b.addFieldInt8(OPERATOR.builtinOptionsType, o.options.type, 0);
      b.addFieldOffset(OPERATOR.builtinOptions, opts, 0);
    }
    return b.endObject();
  });
  const codes = m.opcodes.map((c) => {
    const custom = c.custom === undefined ? 0 : b.createString(c.custom);
    b.startObject(OPERATOR_CODE.count);
    b.addFieldInt8(OPERATOR_CODE.deprecatedBuiltinCode, c.deprecated ?? 0, 0);
    if (custom) b.addFieldOffset(OPERATOR_CODE.customCode, custom, 0);
    b.addFieldInt32(OPERATOR_CODE.builtinCode, c.builtin ?? 0, 0);
    return b.endObject();
  });
  const subgraphs: number[] = [];
  for (let s = 0; s < (m.subgraphCount ?? 1); s++) {
    const tv = offv(tensors);
    const iv = i32v(m.tensors.length > 0 ? [0] : []);
    const ov = i32v(m.tensors.length > 0 ? [m.tensors.length - 1] : []);
    const opv = offv(s === 0 ? ops : []);
    b.startObject(SUBGRAPH.count);
    b.addFieldOffset(SUBGRAPH.tensors, tv, 0);
    b.addFieldOffset(SUBGRAPH.inputs, iv, 0);
    b.addFieldOffset(SUBGRAPH.outputs, ov, 0);
    b.addFieldOffset(SUBGRAPH.operators, opv, 0);
    subgraphs.push(b.endObject());
  }
  const cv = offv(codes);
  const sv = offv(subgraphs);
  const bv = offv(buffers);
  b.startObject(MODEL.count);
  b.addFieldInt32(MODEL.version, m.version ?? 3, null);
  b.addFieldOffset(MODEL.operatorCodes, cv, 0);
  b.addFieldOffset(MODEL.subgraphs, sv, 0);
  b.addFieldOffset(MODEL.buffers, bv, 0);
  b.finish(b.endObject(), "TFL3");
  return b.asUint8Array().slice();
}

/**
 * A small model whose one operator (BIDIRECTIONAL_SEQUENCE_LSTM, builtin 52) the IR does not
 * hold: for the tests of the unsupported-operator error.
 */
export function unsupportedOpModel(): Uint8Array {
  return buildRawModel({
    opcodes: [{ builtin: 52 }],
    ops: [{ opcode: 0, inputs: [0], outputs: [1] }],
    tensors: [{ shape: [1, 4], type: 0, buffer: 0 }, { shape: [1, 4], type: 0, buffer: 0 }],
    buffers: [null],
  });
}
