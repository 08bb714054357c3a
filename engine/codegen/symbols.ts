/**
 * Assembler directives that publish a named, sized data symbol at an offset into another symbol
 * (an input or output tensor inside the arena), so the emulator can find it by name. Both backends
 * emit them: tflm in its `.S` file, tinyengine in `__asm__` statements of model.c.
 *
 * @module
 */

/**
 * `.global`, `.type`, `.set` and `.size` of `symbol` = `base + offset`, `size` bytes.
 *
 * @example
 * ```ts
 * import { aliasDirectives } from "./symbols.ts";
 * aliasDirectives("mcu_input", "te_arena", 64, 16)[2]; // ".set mcu_input, te_arena + 64"
 * ```
 */
export function aliasDirectives(
  symbol: string,
  base: string,
  offset: number,
  size: number,
): string[] {
  return [
    `.global ${symbol}`,
    `.type ${symbol}, %object`,
    `.set ${symbol}, ${base} + ${offset}`,
    `.size ${symbol}, ${size}`,
  ];
}
