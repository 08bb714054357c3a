/**
 * Small helpers every layer may use: the seeded RNG, BMP reading, the paths of the shared
 * third-party data, and a fingerprint hash.
 *
 * @example
 * ```ts
 * import { createRng } from "./mod.ts";
 * createRng(1).int(10); // a seeded integer in [0, 10)
 * ```
 *
 * @module
 */
export * from "./rng.ts";
export * from "./bmp.ts";
export * from "./shared_data.ts";
export * from "./hash.ts";
export * from "./user_path.ts";
export * from "./read_bounded.ts";
export * from "./lookup.ts";
