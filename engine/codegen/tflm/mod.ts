/**
 * The `tflm` backend (work in progress: replaced by the real backend).
 *
 * @module
 */
import type { Backend } from "../backend.ts";

/** The `tflm` backend. */
export const tflmBackend: Backend = {
  name: "tflm",
  compile() {
    throw new Error("Cannot compile with engine 'tflm': the backend is not built yet");
  },
};
