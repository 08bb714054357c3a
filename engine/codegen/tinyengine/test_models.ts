/**
 * The shared third-party models the tests run (from `MCU_MODELS_DIR`, default `../shared/models`),
 * skipping the LSTM one; empty when the folder is absent.
 *
 * @module
 */

/** Paths of the shared `.tflite` models to test (LSTM excluded). */
export function sharedModels(): string[] {
  let dir = "../shared/models";
  try {
    dir = Deno.env.get("MCU_MODELS_DIR") ?? dir;
  } catch {
    // No env permission: use the default.
  }
  try {
    return [...Deno.readDirSync(dir)]
      .filter((e) => e.isFile && e.name.endsWith(".tflite") && !e.name.includes("lstm"))
      .map((e) => `${dir}/${e.name}`)
      .sort();
  } catch {
    return [];
  }
}
