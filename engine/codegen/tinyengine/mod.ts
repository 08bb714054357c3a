/**
 * The `tinyengine` backend (work in progress: replaced by the real backend).
 *
 * @module
 */
import type { Backend } from "../backend.ts";

/** The `tinyengine` backend. */
export const tinyengineBackend: Backend = {
  name: "tinyengine",
  compile() {
    throw new Error("Cannot compile with engine 'tinyengine': the backend is not built yet");
  },
};
