/**
 * FNV-1a, 32-bit: a fast, synchronous fingerprint of bytes for the header line of generated
 * files (which model they were made from). Not a security hash.
 *
 * @module
 */

/**
 * FNV-1a 32-bit of the concatenated chunks, as 8 hex digits.
 *
 * @example
 * ```ts
 * import { fnv1a } from "./hash.ts";
 * fnv1a([new Uint8Array([97])]); // "e40c292c"
 * ```
 */
export function fnv1a(chunks: Iterable<Uint8Array>): string {
  let h = 0x811c9dc5;
  for (const bytes of chunks) {
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}
