/**
 * A Deno worker that runs the reference interpreter over a contiguous slice of a batch, for
 * `evaluateOnDevice` (see `batch.ts`). Messages: in, one {@link ReferenceJob}; out,
 * `{ kind: "progress", done }` now and then, then `{ kind: "done", outputs }` (each input's
 * output bytes, in order) or `{ kind: "error", message }`.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { interpretBatchSlice, type ReferenceJob } from "./batch.ts";

self.onmessage = (e: MessageEvent<ReferenceJob>) => {
  try {
    const outputs = interpretBatchSlice(
      e.data,
      (done) => self.postMessage({ kind: "progress", done }),
    );
    self.postMessage({ kind: "done", outputs });
  } catch (error) {
    self.postMessage({
      kind: "error",
      message: error instanceof Error ? error.message : String(error),
    });
  }
};
