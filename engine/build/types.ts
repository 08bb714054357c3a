/**
 * Records at the C-to-firmware boundary, re-exported from where they are defined: the C project
 * from the code generators, the image from the target description.
 *
 * @module
 */
export type { CSources } from "../codegen/mod.ts";
export type { FirmwareImage, SectionSizes } from "../target/mod.ts";
