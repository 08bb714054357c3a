/**
 * Backends by engine name.
 *
 * @module
 */
import type { Backend, EngineName } from "./backend.ts";
import { tflmBackend } from "./tflm/mod.ts";
import { tinyengineBackend } from "./tinyengine/mod.ts";

/** Every engine, in report order. */
export const ENGINES: readonly EngineName[] = ["tinyengine", "tflm"];

/** Look up a backend by name; an unknown name is a RangeError listing the known ones. */
export function getBackend(name: string): Backend {
  switch (name) {
    case "tflm":
      return tflmBackend;
    case "tinyengine":
      return tinyengineBackend;
    default:
      throw new RangeError(`Cannot find engine '${name}': known engines are ${ENGINES.join(", ")}`);
  }
}
