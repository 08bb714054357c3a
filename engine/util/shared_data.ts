/**
 * Where the third-party data lives. Real models and the published MCUNet configurations stay in
 * `../shared` beside the repository (or the folders named by `MCU_MODELS_DIR` and
 * `MCU_CONFIGS_DIR`); the project reads them from there and never copies them in.
 *
 * @module
 */

function envOr(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch {
    // Without --allow-env the defaults apply.
    return undefined;
  }
}

function beside(repoRelative: string): string {
  return decodeURIComponent(new URL(`../../../${repoRelative}`, import.meta.url).pathname);
}

function isDirectory(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

/**
 * The folder of real `.tflite` models: `MCU_MODELS_DIR`, else `../shared/models` beside the repo.
 *
 * @example
 * ```ts
 * const path = `${sharedModelsDir()}/mlperftiny_vww_mbv1_96_int8.tflite`;
 * ```
 */
export function sharedModelsDir(): string {
  return envOr("MCU_MODELS_DIR") ?? beside("shared/models");
}

/**
 * The folder of the published MCUNet configurations: `MCU_CONFIGS_DIR`, else
 * `../shared/mcunet-configs` beside the repo.
 *
 * @example
 * ```ts
 * const dir = sharedConfigsDir();
 * ```
 */
export function sharedConfigsDir(): string {
  return envOr("MCU_CONFIGS_DIR") ?? beside("shared/mcunet-configs");
}

/** The path of one shared model file. */
export function sharedModelPath(file: string): string {
  return `${sharedModelsDir()}/${file}`;
}

/** Whether the shared models folder exists. */
export function hasSharedModels(): boolean {
  return isDirectory(sharedModelsDir());
}

/** Whether the published configurations folder exists. */
export function hasSharedConfigs(): boolean {
  return isDirectory(sharedConfigsDir());
}

/** Paths of the shared `.tflite` models the tests run, sorted; empty when the folder is absent. */
export function sharedModels(): string[] {
  const dir = sharedModelsDir();
  try {
    return [...Deno.readDirSync(dir)]
      .filter((e) => e.isFile && e.name.endsWith(".tflite"))
      .map((e) => `${dir}/${e.name}`)
      .sort();
  } catch {
    return [];
  }
}
