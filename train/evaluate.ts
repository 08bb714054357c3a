/**
 * int8 accuracy with the TypeScript reference interpreter over a test set, split across Web
 * Workers (one per core by default): every image is classified, none is sampled.
 *
 * @module
 */
import { type Graph, tensorBytes } from "../engine/ir/graph.ts";

/** Options of {@link referencePredictions}. */
export interface ReferenceOptions {
  /** Parallel workers. @default navigator.hardwareConcurrency (at least 1) */
  readonly workers?: number;
}

/**
 * The reference interpreter's class prediction for every image (uint8 pixels, image after image,
 * at the graph's input size).
 *
 * @example
 * ```ts ignore
 * const predictions = await referencePredictions(graph, testImages, { workers: 2 });
 * ```
 */
export async function referencePredictions(
  graph: Graph,
  images: Uint8Array,
  options: ReferenceOptions = {},
): Promise<Uint8Array> {
  const input = graph.tensors[graph.inputs[0] ?? -1];
  if (!input) throw new RangeError(`Cannot classify with graph '${graph.name}': it has no input`);
  const imageBytes = tensorBytes(input);
  if (images.length % imageBytes !== 0) {
    throw new RangeError(
      `Cannot classify: ${images.length} bytes of images is not a multiple of the input's ${imageBytes}`,
    );
  }
  const count = images.length / imageBytes;
  const workers = Math.max(
    1,
    Math.min(options.workers ?? navigator.hardwareConcurrency ?? 1, count),
  );
  const per = Math.ceil(count / workers);
  const slices = Array.from({ length: workers }, (_, w) => {
    const from = Math.min(w * per, count);
    const to = Math.min(from + per, count);
    return images.subarray(from * imageBytes, to * imageBytes);
  });
  const parts = await Promise.all(slices.map((slice) => classifySlice(graph, slice, imageBytes)));
  const out = new Uint8Array(count);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function classifySlice(graph: Graph, images: Uint8Array, imageBytes: number): Promise<Uint8Array> {
  if (images.length === 0) return Promise.resolve(new Uint8Array(0));
  const worker = new Worker(new URL("./_reference_worker.ts", import.meta.url), { type: "module" });
  return new Promise<Uint8Array>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<{ predictions?: Uint8Array; error?: string }>) => {
      worker.terminate();
      if (e.data.predictions) resolve(e.data.predictions);
      else reject(new Error(`Cannot classify with the reference interpreter: ${e.data.error}`));
    };
    worker.onerror = (e) => {
      worker.terminate();
      e.preventDefault();
      reject(new Error(`Cannot classify with the reference interpreter: ${e.message}`));
    };
    worker.postMessage({ graph, images, imageBytes });
  });
}

/** Fraction of predictions equal to their labels. */
export function accuracy(predictions: Uint8Array, labels: Uint8Array): number {
  if (predictions.length !== labels.length) {
    throw new RangeError(
      `Cannot score: ${predictions.length} predictions for ${labels.length} labels`,
    );
  }
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predictions[i] === labels[i]) correct++;
  return correct / Math.max(labels.length, 1);
}
