/**
 * Test models with the patterns of real exports: float I/O (float32 input -> QUANTIZE -> int8
 * network -> DEQUANTIZE -> float32 output) written with the project's own `.tflite` writer and
 * read back, and explicit PADs before depthwise convolutions.
 *
 * @module
 */
import { buildMbconv } from "./mod.ts";
import type { Graph, Node, Tensor } from "../ir/mod.ts";
import { samePadding } from "../schedule/mod.ts";
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
  const tensors: Tensor[] = [...g.tensors];
  const nodes: Node[] = [];
  for (const n of g.nodes) {
    if (n.op !== "DEPTHWISE_CONV_2D" || n.options.padding !== "SAME") {
      nodes.push(n);
      continue;
    }
    const x = tensors[n.inputs[0]!]!;
    const f = tensors[n.inputs[1]!]!.shape;
    const [batch, h, w, c] = x.shape as [number, number, number, number];
    const ph = samePadding(h, f[1]!, n.options.strideH, n.options.dilationH);
    const pw = samePadding(w, f[2]!, n.options.strideW, n.options.dilationW);
    const pads = [0, 0, ph.before, ph.after, pw.before, pw.after, 0, 0];
    const wide = paddingType === "int64";
    const data = new Uint8Array(pads.length * (wide ? 8 : 4));
    const view = new DataView(data.buffer);
    pads.forEach((p, i) =>
      wide ? view.setBigInt64(i * 8, BigInt(p), true) : view.setInt32(i * 4, p, true)
    );
    tensors.push({ name: `${x.name}_pads`, shape: [4, 2], dtype: paddingType, data });
    const padsIndex = tensors.length - 1;
    const padded = [batch, h + ph.before + ph.after, w + pw.before + pw.after, c];
    tensors.push({ ...x, name: `${x.name}_padded`, shape: padded });
    const paddedIndex = tensors.length - 1;
    nodes.push({
      op: "PAD",
      inputs: [n.inputs[0]!, padsIndex],
      outputs: [paddedIndex],
      options: {},
    });
    nodes.push({
      ...n,
      inputs: [paddedIndex, ...n.inputs.slice(1)],
      options: { ...n.options, padding: "VALID" },
    });
  }
  return { ...g, tensors, nodes };
}
