/**
 * A bounds-checked parser for 32-bit little-endian ARM ELF executables: program headers,
 * section headers and the symbol table.
 *
 * @module
 */
import { ElfFormatError } from "./errors.ts";

/** A program header. */
export interface ElfSegment {
  /** `p_type` (1 = `PT_LOAD`). */
  readonly type: number;
  /** File offset of the segment's bytes. */
  readonly offset: number;
  /** Run-time address. */
  readonly vaddr: number;
  /** Load address (where the bytes are placed, e.g. `.data` initializers in Flash). */
  readonly paddr: number;
  /** Bytes in the file. */
  readonly filesz: number;
  /** Bytes in memory (more than `filesz` for `.bss`). */
  readonly memsz: number;
  /** `PF_*` bits. */
  readonly flags: number;
}

/** A section header with its name. */
export interface ElfSection {
  /** Section name, e.g. `.text`. */
  readonly name: string;
  /** `SHT_*` type (8 = `SHT_NOBITS`). */
  readonly type: number;
  /** `SHF_*` bits. */
  readonly flags: number;
  /** Run-time address. */
  readonly addr: number;
  /** File offset. */
  readonly offset: number;
  /** Size in bytes. */
  readonly size: number;
}

/** Symbol kinds (`STT_*`). */
export type ElfSymbolType = "notype" | "object" | "func" | "section" | "file" | "other";

/** A symbol table entry. For Thumb functions `value` has the Thumb bit cleared. */
export interface ElfSymbol {
  /** Symbol name. */
  readonly name: string;
  /** Address (Thumb bit cleared for functions). */
  readonly value: number;
  /** Size in bytes (0 when unknown). */
  readonly size: number;
  /** Kind of symbol. */
  readonly type: ElfSymbolType;
  /** Linkage. */
  readonly binding: "local" | "global" | "weak" | "other";
  /** Section header index (0 = undefined, 0xfff1 = absolute). */
  readonly shndx: number;
}

/** A parsed ELF file. */
export interface ElfFile {
  /** Entry point as stored (Thumb bit set for Thumb code). */
  readonly entry: number;
  /** `e_machine` (40 = ARM). */
  readonly machine: number;
  /** Program headers in file order. */
  readonly segments: readonly ElfSegment[];
  /** Section headers in file order (index 0 is the null section). */
  readonly sections: readonly ElfSection[];
  /** Every symbol of every symbol table (the null symbol left out). */
  readonly symbols: readonly ElfSymbol[];
}

/** `PT_LOAD`. */
export const PT_LOAD = 1;
/** `SHT_NOBITS`. */
export const SHT_NOBITS = 8;
/** `SHF_ALLOC`. */
export const SHF_ALLOC = 2;
const EM_ARM = 40;
const SHT_SYMTAB = 2;

const SYMBOL_TYPES: readonly ElfSymbolType[] = ["notype", "object", "func", "section", "file"];
const BINDINGS = ["local", "global", "weak"] as const;

/**
 * Parse an ELF32 little-endian ARM file. Every offset is bounds-checked: a truncated or corrupt
 * file throws {@link ElfFormatError} saying what is wrong.
 *
 * @example
 * ```ts
 * const elf = parseElf(await Deno.readFile("firmware.elf"));
 * const halt = elf.symbols.find((s) => s.name === "mcu_halt");
 * ```
 */
export function parseElf(bytes: Uint8Array): ElfFile {
  const fail = (why: string): never => {
    throw new ElfFormatError(`Cannot parse the ELF file: ${why}`);
  };
  if (bytes.length < 52) fail(`${bytes.length} bytes is shorter than an ELF32 header`);
  if (bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    fail("bad magic (not an ELF file)");
  }
  if (bytes[4] !== 1) fail("not a 32-bit ELF (EI_CLASS is not ELFCLASS32)");
  if (bytes[5] !== 1) fail("not little-endian (EI_DATA is not ELFDATA2LSB)");
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number) => v.getUint16(o, true);
  const u32 = (o: number) => v.getUint32(o, true);
  const within = (what: string, off: number, len: number) => {
    if (off < 0 || len < 0 || off + len > bytes.length) {
      fail(
        `${what} [0x${off.toString(16)}, +0x${len.toString(16)}) lies outside the file ` +
          `(${bytes.length} bytes; truncated?)`,
      );
    }
  };

  const machine = u16(18);
  if (machine !== EM_ARM) fail(`machine ${machine} is not ARM (40)`);
  const entry = u32(24);
  const phoff = u32(28);
  const shoff = u32(32);
  const phentsize = u16(42);
  const phnum = u16(44);
  const shentsize = u16(46);
  const shnum = u16(48);
  const shstrndx = u16(50);

  const segments: ElfSegment[] = [];
  if (phnum > 0) {
    if (phentsize < 32) fail(`program header size ${phentsize} is below 32`);
    within("the program header table", phoff, phnum * phentsize);
    for (let i = 0; i < phnum; i++) {
      const o = phoff + i * phentsize;
      const seg: ElfSegment = {
        type: u32(o),
        offset: u32(o + 4),
        vaddr: u32(o + 8),
        paddr: u32(o + 12),
        filesz: u32(o + 16),
        memsz: u32(o + 20),
        flags: u32(o + 24),
      };
      if (seg.type === PT_LOAD && seg.filesz > 0) {
        within(`segment ${i}'s data`, seg.offset, seg.filesz);
      }
      segments.push(seg);
    }
  }

  const sections: ElfSection[] = [];
  const raw: { nameOff: number; s: Omit<ElfSection, "name">; link: number; entsize: number }[] = [];
  if (shnum > 0) {
    if (shentsize < 40) fail(`section header size ${shentsize} is below 40`);
    within("the section header table", shoff, shnum * shentsize);
    if (shstrndx >= shnum) fail(`section name table index ${shstrndx} >= ${shnum} sections`);
    for (let i = 0; i < shnum; i++) {
      const o = shoff + i * shentsize;
      const s = {
        type: u32(o + 4),
        flags: u32(o + 8),
        addr: u32(o + 12),
        offset: u32(o + 16),
        size: u32(o + 20),
      };
      if (s.type !== SHT_NOBITS && s.type !== 0) within(`section ${i}'s data`, s.offset, s.size);
      raw.push({ nameOff: u32(o), s, link: u32(o + 24), entsize: u32(o + 36) });
    }
    const strtab = raw[shstrndx];
    if (!strtab) fail("missing section name table");
    const str = (table: { offset: number; size: number }, off: number, what: string) => {
      if (off >= table.size && !(off === 0 && table.size === 0)) {
        fail(`${what} name offset ${off} is outside its string table`);
      }
      const start = table.offset + off;
      const limit = table.offset + table.size;
      let end = start;
      while (end < limit && bytes[end] !== 0) end++;
      return new TextDecoder().decode(bytes.subarray(start, end));
    };
    for (const [i, r] of raw.entries()) {
      sections.push({ name: str(strtab!.s, r.nameOff, `section ${i}`), ...r.s });
    }

    const symbols: ElfSymbol[] = [];
    for (const r of raw) {
      if (r.s.type !== SHT_SYMTAB) continue;
      if (r.entsize !== 16) fail(`symbol entry size ${r.entsize} is not 16`);
      const names = raw[r.link];
      if (!names) fail(`symbol table links to missing string table ${r.link}`);
      const n = Math.floor(r.s.size / 16);
      for (let k = 1; k < n; k++) {
        const o = r.s.offset + k * 16;
        const info = bytes[o + 12] ?? 0;
        const type = SYMBOL_TYPES[info & 0xf] ?? "other";
        const rawValue = u32(o + 4);
        symbols.push({
          name: str(names!.s, u32(o), `symbol ${k}`),
          value: type === "func" ? (rawValue & ~1) >>> 0 : rawValue,
          size: u32(o + 8),
          type,
          binding: BINDINGS[info >> 4] ?? "other",
          shndx: u16(o + 14),
        });
      }
    }
    return { entry, machine, segments, sections, symbols };
  }
  return { entry, machine, segments, sections, symbols: [] };
}

/** Sorted function ranges for fast PC -> symbol lookups. */
export class SymbolMap {
  readonly #funcs: readonly ElfSymbol[];
  readonly #byName: ReadonlyMap<string, ElfSymbol>;

  /** Index `symbols` (usually {@link ElfFile.symbols}). */
  constructor(symbols: readonly ElfSymbol[]) {
    this.#funcs = symbols
      .filter((s) => s.type === "func" && s.shndx !== 0)
      .slice()
      .sort((a, b) => a.value - b.value || b.size - a.size || (a.name < b.name ? -1 : 1));
    const byName = new Map<string, ElfSymbol>();
    for (const s of symbols) {
      if (s.shndx === 0 || s.type === "section" || s.type === "file") continue;
      const old = byName.get(s.name);
      // Prefer global definitions over local ones of the same name.
      if (!old || (old.binding === "local" && s.binding !== "local")) byName.set(s.name, s);
    }
    this.#byName = byName;
  }

  /** The symbol called `name` (defined, not a section or file symbol). */
  get(name: string): ElfSymbol | undefined {
    return this.#byName.get(name);
  }

  /** The function containing `address` (Thumb bit ignored), if any. */
  functionAt(address: number): ElfSymbol | undefined {
    const a = (address & ~1) >>> 0;
    const f = this.#funcs;
    let lo = 0;
    let hi = f.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((f[mid]?.value ?? 0) <= a) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    for (let i = best; i >= 0 && i > best - 8; i--) {
      const s = f[i];
      if (s && a >= s.value && a < s.value + Math.max(s.size, 2)) return s;
    }
    return undefined;
  }

  /** `name+0xoff` for an address, or `"?"`. */
  describe(address: number): string {
    const s = this.functionAt(address);
    if (!s) return "?";
    const off = ((address & ~1) >>> 0) - s.value;
    return off === 0 ? s.name : `${s.name}+0x${off.toString(16)}`;
  }
}
