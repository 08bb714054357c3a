/**
 * Model constants (weights, folded biases, multipliers/shifts, lookup tables) collected into one
 * Flash blob, `mcu_model_const.bin`, linked through an assembler `.incbin` (fast to build, same bytes).
 *
 * @module
 */
import { defineLine } from "./c_format.ts";

/**
 * The constants of one layer: each table becomes a named symbol `<layer>_<role>` (e.g.
 * `conv3_weight`, `conv3_mult`), a `#define` of its address inside the blob.
 */
export interface ConstScope {
  /** Append int8 values; returns the name of a `const int8_t *`. */
  int8(values: ArrayLike<number>, role: string): string;
  /** Append int32 values (little-endian); returns the name of a `const int32_t *`. */
  int32(values: ArrayLike<number>, role: string): string;
}

/** One named table: its `#define` and an optional comment (e.g. the real scale it encodes). */
interface NamedTable {
  readonly name: string;
  readonly expression: string;
  note?: string;
}

/** A growing constant blob; `add` returns the C expression of the bytes' address. */
export class ConstPool {
  #chunks: Uint8Array[] = [];
  #size = 0;
  #seen = new Map<string, number>();
  #tables = new Map<string, NamedTable[]>();
  #names = new Set<string>();

  /** A view that names every table it adds `<prefix>_<role>`. */
  scope(prefix: string): ConstScope {
    return {
      int8: (values, role) => this.#name(prefix, role, this.int8(values)),
      int32: (values, role) => this.#name(prefix, role, this.int32(values)),
    };
  }

  /** `#define` lines of the tables a scope named, in the order they were added. */
  defines(prefix: string): string[] {
    return (this.#tables.get(prefix) ?? []).map((t) => defineLine(t.name, t.expression, t.note));
  }

  /** Attach a comment to the table a scope named `<prefix>_<role>` (no-op when there is none). */
  annotate(prefix: string, role: string, note: string): void {
    const table = this.#tables.get(prefix)?.find((t) => t.name === `${prefix}_${role}`);
    if (table) table.note = note;
  }

  #name(prefix: string, role: string, expression: string): string {
    const base = `${prefix}_${role}`.replace(/[^A-Za-z0-9_]/g, "_");
    let name = base;
    for (let i = 2; this.#names.has(name); i++) name = `${base}${i}`;
    this.#names.add(name);
    const tables = this.#tables.get(prefix) ?? [];
    tables.push({ name, expression });
    this.#tables.set(prefix, tables);
    return name;
  }

  /**
   * Append bytes (aligned to `align`) and return their byte offset; an identical small blob
   * already in the pool (e.g. a lookup table) is shared instead.
   */
  add(bytes: Uint8Array, align = 4): number {
    let key: string | undefined;
    if (bytes.length <= 4096) {
      key = `${align}:${String.fromCharCode(...bytes)}`;
      const found = this.#seen.get(key);
      if (found !== undefined) return found;
    }
    const pad = (align - (this.#size % align)) % align;
    if (pad) {
      this.#chunks.push(new Uint8Array(pad));
      this.#size += pad;
    }
    const at = this.#size;
    this.#chunks.push(bytes);
    this.#size += bytes.length;
    if (key !== undefined) this.#seen.set(key, at);
    return at;
  }

  /** Append int8 values; returns a C `const int8_t *` expression. */
  int8(values: ArrayLike<number>): string {
    const b = new Uint8Array(values.length);
    for (let i = 0; i < values.length; i++) b[i] = values[i]! & 0xff;
    return `((const int8_t *)(mcu_model_const + ${this.add(b, 4)}))`;
  }

  /** Append int32 values (little-endian); returns a C `const int32_t *` expression. */
  int32(values: ArrayLike<number>): string {
    const b = new Uint8Array(values.length * 4);
    const v = new DataView(b.buffer);
    for (let i = 0; i < values.length; i++) v.setInt32(i * 4, values[i]! | 0, true);
    return `((const int32_t *)(mcu_model_const + ${this.add(b, 8)}))`;
  }

  /** Total bytes. */
  get size(): number {
    return this.#size;
  }

  /** The blob's bytes. */
  bytes(): Uint8Array {
    const out = new Uint8Array(Math.max(this.#size, 4));
    let at = 0;
    for (const c of this.#chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

/** The assembler file that links `mcu_model_const.bin` as `mcu_model_const` in `.rodata`. */
export function constAsm(size: number): string {
  return [
    "/* mcu_model_const.S: model constants (generated; do not edit). */",
    '  .file "mcu_model_const.S"',
    '  .section .rodata.mcu_model_const,"a",%progbits',
    "  .balign 8",
    "  .global mcu_model_const",
    "  .type mcu_model_const, %object",
    "mcu_model_const:",
    '  .incbin "mcu_model_const.bin"',
    `  .size mcu_model_const, ${Math.max(size, 4)}`,
    "",
  ].join("\n");
}
