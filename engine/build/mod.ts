/**
 * CSources -> FirmwareImage: arm-none-eabi-gcc with the project's startup code, probe header and
 * a linker script generated per board.
 *
 * ```ts
 * import type { Board } from "../target/boards.ts";
 * declare const board: Board;
 * import type { CSources } from "../codegen/sources.ts";
 * declare const sources: CSources;
 * import { buildFirmware } from "./mod.ts";
 * const fw = await buildFirmware(sources, { board, cacheDir: ".cache/firmware" });
 * ```
 *
 * @module
 */
export { buildFirmware, type BuildFirmwareOptions } from "./gcc.ts";
export { ToolchainError, type ToolchainErrorOptions } from "../target/mod.ts";
export { linkerScript, type LinkerScriptOptions, MIN_STACK_BYTES } from "./linker_script.ts";
export { classifySection, sectionSizes } from "../target/mod.ts";
export type { CSources, FirmwareImage, SectionSizes } from "./types.ts";
