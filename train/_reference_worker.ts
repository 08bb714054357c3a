/**
 * Private: a Web Worker that classifies a slice of images with the reference interpreter, so
 * {@link referenceAccuracy} can use every core.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import type { Graph } from "../engine/ir/graph.ts";
import { interpret } from "../engine/reference/interpret.ts";
import { argmax, imageInput } from "./quantize.ts";

/** The message the worker takes. */
export interface ReferenceSlice {
  readonly graph: Graph;
  /** uint8 pixels, image after image. */
  readonly images: Uint8Array;
  readonly imageBytes: number;
}

self.onmessage = (e: MessageEvent<ReferenceSlice>) => {
  const { graph, images, imageBytes } = e.data;
  try {
    const count = images.length / imageBytes;
    const predictions = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const x = imageInput(graph, images.subarray(i * imageBytes, (i + 1) * imageBytes));
      const out = interpret(graph, [x]).outputs[0]!;
      predictions[i] = argmax(new Int8Array(out.buffer, out.byteOffset, out.byteLength));
    }
    self.postMessage({ predictions });
  } catch (err) {
    self.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
};
