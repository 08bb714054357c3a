/**
 * What firmware runs on and is made of: board profiles (memory map, core, clock), the linked
 * image record, ELF section classification and the missing-toolchain error. The build produces
 * images for these boards and the emulator runs them; both import this module, not each other.
 *
 * @example
 * ```ts
 * import { getBoard } from "./mod.ts";
 * getBoard("stm32f746").sram.size; // 327680
 * ```
 *
 * @module
 */
export * from "./boards.ts";
export type { FirmwareImage, SectionSizes } from "./firmware.ts";
export { classifySection, sectionSizes } from "./section_sizes.ts";
export { ToolchainError, type ToolchainErrorOptions } from "./errors.ts";
export { DoesNotFitError, fitMessage, type MemoryNeed, type Shortfall, shortfalls } from "./fit.ts";
