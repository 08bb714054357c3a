/**
 * From exact per-block execution counts to modelled cycles, milliseconds and millijoules.
 *
 * Inputs: the native counter's (block, marker segment) entries with hits and fall-through
 * edges, the probe markers, the firmware's code bytes, the core, and the board's timing profile
 * (Flash fetch path, clock, run current). Each executed block is decoded once and priced by the
 * core model (`cores.ts`); the memory model adds instruction-fetch stalls from Flash; regions
 * (init, inference, layers) sum the segments between their markers. Pure: no emulator calls.
 * Every assumption is listed in docs/cycle-model.md.
 *
 * @module
 */
import type { BoardTiming } from "../../engine/target/mod.ts";
import { type BlockTiming, timeBlock, type TimedCore } from "./cores.ts";
import { decodeBlock } from "./thumb.ts";

/** One translated block as the native counter reports it (`unicorn.ts` calls it BlockStat). */
export interface CountedBlock {
  /** Block start. */
  readonly address: number;
  /** Block size in bytes. */
  readonly size: number;
  /** Thumb-2 instructions in the block. */
  readonly instructions: number;
  /** Times the block was entered (within its segment). */
  readonly hits: number;
  /** Probe markers recorded before the block was entered: its segment between two markers. */
  readonly segment: number;
  /** Times the next block entered started right after this one (fall-through edges). */
  readonly fallthrough: number;
}

/** Modelled figures of one region. */
export interface RegionCycles {
  /** Modelled cycles with the board's memory system. */
  readonly cycles: number;
  /** Zero-wait-state cycles (core model only). */
  readonly idealCycles: number;
  /** `cycles` at the board clock, in milliseconds. */
  readonly latencyMs: number;
  /** Energy at the board's run current and voltage, in millijoules. */
  readonly energyMj: number;
}

/** The modelled cycle report of one run. */
export interface CycleReport {
  /** The core model used. */
  readonly core: TimedCore;
  readonly clockHz: number;
  /** From reset to the halt. */
  readonly total: RegionCycles;
  /** Between the init markers (zeros without them). */
  readonly init: RegionCycles;
  /** Between the inference markers, summed over repeats. */
  readonly inference: RegionCycles;
  /** Per layer index, summed over occurrences. */
  readonly layers: readonly (RegionCycles & { readonly index: number })[];
}

/** Reads `size` code bytes at a run-time address (from the ELF's loadable segments). */
export type CodeReader = (address: number, size: number) => Uint8Array | undefined;

/** Price of one (block, segment) entry, split into core and memory cycles. */
export interface PricedBlock {
  readonly block: CountedBlock;
  readonly timing: BlockTiming;
  /** Core cycles of all its passes (zero wait states). */
  readonly coreCycles: number;
  /** Flash fetch stall cycles charged to it. */
  readonly fetchCycles: number;
}

/**
 * Core cycles of a block over all its passes: base per pass, the taken-branch extra for passes
 * that left through the branch, the mispredict extra for the minority direction (a predictor
 * that settles on each branch's usual direction mispredicts the other one).
 */
export function blockCoreCycles(b: CountedBlock, t: BlockTiming): number {
  const notTaken = t.conditional ? Math.min(b.fallthrough, b.hits) : 0;
  const taken = t.conditional ? b.hits - notTaken : 0;
  return b.hits * t.base + taken * t.takenExtra + Math.min(taken, notTaken) * t.mispredictExtra;
}

/**
 * Price every block entry: decode (cached per address and size), core timing, and Flash fetch
 * stalls. Fetch model: a line's first use in the run misses (cold miss); within a segment whose
 * code footprint exceeds the cache, every line fetch also misses with the probability
 * 1 - capacity / footprint (steady state with random replacement).
 */
export function priceBlocks(
  blocks: readonly CountedBlock[],
  code: CodeReader,
  core: TimedCore,
  timing: BoardTiming | undefined,
  flash: { readonly base: number; readonly size: number },
): PricedBlock[] {
  const decoded = new Map<string, BlockTiming>();
  const timingOf = (b: CountedBlock): BlockTiming => {
    const key = `${b.address}:${b.size}`;
    let t = decoded.get(key);
    if (t === undefined) {
      const bytes = code(b.address, b.size);
      t = bytes === undefined
        ? { base: b.instructions, takenExtra: 0, mispredictExtra: 0, conditional: false }
        : timeBlock(core, decodeBlock(bytes, b.address));
      decoded.set(key, t);
    }
    return t;
  };
  const ordered = [...blocks].sort((a, b) =>
    a.segment - b.segment || a.address - b.address || a.size - b.size
  );
  const fetch = timing?.fetch;
  const line = fetch?.lineBytes ?? 32;
  const inFlash = (b: CountedBlock) =>
    b.address >= flash.base && b.address + b.size <= flash.base + flash.size;
  const linesOf = (b: CountedBlock) => {
    const first = Math.floor(b.address / line);
    const last = Math.floor((b.address + b.size - 1) / line);
    return { first, last, count: last - first + 1 };
  };
  // Footprint per segment (distinct Flash lines).
  const footprint = new Map<number, Set<number>>();
  for (const b of ordered) {
    if (!inFlash(b) || b.hits === 0) continue;
    const set = footprint.get(b.segment) ?? new Set<number>();
    const l = linesOf(b);
    for (let x = l.first; x <= l.last; x++) set.add(x);
    footprint.set(b.segment, set);
  }
  const seen = new Set<number>();
  return ordered.map((b) => {
    const t = timingOf(b);
    const coreCycles = blockCoreCycles(b, t);
    let fetchCycles = 0;
    if (fetch !== undefined && inFlash(b) && b.hits > 0) {
      const l = linesOf(b);
      for (let x = l.first; x <= l.last; x++) {
        if (!seen.has(x)) {
          seen.add(x);
          fetchCycles += fetch.missCycles;
        }
      }
      const lines = footprint.get(b.segment)?.size ?? 0;
      const missRate = lines * line > fetch.bytes ? 1 - fetch.bytes / (lines * line) : 0;
      fetchCycles += b.hits * l.count * missRate * fetch.missCycles;
    }
    return { block: b, timing: t, coreCycles, fetchCycles };
  });
}

/** Markers as the counter reports them. */
export interface CountedMarker {
  readonly code: number;
  readonly instructions: number;
}

/**
 * Sum priced blocks into the total, init, inference and per-layer regions. A region that begins
 * at marker i and ends at marker j holds the blocks of segments i+1..j (the counter stamps a
 * marker after the block that wrote it, exactly as it stamps instruction counts).
 */
export function cycleReport(
  priced: readonly PricedBlock[],
  markers: readonly CountedMarker[],
  core: TimedCore,
  clockHz: number,
  timing: BoardTiming | undefined,
): CycleReport {
  const nSeg = markers.length + 1;
  const coreBySeg = new Float64Array(nSeg);
  const memBySeg = new Float64Array(nSeg);
  for (const p of priced) {
    const s = Math.min(p.block.segment, nSeg - 1);
    coreBySeg[s]! += p.coreCycles;
    memBySeg[s]! += p.fetchCycles;
  }
  const region = (segs: readonly [number, number][]): RegionCycles => {
    let ideal = 0;
    let mem = 0;
    for (const [from, to] of segs) {
      for (let s = from; s <= to; s++) {
        ideal += coreBySeg[s]!;
        mem += memBySeg[s]!;
      }
    }
    return regionFigures(Math.round(ideal + mem), Math.round(ideal), clockHz, timing);
  };
  const open = new Map<string, number>();
  const spans = new Map<string, [number, number][]>();
  markers.forEach((m, i) => {
    const kind = m.code >>> 16;
    let key: string | undefined;
    let begin = false;
    if (m.code === 1 || m.code === 2) [key, begin] = ["inference", m.code === 1];
    else if (m.code === 3 || m.code === 4) [key, begin] = ["init", m.code === 3];
    else if (kind === 1 || kind === 2) [key, begin] = [`layer:${m.code & 0xffff}`, kind === 1];
    if (key === undefined) return;
    if (begin) open.set(key, i);
    else {
      const start = open.get(key);
      if (start === undefined) return;
      open.delete(key);
      const list = spans.get(key) ?? [];
      list.push([start + 1, i]);
      spans.set(key, list);
    }
  });
  const layers = [...spans.entries()]
    .filter(([k]) => k.startsWith("layer:"))
    .map(([k, segs]) => ({ index: Number(k.slice(6)), ...region(segs) }))
    .sort((a, b) => a.index - b.index);
  return {
    core,
    clockHz,
    total: region([[0, nSeg - 1]]),
    init: region(spans.get("init") ?? []),
    inference: region(spans.get("inference") ?? []),
    layers,
  };
}

/** Milliseconds and millijoules of a cycle count at the board's clock and run current. */
export function regionFigures(
  cycles: number,
  idealCycles: number,
  clockHz: number,
  timing: BoardTiming | undefined,
): RegionCycles {
  const seconds = cycles / clockHz;
  const power = timing?.power;
  const watts = power === undefined
    ? 0
    : power.runMicroampsPerMhz * 1e-6 * (clockHz / 1e6) * power.volts;
  return {
    cycles,
    idealCycles,
    latencyMs: seconds * 1e3,
    energyMj: seconds * watts * 1e3,
  };
}
