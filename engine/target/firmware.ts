/**
 * Records of a linked firmware image, shared by the build (which makes them) and the emulator
 * (which runs them) so that neither imports the other.
 *
 * @module
 */
import type { Board } from "./boards.ts";

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
