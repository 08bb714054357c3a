/**
 * A Thumb-2 (ARMv7E-M) decoder that tells a timing model what it needs to know about each
 * instruction: its timing class, the registers it reads and writes, which of those registers
 * form a memory address, how many registers a multiple transfer moves, and whether it changes
 * the PC. Field positions follow the ARMv7-M Architecture Reference Manual (section A5, "Thumb
 * instruction set encoding"). Encodings the model does not distinguish decode as `other`
 * (priced as a single-cycle, single-issue instruction).
 *
 * @module
 */

/** Timing classes (see docs/cycle-model.md for the cycles of each on both cores). */
export type InsnClass =
  | "alu" // data processing with a plain register or byte immediate operand
  | "alu-shift" // data processing with a shifted register, shift by register, wide immediate
  | "extend" // SXTB/UXTB/SXTH/UXTH/SXTB16 (+ accumulate), bit fields, REV, RBIT
  | "simd" // parallel add/subtract, SEL, USAD8, CLZ
  | "sat" // SSAT, USAT, QADD, QSUB, QDADD, QDSUB
  | "mul" // MUL, SMULxy, SMUAD, SMMUL: 32-bit results without accumulate
  | "mac" // MLA, MLS, SMLAxy, SMLAD, SMLSD, SMMLA, USADA8
  | "mull" // SMULL, UMULL, SMLAL, UMLAL, SMLALD, UMAAL (64-bit results)
  | "div" // SDIV, UDIV
  | "load" // LDR/LDRB/LDRH/LDRSB/LDRSH (one register)
  | "store" // STR/STRB/STRH (one register)
  | "load-dual" // LDRD
  | "store-dual" // STRD
  | "load-multiple" // LDM, POP
  | "store-multiple" // STM, PUSH
  | "branch" // B (unconditional, direct)
  | "branch-cond" // B<c>, CBZ, CBNZ
  | "call" // BL
  | "branch-indirect" // BX, BLX, MOV/ADD pc, LDR pc (with load), POP {..., pc} (with LDM)
  | "table-branch" // TBB, TBH
  | "it" // IT
  | "nop" // NOP and hints
  | "vfp-alu" // VADD, VSUB, VMUL, VABS, VNEG, VCVT, VCMP, VMOV (immediate or register)
  | "vfp-mac" // VMLA, VMLS, VNMLA, VNMLS, VFMA, VFMS, VFNMA, VFNMS
  | "vfp-div" // VDIV, VSQRT
  | "vfp-load" // VLDR
  | "vfp-store" // VSTR
  | "vfp-multiple" // VLDM, VSTM, VPUSH, VPOP
  | "vfp-move" // VMOV between core and FP registers, VMRS, VMSR
  | "other"; // everything else (system, barriers, exclusives, coprocessor)

/** One decoded instruction. Registers are masks over r0..r15 (bit 16: the FP register file). */
export interface Insn {
  /** Address of the instruction. */
  readonly address: number;
  /** 2 or 4 bytes. */
  readonly size: 2 | 4;
  readonly cls: InsnClass;
  /** Registers written (loads: the loaded registers, base write-back included). */
  readonly writes: number;
  /** Registers read as data. */
  readonly reads: number;
  /** Registers read to form a memory address (loads and stores), or a shifted operand. */
  readonly early: number;
  /** Registers read late on the M7: data a store writes, a multiply-accumulate's accumulator. */
  readonly late: number;
  /** Registers moved by a multiple transfer (LDM/STM/PUSH/POP/VLDM/VSTM); words for LDRD. */
  readonly transfers: number;
  /** Loads of a byte or halfword (sign- or zero-extended). */
  readonly narrow: boolean;
  /** A store or load whose offset is a register (timing differs on the M4). */
  readonly regOffset: boolean;
  /** The load is PC-relative (literal pool). */
  readonly literal: boolean;
  /** The instruction writes the PC (any branch, a load of PC, MOV/ADD pc). */
  readonly writesPc: boolean;
}

/** Pseudo-register bit for the FP register file (dependencies through S/D registers). */
export const FP_REGS = 1 << 16;
const PC = 15;
const SP = 13;
const LR = 14;
const bit = (r: number) => 1 << r;

function make(
  address: number,
  size: 2 | 4,
  cls: InsnClass,
  fields: Partial<Omit<Insn, "address" | "size" | "cls">> = {},
): Insn {
  return {
    address,
    size,
    cls,
    writes: fields.writes ?? 0,
    reads: fields.reads ?? 0,
    early: fields.early ?? 0,
    late: fields.late ?? 0,
    transfers: fields.transfers ?? 0,
    narrow: fields.narrow ?? false,
    regOffset: fields.regOffset ?? false,
    literal: fields.literal ?? false,
    writesPc: fields.writesPc ?? ((fields.writes ?? 0) & bit(PC)) !== 0,
  };
}

/** Whether a halfword starts a 32-bit Thumb-2 instruction. */
export function isWide(hw: number): boolean {
  const top5 = hw >>> 11;
  return top5 === 0x1d || top5 === 0x1e || top5 === 0x1f;
}

const popcount = (x: number) => {
  let n = 0;
  for (let v = x >>> 0; v !== 0; v &= v - 1) n++;
  return n;
};

function decode16(a: number, hw: number): Insn {
  const lo3 = hw & 7;
  const mid3 = (hw >> 3) & 7;
  const top = hw >>> 10;
  if ((hw >>> 14) === 0) {
    const op = (hw >> 11) & 7;
    if (op <= 2) return make(a, 2, "alu", { writes: bit(lo3), reads: bit(mid3) }); // LSL/LSR/ASR #
    if (op === 3) {
      const imm = (hw >> 10) & 1;
      const rm = (hw >> 6) & 7;
      return make(a, 2, "alu", { writes: bit(lo3), reads: bit(mid3) | (imm ? 0 : bit(rm)) });
    }
    const rdn = (hw >> 8) & 7;
    if (op === 4) return make(a, 2, "alu", { writes: bit(rdn) }); // MOV #
    if (op === 5) return make(a, 2, "alu", { reads: bit(rdn) }); // CMP #
    return make(a, 2, "alu", { writes: bit(rdn), reads: bit(rdn) }); // ADD/SUB #8
  }
  if (top === 0x10) {
    const op = (hw >> 6) & 0xf;
    const both = bit(lo3) | bit(mid3);
    if (op === 0xd) return make(a, 2, "mul", { writes: bit(lo3), reads: both });
    if (op === 0x8 || op === 0xa || op === 0xb) return make(a, 2, "alu", { reads: both });
    if (op === 0x9) return make(a, 2, "alu", { writes: bit(lo3), reads: bit(mid3) }); // RSB #0
    if (op === 0xf) return make(a, 2, "alu", { writes: bit(lo3), reads: bit(mid3) }); // MVN
    const shiftByReg = op === 2 || op === 3 || op === 4 || op === 7;
    return make(a, 2, shiftByReg ? "alu-shift" : "alu", { writes: bit(lo3), reads: both });
  }
  if (top === 0x11) {
    const op = (hw >> 8) & 3;
    const rdn = (hw & 7) | ((hw >> 4) & 8);
    const rm = (hw >> 3) & 0xf;
    if (op === 3) {
      const link = (hw >> 7) & 1;
      return make(a, 2, "branch-indirect", {
        reads: bit(rm),
        writes: bit(PC) | (link ? bit(LR) : 0),
      });
    }
    if (op === 1) return make(a, 2, "alu", { reads: bit(rdn) | bit(rm) }); // CMP high
    const reads = op === 0 ? bit(rdn) | bit(rm) : bit(rm);
    if (rdn === PC) return make(a, 2, "branch-indirect", { reads, writes: bit(PC) });
    return make(a, 2, "alu", { writes: bit(rdn), reads });
  }
  if ((hw >>> 11) === 0x9) {
    return make(a, 2, "load", { writes: bit((hw >> 8) & 7), literal: true }); // LDR literal
  }
  if ((hw >>> 12) === 0x5) {
    const op = (hw >> 9) & 7;
    const rm = (hw >> 6) & 7;
    const addr = bit(mid3) | bit(rm);
    if (op <= 2) {
      return make(a, 2, "store", { early: addr, late: bit(lo3), regOffset: true });
    }
    const narrow = op !== 4;
    return make(a, 2, "load", { writes: bit(lo3), early: addr, narrow, regOffset: true });
  }
  if ((hw >>> 13) === 0x3 || (hw >>> 12) === 0x8) {
    const load = (hw >> 11) & 1;
    const narrow = (hw >>> 12) === 0x8 || ((hw >> 12) & 1) === 1; // halfword or byte
    if (load) return make(a, 2, "load", { writes: bit(lo3), early: bit(mid3), narrow });
    return make(a, 2, "store", { early: bit(mid3), late: bit(lo3) });
  }
  if ((hw >>> 12) === 0x9) {
    const rt = (hw >> 8) & 7;
    if ((hw >> 11) & 1) return make(a, 2, "load", { writes: bit(rt), early: bit(SP) });
    return make(a, 2, "store", { early: bit(SP), late: bit(rt) });
  }
  if ((hw >>> 12) === 0xa) {
    const rd = (hw >> 8) & 7;
    const sp = (hw >> 11) & 1;
    return make(a, 2, "alu", { writes: bit(rd), reads: sp ? bit(SP) : 0 }); // ADR / ADD SP
  }
  if ((hw >>> 12) === 0xb) return decodeMisc16(a, hw);
  if ((hw >>> 12) === 0xc) {
    const rn = (hw >> 8) & 7;
    const list = hw & 0xff;
    const load = (hw >> 11) & 1;
    const wb = load && (list & bit(rn)) ? 0 : bit(rn);
    if (load) {
      return make(a, 2, "load-multiple", {
        writes: list | wb,
        early: bit(rn),
        transfers: popcount(list),
      });
    }
    return make(a, 2, "store-multiple", {
      writes: wb,
      early: bit(rn),
      late: list,
      transfers: popcount(list),
    });
  }
  if ((hw >>> 12) === 0xd) {
    const cond = (hw >> 8) & 0xf;
    if (cond === 0xe || cond === 0xf) return make(a, 2, "other"); // UDF, SVC
    return make(a, 2, "branch-cond", { writes: bit(PC) });
  }
  if ((hw >>> 11) === 0x1c) return make(a, 2, "branch", { writes: bit(PC) });
  return make(a, 2, "other");
}

function decodeMisc16(a: number, hw: number): Insn {
  const lo3 = hw & 7;
  const mid3 = (hw >> 3) & 7;
  if ((hw & 0xff00) === 0xb000) return make(a, 2, "alu", { writes: bit(SP), reads: bit(SP) });
  if ((hw & 0xf500) === 0xb100) {
    return make(a, 2, "branch-cond", { reads: bit(lo3), writes: bit(PC) }); // CBZ/CBNZ
  }
  if ((hw & 0xff00) === 0xb200) return make(a, 2, "extend", { writes: bit(lo3), reads: bit(mid3) });
  if ((hw & 0xfe00) === 0xb400) {
    const list = (hw & 0xff) | (((hw >> 8) & 1) << LR);
    return make(a, 2, "store-multiple", {
      writes: bit(SP),
      early: bit(SP),
      late: list,
      transfers: popcount(list),
    });
  }
  if ((hw & 0xff00) === 0xba00) return make(a, 2, "extend", { writes: bit(lo3), reads: bit(mid3) });
  if ((hw & 0xfe00) === 0xbc00) {
    const list = (hw & 0xff) | (((hw >> 8) & 1) << PC);
    return make(a, 2, "load-multiple", {
      writes: list | bit(SP),
      early: bit(SP),
      transfers: popcount(list),
    });
  }
  if ((hw & 0xff00) === 0xbf00) return make(a, 2, (hw & 0xf) !== 0 ? "it" : "nop");
  return make(a, 2, "other"); // BKPT, CPS, ...
}

/** Whether a modified immediate (i:imm3:imm8) is a plain byte (pairs freely on the M7). */
const byteImmediate = (hw1: number, hw2: number) =>
  ((hw1 >> 10) & 1) === 0 && ((hw2 >> 12) & 7) === 0;

function decode32(a: number, hw1: number, hw2: number): Insn {
  const op1 = (hw1 >> 11) & 3;
  const rn = hw1 & 0xf;
  if (op1 === 1) {
    if ((hw1 & 0x0640) === 0x0000) return loadStoreMultiple32(a, hw1, hw2);
    if ((hw1 & 0x0640) === 0x0040) return dualExclusiveTable(a, hw1, hw2);
    if ((hw1 & 0x0600) === 0x0200) {
      // Data processing (shifted register).
      const op = (hw1 >> 5) & 0xf;
      const s = (hw1 >> 4) & 1;
      const rd = (hw2 >> 8) & 0xf;
      const rm = hw2 & 0xf;
      const shift = (((hw2 >> 12) & 7) << 2) | ((hw2 >> 6) & 3);
      const compare = s === 1 && rd === PC && (op === 0 || op === 4 || op === 8 || op === 0xd);
      const movLike = (op === 2 || op === 3) && rn === PC; // MOV/MVN (and shifts by immediate)
      const reads = (movLike ? 0 : bit(rn)) | (shift !== 0 ? 0 : bit(rm));
      const early = shift !== 0 ? bit(rm) : 0;
      const cls = op === 6 ? "extend" : shift !== 0 ? "alu-shift" : "alu"; // PKHBT/PKHTB
      if (compare) return make(a, 4, cls, { reads, early });
      if (rd === PC) return make(a, 4, "branch-indirect", { writes: bit(PC), reads, early });
      return make(a, 4, cls, { writes: bit(rd), reads, early });
    }
    return coprocessor(a, hw1, hw2);
  }
  if (op1 === 2) {
    if (((hw2 >> 15) & 1) === 1) return branchMisc(a, hw1, hw2);
    const rd = (hw2 >> 8) & 0xf;
    if (((hw1 >> 9) & 1) === 0) {
      // Data processing (modified immediate).
      const op = (hw1 >> 5) & 0xf;
      const s = (hw1 >> 4) & 1;
      const cls = byteImmediate(hw1, hw2) ? "alu" : "alu-shift";
      const reads = (op === 2 || op === 3) && rn === PC ? 0 : bit(rn);
      if (s === 1 && rd === PC) return make(a, 4, cls, { reads });
      return make(a, 4, cls, { writes: bit(rd), reads });
    }
    // Plain binary immediate: ADDW/SUBW/ADR, MOVW/MOVT, SSAT/USAT, SBFX/UBFX, BFI/BFC.
    const op = (hw1 >> 4) & 0x1f;
    if (op === 0x04) return make(a, 4, "alu", { writes: bit(rd) }); // MOVW
    if (op === 0x0c) return make(a, 4, "alu", { writes: bit(rd), reads: bit(rd) }); // MOVT
    if (op === 0x00 || op === 0x0a) {
      return make(a, 4, "alu", { writes: bit(rd), reads: rn === PC ? 0 : bit(rn) });
    }
    if (op === 0x10 || op === 0x12 || op === 0x18 || op === 0x1a) {
      return make(a, 4, "sat", { writes: bit(rd), early: bit(rn) }); // SSAT/USAT(16)
    }
    if (op === 0x16) {
      return make(a, 4, "extend", { writes: bit(rd), reads: bit(rd) | (rn === PC ? 0 : bit(rn)) });
    }
    return make(a, 4, "extend", { writes: bit(rd), early: bit(rn) }); // SBFX/UBFX
  }
  // op1 === 3
  if ((hw1 & 0x0400) !== 0) return coprocessor(a, hw1, hw2);
  if ((hw1 & 0x0710) === 0x0000) return loadStore32(a, hw1, hw2, 0);
  if ((hw1 & 0x0610) === 0x0010) return loadStore32(a, hw1, hw2, 1);
  if ((hw1 & 0x0f00) === 0x0a00) return dataProcessingRegister(a, hw1, hw2);
  if ((hw1 & 0x0f80) === 0x0b00) return multiply32(a, hw1, hw2);
  if ((hw1 & 0x0f80) === 0x0b80) return longMultiplyDivide(a, hw1, hw2);
  return make(a, 4, "other");
}

function loadStoreMultiple32(a: number, hw1: number, hw2: number): Insn {
  const rn = hw1 & 0xf;
  const load = (hw1 >> 4) & 1;
  const wb = (hw1 >> 5) & 1 ? bit(rn) : 0;
  const list = hw2 & 0xffff;
  if (load) {
    return make(a, 4, "load-multiple", {
      writes: list | wb,
      early: bit(rn),
      transfers: popcount(list),
    });
  }
  return make(a, 4, "store-multiple", {
    writes: wb,
    early: bit(rn),
    late: list,
    transfers: popcount(list),
  });
}

function dualExclusiveTable(a: number, hw1: number, hw2: number): Insn {
  const rn = hw1 & 0xf;
  const op1 = (hw1 >> 7) & 3;
  const op2 = (hw1 >> 4) & 3;
  const rt = (hw2 >> 12) & 0xf;
  const rt2 = (hw2 >> 8) & 0xf;
  if (op1 === 1 && op2 === 1 && ((hw2 >> 4) & 0xe) === 0) {
    return make(a, 4, "table-branch", { early: bit(rn) | bit(hw2 & 0xf), writes: bit(PC) });
  }
  if (op1 <= 1 && op2 <= 1) return make(a, 4, "other"); // exclusives
  const wb = (hw1 >> 5) & 1 ? bit(rn) : 0;
  const early = rn === PC ? 0 : bit(rn);
  if (op2 & 1) {
    return make(a, 4, "load-dual", {
      writes: bit(rt) | bit(rt2) | wb,
      early,
      transfers: 2,
      literal: rn === PC,
    });
  }
  return make(a, 4, "store-dual", { writes: wb, early, late: bit(rt) | bit(rt2), transfers: 2 });
}

function loadStore32(a: number, hw1: number, hw2: number, load: 0 | 1): Insn {
  const rn = hw1 & 0xf;
  const rt = (hw2 >> 12) & 0xf;
  const size = (hw1 >> 5) & 3; // 0 byte, 1 halfword, 2 word
  const imm12 = (hw1 >> 7) & 1;
  const literal = rn === PC;
  let early = literal ? 0 : bit(rn);
  let writes = 0;
  let regOffset = false;
  if (!imm12 && !literal) {
    if ((hw2 >> 11) & 1) {
      if ((hw2 >> 8) & 1) writes |= bit(rn); // pre/post-indexed with write-back
    } else if (((hw2 >> 6) & 0x3f) === 0) {
      early |= bit(hw2 & 0xf);
      regOffset = true;
    }
  }
  if (!load) {
    return make(a, 4, "store", { writes, early, late: bit(rt), regOffset });
  }
  if (rt === PC) {
    if (size !== 2) return make(a, 4, "nop", { early }); // PLD/PLI
    return make(a, 4, "branch-indirect", {
      writes: writes | bit(PC),
      early,
      literal,
      transfers: 1,
    });
  }
  return make(a, 4, "load", {
    writes: writes | bit(rt),
    early,
    narrow: size !== 2,
    regOffset,
    literal,
  });
}

function dataProcessingRegister(a: number, hw1: number, hw2: number): Insn {
  const rn = hw1 & 0xf;
  const rd = (hw2 >> 8) & 0xf;
  const rm = hw2 & 0xf;
  const op1 = (hw1 >> 4) & 0xf;
  const op2 = (hw2 >> 4) & 0xf;
  if (op1 < 8 && op2 === 0) {
    return make(a, 4, "alu-shift", { writes: bit(rd), reads: bit(rn) | bit(rm) }); // shift by reg
  }
  if (op1 < 8 && op2 >= 8) {
    const acc = rn === PC ? 0 : bit(rn); // SXTAB etc. (Rn = PC: plain extend)
    return make(a, 4, "extend", { writes: bit(rd), reads: acc, early: bit(rm) });
  }
  if (op1 >= 8 && op2 < 8) {
    return make(a, 4, "simd", { writes: bit(rd), reads: bit(rn) | bit(rm) }); // parallel add/sub
  }
  if (op1 >= 8 && op1 < 12 && op2 >= 8 && op2 < 12) {
    const o = ((op1 & 3) << 2) | (op2 & 3);
    const cls = o <= 3 ? "sat" : o <= 7 ? "extend" : "simd"; // QADD..; REV/RBIT; SEL, CLZ
    return make(a, 4, cls, { writes: bit(rd), reads: bit(rn) | bit(rm) });
  }
  return make(a, 4, "other");
}

function multiply32(a: number, hw1: number, hw2: number): Insn {
  const rn = hw1 & 0xf;
  const ra = (hw2 >> 12) & 0xf;
  const rd = (hw2 >> 8) & 0xf;
  const rm = hw2 & 0xf;
  const accumulate = ra !== PC;
  return make(a, 4, accumulate ? "mac" : "mul", {
    writes: bit(rd),
    reads: bit(rn) | bit(rm),
    late: accumulate ? bit(ra) : 0,
  });
}

function longMultiplyDivide(a: number, hw1: number, hw2: number): Insn {
  const rn = hw1 & 0xf;
  const rm = hw2 & 0xf;
  const op1 = (hw1 >> 4) & 7;
  const lo = (hw2 >> 12) & 0xf;
  const hi = (hw2 >> 8) & 0xf;
  if (op1 === 1 || op1 === 3) {
    return make(a, 4, "div", { writes: bit(hi), reads: bit(rn) | bit(rm) });
  }
  const accumulate = op1 >= 4;
  return make(a, 4, "mull", {
    writes: bit(lo) | bit(hi),
    reads: bit(rn) | bit(rm),
    late: accumulate ? bit(lo) | bit(hi) : 0,
  });
}

function branchMisc(a: number, hw1: number, hw2: number): Insn {
  const op = (hw2 >> 12) & 5;
  if (op === 0) {
    if (((hw1 >> 7) & 7) !== 7) return make(a, 4, "branch-cond", { writes: bit(PC) });
    return make(a, 4, (hw1 & 0x07f0) === 0x03a0 ? "nop" : "other"); // hints; MSR/MRS/barriers
  }
  if (op === 1) return make(a, 4, "branch", { writes: bit(PC) });
  return make(a, 4, "call", { writes: bit(PC) | bit(LR) });
}

function coprocessor(a: number, hw1: number, hw2: number): Insn {
  const cp = (hw2 >> 8) & 0xe;
  if (cp !== 0xa) return make(a, 4, "other");
  const rn = hw1 & 0xf;
  if ((hw1 & 0x0e00) === 0x0c00) {
    // Extension register load/store (or 64-bit transfers VMOV when bits 8:5 are 0010).
    if ((hw1 & 0x01e0) === 0x0040) {
      const rt = (hw2 >> 12) & 0xf;
      const rt2 = rn;
      const toCore = (hw1 >> 4) & 1;
      return make(a, 4, "vfp-move", {
        writes: toCore ? bit(rt) | bit(rt2) : FP_REGS,
        reads: toCore ? FP_REGS : bit(rt) | bit(rt2),
      });
    }
    const load = (hw1 >> 4) & 1;
    const single = ((hw1 >> 8) & 1) === 1 && ((hw1 >> 5) & 1) === 0; // VLDR/VSTR
    const early = rn === PC ? 0 : bit(rn);
    if (single) {
      return load
        ? make(a, 4, "vfp-load", { writes: FP_REGS, early, literal: rn === PC })
        : make(a, 4, "vfp-store", { early, late: FP_REGS });
    }
    const words = hw2 & 0xff;
    const wb = (hw1 >> 5) & 1 ? bit(rn) : 0;
    return make(a, 4, "vfp-multiple", {
      writes: wb | (load ? FP_REGS : 0),
      early,
      late: load ? 0 : FP_REGS,
      transfers: words,
    });
  }
  if ((hw1 & 0x0f00) !== 0x0e00) return make(a, 4, "other");
  if ((hw2 >> 4) & 1) {
    // VMOV core <-> single, VMRS/VMSR.
    const rt = (hw2 >> 12) & 0xf;
    const toCore = (hw1 >> 4) & 1;
    return make(a, 4, "vfp-move", {
      writes: toCore ? (rt === PC ? 0 : bit(rt)) : FP_REGS,
      reads: toCore ? FP_REGS : bit(rt),
    });
  }
  const opc1 = (hw1 >> 4) & 0xb;
  const opc2 = hw1 & 0xf;
  const opc3 = (hw2 >> 6) & 3;
  const fp = { writes: FP_REGS, reads: FP_REGS };
  if (opc1 === 0x8) return make(a, 4, "vfp-div", fp);
  if (opc1 === 0xb && opc2 === 1 && opc3 === 3) return make(a, 4, "vfp-div", fp); // VSQRT
  if (opc1 === 0x0 || opc1 === 0x1 || opc1 === 0x9 || opc1 === 0xa) {
    return make(a, 4, "vfp-mac", fp);
  }
  return make(a, 4, "vfp-alu", fp);
}

/**
 * Decode the instructions of `code` (little-endian Thumb-2) starting at `address`. A trailing
 * half of a 32-bit instruction is ignored.
 */
export function decodeBlock(code: Uint8Array, address: number): Insn[] {
  const out: Insn[] = [];
  let off = 0;
  while (off + 2 <= code.length) {
    const hw = code[off]! | (code[off + 1]! << 8);
    if (isWide(hw)) {
      if (off + 4 > code.length) break;
      const hw2 = code[off + 2]! | (code[off + 3]! << 8);
      out.push(decode32(address + off, hw, hw2));
      off += 4;
    } else {
      out.push(decode16(address + off, hw));
      off += 2;
    }
  }
  return out;
}
