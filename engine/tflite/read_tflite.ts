/**
 * `.tflite` import: a TFLite flatbuffer (schema version 3) to the {@link Graph} IR.
 *
 * @module
 */

import {
  type Activation,
  type DType,
  DTYPE_BYTES,
  type Graph,
  type Node,
  OP_NAMES,
  type OpName,
  type Padding,
  type Quantization,
  type Tensor,
} from "../ir/mod.ts";
import { ModelFormatError, UnsupportedOpError } from "../ir/mod.ts";
import {
  ACTIVATION_NAMES,
  OPS,
  type OptionsReadContext,
  PADDING_NAMES,
  validateGraph,
} from "../ops/mod.ts";
import { FlatReader, type Table } from "./_flat.ts";
import {
  BUFFER,
  builtinOpName,
  MODEL,
  OPERATOR,
  OPERATOR_CODE,
  QUANTIZATION,
  SCHEMA_VERSION,
  SUBGRAPH,
  SUBGRAPH_OPS,
  TENSOR,
  TENSOR_TYPE_NAMES,
} from "./_schema.ts";

/** Options of {@link readTflite}. */
export interface ReadTfliteOptions {
  /**
   * Name of the resulting Graph.
   * @default the name of subgraph 0, or "model" when it has none
   */
  readonly name?: string;
}

/** TFLite `TensorType` values the IR keeps. */
const DTYPE_OF_TFLITE: ReadonlyMap<number, DType> = new Map<number, DType>([
  [0, "float32"],
  [2, "int32"],
  [3, "uint8"],
  [4, "int64"],
  [6, "bool"],
  [7, "int16"],
  [9, "int8"],
]);

/**
 * The IR operator of each builtin code the operator definitions claim: their own code, and the
 * aliases they read (SQUEEZE and EXPAND_DIMS as RESHAPE).
 */
const OP_OF_CODE: ReadonlyMap<number, OpName> = new Map(
  OP_NAMES.flatMap((op) => {
    const codec = OPS[op].tflite;
    return [[codec.code, op] as const, ...(codec.aliases ?? []).map((a) => [a.code, op] as const)];
  }),
);

/**
 * Read a `.tflite` model into a Graph: subgraph 0, its tensors (constant data copied out of the
 * model's buffers), and its operators in execution order. The result is checked with
 * `validateGraph` before it is returned.
 *
 * @example
 * ```ts
 * import { readTflite } from "./read_tflite.ts";
 * import { writeTflite } from "./write_tflite.ts";
 * const g = readTflite(writeTflite({
 *   name: "copy", nodes: [], inputs: [0], outputs: [0],
 *   tensors: [{ name: "x", shape: [1, 4], dtype: "float32" }],
 * }));
 * if (g.tensors[0]?.name !== "x") throw new Error("unexpected");
 * ```
 *
 * @param bytes The whole `.tflite` file.
 * @param options See {@link ReadTfliteOptions}.
 * @returns The imported graph.
 * @throws {ModelFormatError} when the file is truncated, malformed or inconsistent; the message
 *   says what is wrong and where.
 * @throws {UnsupportedOpError} naming the first operator (and its index) the IR cannot hold.
 */
export function readTflite(bytes: Uint8Array, options: ReadTfliteOptions = {}): Graph {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError("Cannot read a .tflite model: 'bytes' must be a Uint8Array");
  }
  const r: FlatReader = new FlatReader(bytes);
  if (bytes.byteLength < 8) {
    r.fail("model", `the file has ${bytes.byteLength} bytes, too few for a flatbuffer`);
  }
  const ident = String.fromCharCode(bytes[4] ?? 0, bytes[5] ?? 0, bytes[6] ?? 0, bytes[7] ?? 0);
  if (ident !== "TFL3") {
    r.fail("model", `file identifier is ${JSON.stringify(ident)}, expected "TFL3"`);
  }
  const model = r.root("model");
  const version = model.u32(MODEL.version, "version");
  if (version !== SCHEMA_VERSION) {
    r.fail("model", `schema version is ${version}, expected ${SCHEMA_VERSION}`);
  }

  const opCodes = readOperatorCodes(model);

  const subgraphs = model.vector(MODEL.subgraphs, "subgraphs", 4);
  if (!subgraphs || subgraphs.length === 0) r.fail("model", "it has no subgraphs");
  const sgWhere = "subgraph 0";
  const sg = model.tableAt(subgraphs, 0, sgWhere);

  // Operators first, so that an unsupported operator is reported before anything else.
  const opsVec = sg.vector(SUBGRAPH.operators, "operators", 4);
  const ops: { table: Table; op: OpName; source: string }[] = [];
  for (let i = 0; i < (opsVec?.length ?? 0); i++) {
    const where = `operator ${i} of ${sgWhere}`;
    const t = sg.tableAt(opsVec!, i, where);
    const codeIndex = t.u32(OPERATOR.opcodeIndex, "opcode_index");
    const code = opCodes[codeIndex];
    if (code === undefined) {
      r.fail(
        where,
        `opcode index ${codeIndex} out of range (model has ${opCodes.length} operator codes)`,
      );
    }
    const { name, custom } = code;
    const op = custom ? undefined : OP_OF_CODE.get(code.code);
    if (op === undefined) {
      let detail = "";
      if (custom) detail = "it is a custom operator";
      else if (SUBGRAPH_OPS.has(name)) {
        detail = `it refers to other subgraphs (the model has ${subgraphs.length})`;
      }
      throw new UnsupportedOpError(name, i, detail);
    }
    ops.push({ table: t, op, source: name });
  }

  const tensors = readTensors(r, model, sg, sgWhere);
  const nodes = ops.map(({ table, op, source }, i) => readNode(table, op, i, tensors, source));
  const graph: Graph = {
    name: options.name ?? (sg.string(SUBGRAPH.name, "name") || "model"),
    tensors,
    nodes,
    inputs: sg.int32s(SUBGRAPH.inputs, "inputs") ?? [],
    outputs: sg.int32s(SUBGRAPH.outputs, "outputs") ?? [],
  };
  validateGraph(graph);
  return graph;
}

/** An operator code: the builtin operator's name, or the custom code of a custom operator. */
interface OpCode {
  readonly name: string;
  readonly custom: boolean;
  /** The builtin code (32 for a custom operator). */
  readonly code: number;
}

/** Operator codes by index. */
function readOperatorCodes(model: Table): OpCode[] {
  const vec = model.vector(MODEL.operatorCodes, "operator_codes", 4);
  const codes: OpCode[] = [];
  for (let i = 0; i < (vec?.length ?? 0); i++) {
    const where = `operator code ${i}`;
    const t = model.tableAt(vec!, i, where);
    const code = Math.max(
      t.i8(OPERATOR_CODE.deprecatedBuiltinCode, "deprecated_builtin_code"),
      t.i32(OPERATOR_CODE.builtinCode, "builtin_code"),
    );
    if (code < 0) failAt(where, `builtin code ${code} is negative`);
    const name = builtinOpName(code);
    if (name === "CUSTOM") {
      const custom = t.string(OPERATOR_CODE.customCode, "custom_code");
      codes.push({ name: custom || "CUSTOM", custom: true, code });
    } else {
      codes.push({ name, custom: false, code });
    }
  }
  return codes;
}

function failAt(where: string, what: string): never {
  throw new ModelFormatError(`Cannot read ${where}: ${what}`);
}

function readTensors(r: FlatReader, model: Table, sg: Table, sgWhere: string): Tensor[] {
  const buffers = model.vector(MODEL.buffers, "buffers", 4);
  const bufferCount = buffers?.length ?? 0;
  const vec = sg.vector(SUBGRAPH.tensors, "tensors", 4);
  const out: Tensor[] = [];
  // Tensors that share a buffer share one copy of its bytes (the IR treats data as read-only).
  const dataOf = new Map<number, Uint8Array | undefined>();
  for (let i = 0; i < (vec?.length ?? 0); i++) {
    const where = `tensor ${i} of ${sgWhere}`;
    const t = sg.tableAt(vec!, i, where);
    const shape = t.int32s(TENSOR.shape, "shape") ?? [];
    shape.forEach((d, k) => {
      if (d < 0) failAt(where, `dimension ${k} is ${d} (dynamic shapes are not supported)`);
    });
    const typeCode = t.i8(TENSOR.type, "type");
    const dtype = DTYPE_OF_TFLITE.get(typeCode);
    if (dtype === undefined) {
      const typeName = TENSOR_TYPE_NAMES[typeCode] ?? `unknown type ${typeCode}`;
      failAt(where, `element type ${typeName} is not supported`);
    }
    const name = t.string(TENSOR.name, "name") ?? "";
    if (t.has(TENSOR.sparsity)) failAt(where, "sparse tensors are not supported");
    if (t.u32(TENSOR.externalBuffer, "external_buffer") !== 0) {
      failAt(where, "tensor data in external files is not supported");
    }
    const quant = readQuantization(t, where, shape.length);
    const bufferIndex = t.u32(TENSOR.buffer, "buffer");
    if (bufferIndex >= bufferCount && (bufferIndex !== 0 || bufferCount !== 0)) {
      failAt(where, `buffer index ${bufferIndex} out of range (model has ${bufferCount} buffers)`);
    }
    let data: Uint8Array | undefined;
    if (bufferIndex > 0 && buffers) {
      if (dataOf.has(bufferIndex)) {
        data = dataOf.get(bufferIndex);
      } else {
        const bwhere = `buffer ${bufferIndex} (of ${where})`;
        const b = model.tableAt(buffers, bufferIndex, bwhere);
        data = b.bytes(BUFFER.data, "data");
        const offset = b.u64(BUFFER.offset, "offset");
        if (offset > 1) {
          const size = b.u64(BUFFER.size, "size");
          data = r.copy(offset, size, bwhere, "data stored outside the flatbuffer");
        }
        if (data && data.byteLength === 0) data = undefined;
        dataOf.set(bufferIndex, data);
      }
    }
    const variable = t.bool(TENSOR.isVariable, "is_variable");
    if (variable) {
      // TFLM resets a variable tensor to its zero point (int8) or zero before the first run,
      // whatever its buffer holds: the IR keeps that reset value as the tensor's data.
      let count = 1;
      for (const d of shape) count *= d;
      const bytes = count * DTYPE_BYTES[dtype];
      // No board's SRAM (nor the emulator's map) holds 16 MiB of state: refuse before allocating,
      // so a corrupt shape costs no memory or time.
      if (bytes > 1 << 24) failAt(where, `variable tensor of ${bytes} bytes is too large`);
      data = new Uint8Array(bytes);
      if (dtype === "int8") data.fill((quant?.zeroPoint[0] ?? 0) & 0xff);
    }
    out.push({
      name,
      shape,
      dtype,
      ...(quant ? { quant } : {}),
      ...(data ? { data } : {}),
      ...(variable ? { variable: true } : {}),
    });
  }
  return out;
}

function readQuantization(t: Table, where: string, rank: number): Quantization | undefined {
  const q = t.table(TENSOR.quantization, "quantization");
  if (!q) return undefined;
  if (q.u8(QUANTIZATION.detailsType, "details_type") !== 0) {
    failAt(where, "custom quantization details are not supported");
  }
  const scale = q.float32s(QUANTIZATION.scale, "scale") ?? [];
  if (scale.length === 0) return undefined;
  const zeroPoint = q.int64s(QUANTIZATION.zeroPoint, "zero_point") ?? scale.map(() => 0);
  if (zeroPoint.length !== scale.length) {
    failAt(where, `quantization has ${scale.length} scales but ${zeroPoint.length} zero points`);
  }
  let axis = q.i32(QUANTIZATION.quantizedDimension, "quantized_dimension");
  // Some converters copy the filter's quantized dimension onto a per-channel rank-1 bias (TFLM's
  // person detection model has 3 there; TFLM ignores it, TFLite rejects it): its channels are
  // its only dimension.
  if (scale.length > 1 && rank === 1 && axis > 0) axis = 0;
  return { scale, zeroPoint, axis };
}

function readNode(
  t: Table,
  op: OpName,
  index: number,
  tensors: readonly Tensor[],
  source: string = op,
): Node {
  const codec = OPS[op].tflite;
  const alias = codec.aliases?.find((a) => a.name === source);
  const read = t.int32s(OPERATOR.inputs, "inputs") ?? [];
  const inputs = alias?.keepInputs !== undefined ? read.slice(0, alias.keepInputs) : read;
  const outputs = t.int32s(OPERATOR.outputs, "outputs") ?? [];
  const typeCode = t.u8(OPERATOR.builtinOptionsType, "builtin_options_type");
  const expected = alias ? alias.options : codec.options;

  // The options table if its union type is the expected one; undefined (defaults) when absent,
  // or when the operator has no options (whatever the model holds is ignored).
  let table: Table | undefined;
  if (typeCode !== 0 && expected) {
    if (typeCode !== expected.type) {
      failAt(
        t.where,
        `${op} has builtin options of union type ${typeCode}, expected ${expected.name} (${expected.type})`,
      );
    }
    table = t.table(OPERATOR.builtinOptions, "builtin_options", `${expected.name} of ${t.where}`);
  }
  const ctx: OptionsReadContext = {
    index,
    source,
    outputShape: tensors[outputs[0] ?? -1]?.shape ?? [],
    activation(o, slot): Activation {
      const code = o?.i8(slot, "fused_activation_function") ?? 0;
      const name = ACTIVATION_NAMES[code];
      if (name === undefined) failAt(t.where, `fused activation code ${code} is invalid`);
      if (name === "TANH" || name === "SIGN_BIT") {
        throw new UnsupportedOpError(op, index, `fused activation ${name} is not supported`);
      }
      return name;
    },
    padding(o, slot): Padding {
      const code = o?.i8(slot, "padding") ?? 0;
      const name = PADDING_NAMES[code];
      if (name === undefined) failAt(t.where, `padding code ${code} is invalid`);
      return name;
    },
    unsupported(detail): never {
      throw new UnsupportedOpError(op, index, detail);
    },
  };
  return { op, inputs, outputs, options: codec.read(table, ctx) } as Node;
}
