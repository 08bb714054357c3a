/**
 * Test models with the patterns of real exports: float I/O (float32 input -> QUANTIZE -> int8
 * network -> DEQUANTIZE -> float32 output) written with the project's own `.tflite` writer and
 * read back, and explicit PADs before depthwise convolutions.
 *
 * @module
 */
import { buildMbconv } from "./mod.ts";
import type { Graph } from "../ir/mod.ts";
import { withExplicitPads as withExplicitPadsBefore } from "./export_style.ts";
import { withFloatIo } from "../ir/mod.ts";
import { readTflite } from "../tflite/mod.ts";
import { writeTflite } from "../tflite/mod.ts";

/** The model's `.tflite` bytes. */
export function floatIoTflite(): Uint8Array {
  const int8 = buildMbconv({
    resolution: 32,
    inputChannels: 3,
    classes: 10,
    firstConv: { outChannels: 8 },
    blocks: [{ kernel: 3, expand: 4, stride: 2, outChannels: 12 }],
  }, { seed: 3, name: "float-io" });
  return writeTflite(withFloatIo(int8));
}

/** The model as the reader gives it. */
export function floatIoModel(): Graph {
  return readTflite(floatIoTflite());
}

/**
 * The graph as a PyTorch export has it: every SAME depthwise convolution becomes an explicit PAD
 * (paddings as int64 or int32) followed by a VALID depthwise convolution.
 */
export function withExplicitPads(g: Graph, paddingType: "int32" | "int64"): Graph {
  return withExplicitPadsBefore(g, { paddingType, ops: ["DEPTHWISE_CONV_2D"] });
}
