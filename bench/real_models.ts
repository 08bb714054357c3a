/**
 * The generated models of the `real` bench suite: networks the project builds with its own
 * builders and writes with its own `.tflite` writer (then reads back), reproducing what real
 * PyTorch -> TFLite exports of MCU models contain (issue #12):
 * - float32 input and output around QUANTIZE / DEQUANTIZE;
 * - an explicit PAD (int64 paddings) before every padded convolution, the stride-2 depthwise
 *   ones included, each followed by a VALID convolution;
 * - negative, tiny (< 1e-6) and mixed-sign per-channel weight scales (folded negative
 *   batch-norm gammas);
 * - several outputs (a 128x160 three-output detector);
 * - recurrent models (an LSTM over 28 steps, an SVDF) with float I/O;
 * - a small transformer block (attention through BATCH_MATMUL and SOFTMAX, a spelled-out layer
 *   norm, a GELU MLP) with float I/O.
 *
 * Operators other engineers are adding get a slot (`pending`) until they land: the suite lists
 * the slot as skipped, with the reason.
 *
 * @module
 */
import {
  attentionBlock,
  buildDetection,
  buildMbconv,
  DETECTION_128X160,
  mbconvBlocks,
} from "../engine/builders/mod.ts";
import { lstmModel, svdfModel, withExplicitPads } from "../engine/builders/mod.ts";
import { type Graph, withFloatIo } from "../engine/ir/mod.ts";
import { readTflite, writeTflite } from "../engine/tflite/mod.ts";
import { mixWeightScales } from "../pipeline/mod.ts";

/** One generated model of the `real` suite. */
export interface RealModel {
  readonly id: string;
  readonly label: string;
  /** Boards it is measured on. */
  readonly boards: readonly string[];
  /** The int8 network before the export-style rewrites, or a reason it is not available yet. */
  readonly network: (() => Graph) | { readonly pending: string };
}

/** A small MCUNet-style classifier at `resolution` (the shape of the real 80x80 float-input model). */
function classifier(resolution: number): Graph {
  return buildMbconv({
    resolution,
    inputChannels: 3,
    classes: 10,
    firstConv: { outChannels: 16 },
    blocks: mbconvBlocks("k3e1s1c8 k3e4s2c16 k5e4s1c16 k3e4s2c24 k5e3s1c24 k3e4s2c40 k3e4s2c64"),
  }, { seed: 12, name: `real-cls-${resolution}` });
}

/** The generated models, in report order. */
export const REAL_MODELS: readonly RealModel[] = [
  {
    id: "real-cls-80",
    label: "PyTorch-style classifier 80x80 (float I/O, PADs, mixed scales)",
    boards: ["stm32f746", "stm32f412"],
    network: () => classifier(80),
  },
  {
    id: "real-det-128x160",
    label: "PyTorch-style detector 128x160, 3 outputs (float I/O, PADs, mixed scales)",
    boards: ["stm32h743"],
    network: () => buildDetection(DETECTION_128X160, { seed: 13, name: "real-det-128x160" }),
  },
  {
    id: "real-cls-48",
    label: "PyTorch-style classifier 48x48 (the gate's size)",
    boards: ["stm32f746", "stm32f412"],
    network: () => classifier(48),
  },
  {
    id: "real-det-64x80",
    label: "PyTorch-style detector 64x80, 3 outputs (the gate's size)",
    boards: ["stm32f746", "stm32f412"],
    network: () =>
      buildDetection({ ...DETECTION_128X160, height: 64, width: 80 }, {
        seed: 14,
        name: "real-det-64x80",
      }),
  },
  {
    id: "real-lstm",
    label: "LSTM (UNIDIRECTIONAL_SEQUENCE_LSTM)",
    boards: ["stm32f746"],
    network: () =>
      lstmModel({ batch: 1, time: 28, input: 28, state: 20, timeMajor: false, seed: 5 }),
  },
  {
    id: "real-svdf",
    label: "SVDF keyword spotter",
    boards: ["stm32f746"],
    network: () =>
      svdfModel({ batch: 1, input: 40, units: 32, rank: 2, memory: 10, bias: true, seed: 5 }),
  },
  {
    id: "real-attention",
    label: "small attention block (BATCH_MATMUL, softmax, layer norm, GELU)",
    boards: ["stm32f746", "stm32f412"],
    network: () => attentionBlock({ tokens: 16, dim: 32, hidden: 64, seed: 7 }),
  },
];

/**
 * A model of the suite as an exporter would write it: explicit PADs, hostile weight scales,
 * float I/O, then written by the project's `.tflite` writer and read back.
 *
 * @example
 * ```ts ignore
 * const g = buildRealModel("real-cls-80");
 * ```
 */
export function buildRealModel(id: string): Graph {
  const m = REAL_MODELS.find((x) => x.id === id);
  if (!m) {
    throw new RangeError(
      `Cannot build real-suite model '${id}': known models are ${
        REAL_MODELS.map((x) => x.id).join(", ")
      }`,
    );
  }
  if (typeof m.network !== "function") {
    throw new RangeError(`Cannot build real-suite model '${id}': ${m.network.pending}`);
  }
  const exported = withFloatIo(mixWeightScales(withExplicitPads(m.network()), 0x12));
  return readTflite(writeTflite(exported));
}
