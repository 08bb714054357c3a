/**
 * The tinyengine project's `main.c`: one inference between the probe markers, or (batch harness)
 * one per input the emulator supplies through `mcu_batch_next()` (see `probe.h`). te_invoke()
 * lives in model.c, so its machine code (and the per-inference count) is the same in both.
 *
 * @module
 */
import type { Harness } from "../backend.ts";

/*
 * The batch loop. The end code is materialised after te_invoke(), as in the single-run main
 * (gcc would otherwise hoist it out of the loop), so that an inference counts exactly the same
 * instructions in both harnesses.
 */
const BATCH_LOOP = [
  `  while (mcu_batch_next()) {`,
  `    MCU_PROBE(MCU_MARK_INFERENCE_BEGIN);`,
  `    te_invoke();`,
  `    uint32_t end = MCU_MARK_INFERENCE_END;`,
  `    __asm__ volatile("" : "+r"(end)); /* not hoisted: counted as in the single run */`,
  `    MCU_PROBE(end);`,
  `  }`,
];

/**
 * The `main.c` source for a harness.
 *
 * @example
 * ```ts
 * import { mainSource } from "./main_c.ts";
 * mainSource("batch").includes("while (mcu_batch_next())"); // true
 * ```
 */
export function mainSource(harness: Harness): string {
  const invoke = [
    `  MCU_PROBE(MCU_MARK_INFERENCE_BEGIN);`,
    `  te_invoke();`,
    `  MCU_PROBE(MCU_MARK_INFERENCE_END);`,
  ];
  return [
    harness === "batch"
      ? `/* main.c: one inference per input the host supplies (generated; do not edit). */`
      : `/* main.c: runs one inference between the probe markers (generated; do not edit). */`,
    `#include "probe.h"`,
    `#include <stdint.h>`,
    `void te_invoke(void);`,
    `extern int8_t te_arena[];`,
    `int main(void) {`,
    `  __asm__ volatile("" : : "r"(te_arena)); /* keeps the arena (and its symbols) linked */`,
    ...(harness === "batch" ? BATCH_LOOP : invoke),
    `  return 0;`,
    `}`,
    ``,
  ].join("\n");
}
