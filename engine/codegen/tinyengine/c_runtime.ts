/**
 * The C helpers every generated model includes (`te_runtime.h`): unaligned loads, SXTB16 with
 * rotation, TFLite's requantization (bit-exact `MultiplyByQuantizedMultiplier`) and clamping.
 * The header is a real C file, `runtime/te_runtime.h`, that the tests compile with
 * `-Wall -Wextra -Werror`; this module reads it once.
 *
 * @module
 */

/** Repository path of the runtime header, relative to this module. */
export const TE_RUNTIME_H_URL: URL = new URL("./runtime/te_runtime.h", import.meta.url);

/** Contents of `te_runtime.h`. */
export const TE_RUNTIME_H: string = Deno.readTextFileSync(TE_RUNTIME_H_URL);
