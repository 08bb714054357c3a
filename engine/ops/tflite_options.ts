/**
 * Facts of the public TFLite schema (`schema.fbs`) about builtin options that the operator
 * definitions read and write: the `BuiltinOptions` union members, the activation and padding
 * enums, and field helpers. Slots count every field in declaration order, deprecated ones too.
 *
 * @module
 */
import type { Activation, Padding } from "../ir/mod.ts";
import type { OptionField, OptionsTableKind } from "./op_def.ts";

/** `Padding` enum, by value. */
export const PADDING_NAMES = ["SAME", "VALID"] as const;

/** `ActivationFunctionType` enum, by value. */
export const ACTIVATION_NAMES = [
  "NONE",
  "RELU",
  "RELU_N1_TO_1",
  "RELU6",
  "TANH",
  "SIGN_BIT",
] as const;

/** A `BuiltinOptions` union member: name, union type and the slots the writer allocates. */
function kind(name: string, type: number, slots: number): OptionsTableKind {
  return { name, type, slots };
}

/** The `BuiltinOptions` union members the IR uses. */
export const OPTIONS = {
  Conv2DOptions: kind("Conv2DOptions", 1, 6),
  DepthwiseConv2DOptions: kind("DepthwiseConv2DOptions", 2, 7),
  Pool2DOptions: kind("Pool2DOptions", 5, 6),
  SVDFOptions: kind("SVDFOptions", 6, 2),
  FullyConnectedOptions: kind("FullyConnectedOptions", 8, 3),
  SoftmaxOptions: kind("SoftmaxOptions", 9, 1),
  ConcatenationOptions: kind("ConcatenationOptions", 10, 2),
  AddOptions: kind("AddOptions", 11, 1),
  ReshapeOptions: kind("ReshapeOptions", 17, 1),
  MulOptions: kind("MulOptions", 21, 1),
  PadOptions: kind("PadOptions", 22, 0),
  TransposeOptions: kind("TransposeOptions", 26, 0),
  ReducerOptions: kind("ReducerOptions", 27, 1),
  SubOptions: kind("SubOptions", 28, 1),
  SqueezeOptions: kind("SqueezeOptions", 30, 1),
  StridedSliceOptions: kind("StridedSliceOptions", 32, 6),
  SplitOptions: kind("SplitOptions", 35, 1),
  LogSoftmaxOptions: kind("LogSoftmaxOptions", 36, 0),
  DequantizeOptions: kind("DequantizeOptions", 38, 0),
  MaximumMinimumOptions: kind("MaximumMinimumOptions", 39, 0),
  ArgMaxOptions: kind("ArgMaxOptions", 40, 1),
  ExpandDimsOptions: kind("ExpandDimsOptions", 52, 0),
  ResizeNearestNeighborOptions: kind("ResizeNearestNeighborOptions", 74, 2),
  LeakyReluOptions: kind("LeakyReluOptions", 75, 1),
  SquaredDifferenceOptions: kind("SquaredDifferenceOptions", 76, 0),
  PackOptions: kind("PackOptions", 59, 2),
  UnpackOptions: kind("UnpackOptions", 64, 2),
  SplitVOptions: kind("SplitVOptions", 79, 1),
  QuantizeOptions: kind("QuantizeOptions", 89, 0),
  UnidirectionalSequenceLSTMOptions: kind("UnidirectionalSequenceLSTMOptions", 71, 4),
  HardSwishOptions: kind("HardSwishOptions", 91, 0),
  BatchMatMulOptions: kind("BatchMatMulOptions", 101, 2),
  GeluOptions: kind("GeluOptions", 116, 1),
} as const;

/** An int8 field. */
export function i8(slot: number, value: number, dflt = 0): OptionField {
  return { kind: "i8", slot, value, dflt };
}

/** A bool field (one byte). */
export function bool(slot: number, value: boolean): OptionField {
  return { kind: "i8", slot, value: value ? 1 : 0, dflt: 0 };
}

/** An int32 field. */
export function i32(slot: number, value: number, dflt = 0): OptionField {
  return { kind: "i32", slot, value, dflt };
}

/** A float32 field. */
export function f32(slot: number, value: number, dflt = 0): OptionField {
  return { kind: "f32", slot, value, dflt };
}

/** A fused activation field. */
export function activationField(slot: number, a: Activation): OptionField {
  return i8(slot, ACTIVATION_NAMES.indexOf(a));
}

/** A padding field. */
export function paddingField(slot: number, p: Padding): OptionField {
  return i8(slot, PADDING_NAMES.indexOf(p));
}
