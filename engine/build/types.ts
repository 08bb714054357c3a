/**
 * Records at the C-to-firmware boundary.
 *
 * @module
 */
import type { Board } from "../target/boards.ts";

/** A buildable C project: relative path to contents (text or bytes, e.g. `.bin` for `.incbin`). */
export interface CSources {
  /** A short name for the project (becomes the firmware's base name). */
  readonly name: string;
  /** Relative path (e.g. `model.c`, `weights.bin`) to file contents. */
  readonly files: Readonly<Record<string, string | Uint8Array>>;
  /** Extra preprocessor definitions, `NAME` or `NAME=VALUE`. */
  readonly defines?: readonly string[];
}

/** Loadable-image section sizes in bytes. */
export interface SectionSizes {
  readonly text: number;
  readonly rodata: number;
  readonly data: number;
  readonly bss: number;
  readonly noinit: number;
}

/** A linked firmware image for one board. */
export interface FirmwareImage {
  readonly name: string;
  readonly board: Board;
  /** The ELF file's bytes. */
  readonly elf: Uint8Array;
  /** Hex SHA-256 of the ELF bytes. */
  readonly sha256: string;
  readonly sections: SectionSizes;
  /** Bytes of the loadable image in Flash: text + rodata + data initializers. */
  readonly flashBytes: number;
  /** The exact gcc command line that built it (relative paths, reproducible by a user). */
  readonly command: readonly string[];
}
