/**
 * Per-core timing of one straight-line block of decoded Thumb-2 instructions, with zero-wait-state
 * memory. Every constant here is named in docs/cycle-model.md with its source.
 *
 * A block's cost has three parts: `base` (every pass, its last branch counted as not taken or
 * correctly predicted), `takenExtra` (added on each pass that leaves through a taken branch) and
 * `mispredictExtra` (added once per misprediction of its final conditional branch). The caller
 * knows the pass counts from the native counter's hits and fall-through edges.
 *
 * @module
 */
import type { Insn, InsnClass } from "./thumb.ts";

/** Cores the model prices. */
export type TimedCore = "cortex-m4" | "cortex-m7";

/** The cost of one block (see the module comment). */
export interface BlockTiming {
  /** Cycles of one pass, its final branch not taken (or predicted correctly). */
  readonly base: number;
  /** Extra cycles of a pass whose final branch is taken. */
  readonly takenExtra: number;
  /** Extra cycles per misprediction of the final conditional branch. */
  readonly mispredictExtra: number;
  /** Whether the block ends in a conditional branch (taken and not-taken both happen). */
  readonly conditional: boolean;
}

/** Cortex-M4 constants (ARM DDI 0439, "Instruction set summary" / "Load/store timings"). */
export const M4 = {
  /** Pipeline refill after a taken branch: the TRM gives 1..3; we take 2 (see the doc). */
  refill: 2,
  /** Refill after LDR pc and TBB/TBH, per the TRM's load/store timing notes. */
  refillAfterLoad: 3,
  /** SDIV/UDIV: 2..12 cycles by operand values; we take the upper bound. */
  divide: 12,
  /** VDIV.F32 / VSQRT.F32. */
  vfpDivide: 14,
  /** VMLA/VMLS/VNMLA/VFMA single precision. */
  vfpMac: 3,
} as const;

/** Cortex-M7 constants (see docs/cycle-model.md for each source). */
export const M7 = {
  /** Cycles lost on a mispredicted branch (LLVM ARMScheduleM7.td: 6 for forward branches). */
  mispredict: 6,
  /** SDIV/UDIV: single-issue, we take the same 12-cycle upper bound as the M4. */
  divide: 12,
  vfpDivide: 16,
} as const;

const PC_BIT = 1 << 15;

function isDataProcessing(c: InsnClass): boolean {
  return c === "alu" || c === "alu-shift" || c === "extend" || c === "simd" || c === "sat" ||
    c === "mul" || c === "mac" || c === "mull";
}

/** Cortex-M4: a sequential sum with the TRM's load pipelining and address interlock rules. */
export function timeBlockM4(insns: readonly Insn[]): BlockTiming {
  let base = 0;
  let prev: Insn | undefined;
  for (const i of insns) {
    base += m4Cost(i, prev);
    prev = i;
  }
  const last = insns[insns.length - 1];
  if (last === undefined) return { base: 0, takenExtra: 0, mispredictExtra: 0, conditional: false };
  const conditional = last.cls === "branch-cond";
  return { base, takenExtra: conditional ? M4.refill : 0, mispredictExtra: 0, conditional };
}

function m4Cost(i: Insn, prev: Insn | undefined): number {
  // A load or store whose address depends on the instruction just before (data processing)
  // waits one cycle: there is no forwarding path to the address generator.
  const addressInterlock = prev !== undefined && isDataProcessing(prev.cls) &&
      (prev.writes & i.early) !== 0
    ? 1
    : 0;
  // Back-to-back single loads/stores pipeline: after an LDR, the next LDR/STR saves a cycle
  // unless its address uses the register the LDR loaded.
  const pipelined = prev !== undefined && prev.cls === "load" && (prev.writes & i.early) === 0;
  switch (i.cls) {
    case "load":
      return (pipelined ? 1 : 2) + addressInterlock;
    case "store":
      return (i.regOffset && !pipelined ? 2 : 1) + addressInterlock;
    case "load-dual":
    case "store-dual":
      return 1 + 2 + addressInterlock;
    case "load-multiple":
      return 1 + i.transfers + ((i.writes & PC_BIT) !== 0 ? M4.refill : 0) + addressInterlock;
    case "store-multiple":
      return 1 + i.transfers + addressInterlock;
    case "branch":
    case "call":
      return 1 + M4.refill;
    case "branch-indirect":
      return i.transfers > 0 ? 2 + M4.refillAfterLoad : 1 + M4.refill;
    case "table-branch":
      return 2 + 1 + M4.refillAfterLoad;
    case "branch-cond":
      return 1;
    case "it":
      // Folded onto a preceding 16-bit instruction (TRM: "can be folded ... zero cycles").
      return prev !== undefined && prev.size === 2 && !prev.writesPc ? 0 : 1;
    case "div":
      return M4.divide;
    case "vfp-mac":
      return M4.vfpMac;
    case "vfp-div":
      return M4.vfpDivide;
    case "vfp-load":
    case "vfp-store":
      return 2 + addressInterlock;
    case "vfp-multiple":
      return 1 + i.transfers + addressInterlock;
    default:
      return 1;
  }
}

/** What the M7 scheduler needs to know about one instruction class. */
interface M7Props {
  /** Cycles until the result can feed an ordinary (EX2) operand. */
  readonly latency: number;
  /** Must issue alone. */
  readonly single: boolean;
  /** Can only be the older instruction of a pair (DSP/SIMD, saturation, CLZ, bit fields). */
  readonly firstOnly: boolean;
  /** Cycles the issue stage stays busy (multi-cycle instructions). */
  readonly busy: number;
  readonly unit: "alu" | "load" | "store" | "mac" | "branch" | "vfp" | "none";
  /** Uses the EX1 shifter (shifted operands, extends, bit fields): one per cycle. */
  readonly shifter: boolean;
}

function m7Props(i: Insn): M7Props {
  const p = (
    latency: number,
    unit: M7Props["unit"],
    extra: Partial<M7Props> = {},
  ): M7Props => ({
    latency,
    unit,
    single: false,
    firstOnly: false,
    busy: 1,
    shifter: false,
    ...extra,
  });
  switch (i.cls) {
    case "alu":
      return p(1, "alu");
    case "alu-shift":
      return p(1, "alu", { shifter: true });
    case "extend":
      return p(1, "alu", { shifter: true, firstOnly: true });
    case "simd":
      return p(1, "alu", { firstOnly: true });
    case "sat":
      return p(2, "alu", { shifter: true, firstOnly: true });
    case "mul":
    case "mac":
    case "mull":
      return p(2, "mac");
    case "div":
      return p(M7.divide, "alu", { single: true, busy: M7.divide });
    case "load":
      return p(i.narrow ? 2 : 1, "load");
    case "store":
      return p(1, "store");
    case "load-dual":
      return p(1, "load", { single: true });
    case "store-dual":
      return p(1, "store", { single: true });
    case "load-multiple":
      return p(1, "load", { single: true, busy: Math.max(1, Math.ceil(i.transfers / 2)) });
    case "store-multiple":
      return p(1, "store", { single: true, busy: Math.max(1, Math.ceil(i.transfers / 2)) });
    case "branch":
    case "call":
    case "branch-cond":
    case "branch-indirect":
      return p(1, "branch", i.transfers > 0 ? { single: true } : {});
    case "table-branch":
      return p(1, "branch", { single: true, busy: 2 });
    case "it":
    case "nop":
      return p(1, "none");
    case "vfp-alu":
    case "vfp-mac":
    case "vfp-move":
      return p(3, "vfp");
    case "vfp-div":
      return p(M7.vfpDivide, "vfp", { single: true, busy: M7.vfpDivide });
    case "vfp-load":
      return p(1, "load");
    case "vfp-store":
      return p(1, "store");
    case "vfp-multiple":
      return p(1, i.late !== 0 ? "store" : "load", {
        single: true,
        busy: Math.max(1, Math.ceil(i.transfers / 2)),
      });
    default:
      return p(1, "none", { single: true });
  }
}

/** Units the M7 can use in one cycle (LLVM ARMScheduleM7.td resources). */
const M7_UNITS: Readonly<Record<M7Props["unit"], number>> = {
  alu: 2,
  load: 2,
  store: 1,
  mac: 1,
  branch: 1,
  vfp: 1,
  none: 2,
};

/**
 * Cortex-M7: an in-order, dual-issue scoreboard. An instruction issues in the earliest cycle
 * where its operands are ready (address and shifted operands one cycle earlier, store data and
 * accumulators one cycle later) and, if another instruction already issued in that cycle, only
 * when both may pair (neither single-issue, the younger not first-only, units free).
 * Registers are assumed ready at block entry; indirect branches pay the mispredict penalty.
 */
export function timeBlockM7(insns: readonly Insn[]): BlockTiming {
  // Values live at block entry were produced long before: ready even for early (EX1) reads.
  const ready = new Array<number>(17).fill(-2);
  let cycle = 0; // the cycle the next instruction may issue in
  let inCycle = 0; // instructions already issued in `cycle`
  let pairClosed = false; // the instruction in `cycle` does not accept a partner
  const used = { alu: 0, load: 0, store: 0, mac: 0, branch: 0, vfp: 0, none: 0, shifter: 0 };
  let lastWrites = 0;
  let extra = 0;
  const regs = (mask: number) => {
    const out: number[] = [];
    for (let r = 0; r < 17; r++) if (mask & (1 << r)) out.push(r);
    return out;
  };
  for (const i of insns) {
    const pr = m7Props(i);
    let operandsAt = 0;
    for (const r of regs(i.reads)) operandsAt = Math.max(operandsAt, ready[r]!);
    for (const r of regs(i.early)) operandsAt = Math.max(operandsAt, ready[r]! + 1);
    for (const r of regs(i.late)) operandsAt = Math.max(operandsAt, ready[r]! - 1);
    const canPair = inCycle === 1 && !pairClosed && !pr.single && !pr.firstOnly &&
      operandsAt <= cycle && used[pr.unit] < M7_UNITS[pr.unit] &&
      !(pr.shifter && used.shifter > 0) && (lastWrites & i.writes) === 0;
    let t: number;
    if (canPair) {
      t = cycle;
      inCycle = 2;
    } else {
      t = Math.max(operandsAt, inCycle > 0 ? cycle + 1 : cycle);
      for (const k of Object.keys(used) as (keyof typeof used)[]) used[k] = 0;
      inCycle = 1;
      pairClosed = pr.single;
    }
    used[pr.unit]++;
    if (pr.shifter) used.shifter++;
    lastWrites = i.writes;
    for (const r of regs(i.writes)) ready[r] = t + pr.latency;
    if (pr.busy > 1) {
      t += pr.busy - 1;
      pairClosed = true;
    }
    cycle = t;
    if (pr.single) pairClosed = true;
    const returns = i.cls === "load-multiple" && (i.writes & PC_BIT) !== 0; // POP {..., pc}
    if (i.cls === "branch-indirect" || i.cls === "table-branch" || returns) extra += M7.mispredict;
  }
  const base = (inCycle > 0 ? cycle + 1 : cycle) + extra;
  const last = insns[insns.length - 1];
  const conditional = last?.cls === "branch-cond";
  return { base, takenExtra: 0, mispredictExtra: conditional ? M7.mispredict : 0, conditional };
}

/** The block timing of a core. */
export function timeBlock(core: TimedCore, insns: readonly Insn[]): BlockTiming {
  return core === "cortex-m4" ? timeBlockM4(insns) : timeBlockM7(insns);
}
