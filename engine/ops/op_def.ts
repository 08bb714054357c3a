/**
 * The shape of one operator's definition: everything about an operator that is not one backend's
 * business (validation, shape inference, MACs, parameters, window, option text, quantization
 * prepare, and its `.tflite` builtin code and options) in one record. `table.ts` collects one per
 * operator name; the IR validation, the `.tflite` reader and writer and the cost functions
 * dispatch through it.
 *
 * @module
 */
import type { Activation, Graph, Node, NodeOf, OpName, Padding } from "../ir/mod.ts";
import type { CheckContext } from "./_check.ts";
import type { OpWindow } from "./window.ts";

/**
 * Read access to one flatbuffer options table: the subset of the `.tflite` reader's table
 * accessors an options reader needs (bounds-checked; a missing field gives its default).
 */
export interface OptionsIn {
  i8(slot: number, name: string, dflt?: number): number;
  i32(slot: number, name: string, dflt?: number): number;
  f32(slot: number, name: string, dflt?: number): number;
  bool(slot: number, name: string, dflt?: boolean): boolean;
  int32s(slot: number, name: string): number[] | undefined;
}

/** What an options reader knows about the operator it reads, and how it reports problems. */
export interface OptionsReadContext {
  /** The operator's index in the model. */
  readonly index: number;
  /** The builtin operator the model names (an alias such as SQUEEZE for RESHAPE). */
  readonly source: string;
  /** The declared shape of the operator's first output. */
  readonly outputShape: readonly number[];
  /** The fused activation in `slot` (TANH and SIGN_BIT are unsupported). */
  activation(o: OptionsIn | undefined, slot: number): Activation;
  /** The padding in `slot`. */
  padding(o: OptionsIn | undefined, slot: number): Padding;
  /** Refuse the operator: an `UnsupportedOpError` naming it, its index and `detail`. */
  unsupported(detail: string): never;
}

/** One field of an options table to write, in the order the writer adds it. */
export type OptionField =
  | {
    readonly kind: "i8" | "i32" | "f32";
    readonly slot: number;
    readonly value: number;
    readonly dflt: number;
  }
  | { readonly kind: "i32s"; readonly slot: number; readonly values: readonly number[] };

/** A `BuiltinOptions` union member: its schema name, union type and slots the writer allocates. */
export interface OptionsTableKind {
  readonly name: string;
  readonly type: number;
  readonly slots: number;
}

/** Another builtin operator the IR reads as this one (SQUEEZE and EXPAND_DIMS as RESHAPE). */
export interface TfliteAlias {
  readonly name: string;
  readonly code: number;
  readonly options: OptionsTableKind;
  /** How many of the alias's inputs the node keeps (EXPAND_DIMS' axis input is dropped). */
  readonly keepInputs?: number;
}

/** An operator's `.tflite` encoding: builtin code and options (IR record `O`) read/write. */
export interface TfliteCodec<O> {
  /** The `BuiltinOperator` code. */
  readonly code: number;
  /**
   * The options table the operator writes and expects, or undefined when it has none (the
   * reader then ignores any options it finds).
   */
  readonly options?: OptionsTableKind;
  readonly aliases?: readonly TfliteAlias[];
  /** The IR options from the table (undefined when the model has none: defaults). */
  read(o: OptionsIn | undefined, ctx: OptionsReadContext): O;
  /** The fields to write, in order (only called when `options` is set). */
  write?(options: O): readonly OptionField[];
}

/** The definition of operator `K` (or of several operators that share a node type). */
export type OpDef<K extends OpName> = OperatorDef<NodeOf<K>>;

/** Everything about one operator that is not one backend's business, over its node type. */
export interface OperatorDef<N extends Node> {
  /** Allowed input counts, [min, max]. */
  readonly inputs: readonly [number, number];
  /** Allowed output counts, [min, max]; one output when absent. */
  readonly outputs?: readonly [number, number];
  /** Input positions that may be absent (-1), e.g. a convolution's bias. */
  readonly optionalInputs?: readonly number[];
  /** Check the node's shapes, constants and options; throw through `ctx.fail`. */
  check(ctx: CheckContext, node: N): void;
  /** The shape of each output, inferred from the inputs and options as TFLite would. */
  outputShapes(graph: Graph, node: N): number[][];
  /** Multiply-accumulates (0 when absent: pooling, elementwise and activations are not MACs). */
  macs?(graph: Graph, node: N): number;
  /**
   * Weights (input 1) and bias (input 2) are trainable parameters; `foldedBatchNorm` when the
   * float network had a batch norm in place of the bias.
   */
  readonly trainable?: { readonly foldedBatchNorm: boolean };
  /** The sliding window of convolutions and pools. */
  window?(node: N): OpWindow;
  /** The options in a few words for reports (`3x3 s2 SAME RELU6`); "" when absent. */
  describe?(node: N, graph: Graph): string;
  /** TFLite's Prepare: the int8 kernel's multipliers and ranges (`engine/quant`). */
  prepare?(graph: Graph, node: N): unknown;
  readonly tflite: TfliteCodec<N["options"]>;
}
