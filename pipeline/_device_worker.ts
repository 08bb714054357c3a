/**
 * A Deno worker that runs a slice of a batch through the batch firmware in its own engine, for
 * `runDeviceBatch`. In: one {@link DeviceJob}. Out: `{ kind: "progress", done }` now and then,
 * then `{ kind: "done", result }` or `{ kind: "error", error }` (an {@link ErrorRecord}).
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { type DeviceJob, errorRecord, runDeviceJob } from "./device_batch.ts";

self.onmessage = (e: MessageEvent<DeviceJob>) => {
  try {
    const result = runDeviceJob(e.data, (done) => self.postMessage({ kind: "progress", done }));
    self.postMessage({ kind: "done", result });
  } catch (error) {
    self.postMessage({ kind: "error", error: errorRecord(error) });
  }
};
