/**
 * Hand-written Thumb-2 snippets for the cycle model's exact unit checks, with the cycles each
 * must cost on each core when the rules in docs/cycle-model.md are applied by hand. The
 * derivations are in the doc's "Unit checks" table; keep both in step.
 *
 * @module
 */

/** One snippet: an assembly function called once (or with a loop count) from `main`. */
export interface Snippet {
  readonly name: string;
  /** What the snippet exercises. */
  readonly what: string;
  /** Assembly body (the function label and `.thumb_func` are added). */
  readonly asm: string;
  /** The C call in `main` (the function takes at most one argument). */
  readonly call: string;
  /** Expected zero-wait-state cycles of all passes through the function's blocks. */
  readonly expected: { readonly "cortex-m4": number; readonly "cortex-m7": number };
}

/** The snippets (see docs/cycle-model.md, "Unit checks"). */
export const SNIPPETS: readonly Snippet[] = [
  {
    name: "loads4",
    what: "four independent LDRs (pipelined load run) + BX LR",
    asm: "ldr r1, [r0]\nldr r2, [r0, #4]\nldr r3, [r0, #8]\nldr r12, [r0, #12]\nbx lr",
    call: "loads4(words)",
    expected: { "cortex-m4": 8, "cortex-m7": 9 },
  },
  {
    name: "load_chain",
    what: "three LDRs, each address the previous result (no pipelining; M7 load-use)",
    asm: "ldr r1, [r0]\nldr r2, [r1]\nldr r3, [r2]\nbx lr",
    call: "load_chain(chain)",
    expected: { "cortex-m4": 9, "cortex-m7": 11 },
  },
  {
    name: "byte_use",
    what: "LDRB then an ADD of the loaded byte (M7 slow-load use)",
    asm: "ldrb r1, [r0]\nadds r2, r1, #1\nbx lr",
    call: "byte_use(words)",
    expected: { "cortex-m4": 6, "cortex-m7": 9 },
  },
  {
    name: "word_use",
    what: "LDR then an ADD of the loaded word",
    asm: "ldr r1, [r0]\nadds r2, r1, #1\nbx lr",
    call: "word_use(words)",
    expected: { "cortex-m4": 6, "cortex-m7": 8 },
  },
  {
    name: "smlad_loop",
    what: "10 passes of four chained SMLADs + SUBS + BNE (9 taken, 1 not taken)",
    asm: "1:\nsmlad r1, r2, r3, r1\nsmlad r1, r2, r3, r1\nsmlad r1, r2, r3, r1\n" +
      "smlad r1, r2, r3, r1\nsubs r0, #1\nbne 1b\nbx lr",
    call: "smlad_loop(10)",
    expected: { "cortex-m4": 81, "cortex-m7": 63 },
  },
  {
    name: "branch_loop",
    what: "10 passes of SUBS + BNE (9 taken, 1 not taken)",
    asm: "1:\nsubs r0, #1\nbne 1b\nbx lr",
    call: "branch_loop(10)",
    expected: { "cortex-m4": 41, "cortex-m7": 23 },
  },
  {
    name: "ldm4",
    what: "LDM of four registers + BX LR",
    asm: "ldm r0, {r1, r2, r3, r12}\nbx lr",
    call: "ldm4(words)",
    expected: { "cortex-m4": 8, "cortex-m7": 9 },
  },
  {
    name: "push_pop",
    what: "PUSH {r4-r7, lr} + POP {r4-r7, pc} (five registers each, the POP returns)",
    asm: "push {r4, r5, r6, r7, lr}\npop {r4, r5, r6, r7, pc}",
    call: "push_pop(0)",
    expected: { "cortex-m4": 14, "cortex-m7": 12 },
  },
  {
    name: "udiv",
    what: "UDIV (priced at the 12-cycle bound) + BX LR",
    asm: "movs r1, #7\nudiv r0, r0, r1\nbx lr",
    call: "udiv(1000)",
    expected: { "cortex-m4": 16, "cortex-m7": 20 },
  },
];

/** The firmware sources: one `.S` file with every snippet and a `main.c` calling each once. */
export function snippetSources(): { name: string; files: Record<string, string> } {
  const asm = [
    ".syntax unified",
    ".thumb",
    ".text",
    ...SNIPPETS.flatMap((s) => [
      ".align 2",
      `.global ${s.name}`,
      `.type ${s.name}, %function`,
      ".thumb_func",
      `${s.name}:`,
      s.asm,
      `.size ${s.name}, . - ${s.name}`,
    ]),
    "",
  ].join("\n");
  const main = [
    "#include <stdint.h>",
    ...SNIPPETS.map((s) => `void ${s.name}(uintptr_t);`),
    "static uint32_t words[4] = {1, 2, 3, 4};",
    "static uintptr_t cells[3];",
    "int main(void) {",
    "  cells[0] = (uintptr_t)&cells[1]; cells[1] = (uintptr_t)&cells[2]; cells[2] = 0;",
    "  uintptr_t chain = (uintptr_t)cells;",
    ...SNIPPETS.map((s) => `  ${s.call.replace("(words)", "((uintptr_t)words)")};`),
    "  (void)chain;",
    "  return 0;",
    "}",
    "",
  ].join("\n");
  return { name: "snippets", files: { "snippets.S": asm, "main.c": main } };
}
