/**
 * The shared third-party models the tests run (from `MCU_MODELS_DIR`, default `../shared/models`),
 * skipping the LSTM one; empty when the folder is absent.
 *
 * @module
 */
import { sharedModelsDir } from "../../util/shared_data.ts";

/** Paths of the shared `.tflite` models to test (LSTM excluded). */
export function sharedModels(): string[] {
  const dir = sharedModelsDir();
  try {
    return [...Deno.readDirSync(dir)]
      .filter((e) => e.isFile && e.name.endsWith(".tflite") && !e.name.includes("lstm"))
      .map((e) => `${dir}/${e.name}`)
      .sort();
  } catch {
    return [];
  }
}
