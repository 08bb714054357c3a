/**
 * Section sizes of an ARM ELF32 image, read from its section headers (shared with the emulator).
 *
 * @module
 */
import type { SectionSizes } from "./firmware.ts";

const SHT_NOBITS = 8;
const SHF_WRITE = 0x1;
const SHF_ALLOC = 0x2;
const SHF_EXECINSTR = 0x4;

/** Which {@link SectionSizes} bucket an allocated section belongs to: by name first, then by flags. */
export function classifySection(
  name: string,
  type: number,
  flags: number,
): keyof SectionSizes | undefined {
  if ((flags & SHF_ALLOC) === 0) return undefined;
  if (name === ".noinit" || name.startsWith(".noinit.")) return "noinit";
  if (name === ".bss" || name.startsWith(".bss.") || type === SHT_NOBITS) return "bss";
  if (name === ".rodata" || name.startsWith(".rodata.")) return "rodata";
  if (name === ".data" || name.startsWith(".data.")) return "data";
  if ((flags & SHF_EXECINSTR) !== 0 || name.startsWith(".ARM.") || name === ".isr_vector") {
    return "text";
  }
  return (flags & SHF_WRITE) !== 0 ? "data" : "rodata";
}

/** Sums allocated section sizes of a little-endian ELF32 file into {@link SectionSizes}. */
export function sectionSizes(elf: Uint8Array): SectionSizes {
  const bad = (why: string) => new RangeError(`Cannot read section sizes: ${why}`);
  if (elf.length < 52 || elf[0] !== 0x7f || elf[1] !== 0x45 || elf[2] !== 0x4c || elf[3] !== 0x46) {
    throw bad("not an ELF file");
  }
  if (elf[4] !== 1 || elf[5] !== 1) throw bad("not a little-endian ELF32 file");
  const v = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  const shoff = v.getUint32(32, true);
  const shentsize = v.getUint16(46, true);
  const shnum = v.getUint16(48, true);
  const shstrndx = v.getUint16(50, true);
  if (shentsize < 40 || shoff + shnum * shentsize > elf.length || shstrndx >= shnum) {
    throw bad("section headers out of bounds");
  }
  const hdr = (i: number) => shoff + i * shentsize;
  const strOff = v.getUint32(hdr(shstrndx) + 16, true);
  const strSize = v.getUint32(hdr(shstrndx) + 20, true);
  if (strOff + strSize > elf.length) throw bad("section name table out of bounds");
  const nameAt = (off: number) => {
    let end = strOff + off;
    while (end < strOff + strSize && elf[end] !== 0) end++;
    return new TextDecoder().decode(elf.subarray(strOff + off, end));
  };
  const out = { text: 0, rodata: 0, data: 0, bss: 0, noinit: 0 };
  for (let i = 1; i < shnum; i++) {
    const h = hdr(i);
    const bucket = classifySection(
      nameAt(v.getUint32(h, true)),
      v.getUint32(h + 4, true),
      v.getUint32(h + 8, true),
    );
    if (bucket) out[bucket] += v.getUint32(h + 20, true);
  }
  return out;
}
