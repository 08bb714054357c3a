/**
 * A float-I/O test model, as PyTorch exports are (float32 input -> QUANTIZE -> int8 MBConv network
 * -> DEQUANTIZE -> float32 output), written with the project's own `.tflite` writer and read back.
 *
 * @module
 */
import { buildMbconv } from "./mod.ts";
import type { Graph } from "../ir/mod.ts";
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
