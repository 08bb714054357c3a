/**
 * The Graph IR every stage passes along: tensors, nodes (one options record per operator),
 * validation, and the errors bad models raise.
 *
 * @example
 * ```ts
 * import { OP_NAMES } from "./mod.ts";
 * OP_NAMES.includes("CONV_2D"); // true
 * ```
 *
 * @module
 */
export * from "./graph.ts";
export * from "./errors.ts";
export * from "./validate.ts";
export * from "./strided_slice.ts";
export * from "./io_boundary.ts";
export * from "./conv_options.ts";
