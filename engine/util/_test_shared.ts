/**
 * Test helpers for tests that read `../shared`: they are ignored, with the reason in their name,
 * when the data is absent, so the suite runs anywhere.
 *
 * @module
 */
import {
  hasSharedConfigs,
  hasSharedModels,
  sharedConfigsDir,
  sharedModelsDir,
} from "./shared_data.ts";

/** A test that needs the shared `.tflite` models. */
export function testWithModels(name: string, fn: () => void | Promise<void>): void {
  const present = hasSharedModels();
  Deno.test({
    name: present ? name : `${name} (skipped: ${sharedModelsDir()} is absent; set MCU_MODELS_DIR)`,
    ignore: !present,
    fn,
  });
}

/** A test that needs the published MCUNet configurations. */
export function testWithConfigs(name: string, fn: () => void | Promise<void>): void {
  const present = hasSharedConfigs();
  Deno.test({
    name: present
      ? name
      : `${name} (skipped: ${sharedConfigsDir()} is absent; set MCU_CONFIGS_DIR)`,
    ignore: !present,
    fn,
  });
}
