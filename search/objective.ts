/**
 * Quality objectives of the evolutionary search. The default is training-free and deterministic;
 * a trained-accuracy objective plugs in through the same interface (its `score` may be async).
 *
 * @module
 */
import { lookupNamed } from "../engine/util/mod.ts";
import type { ArchCost } from "./cost.ts";
import type { Arch, MbconvArch } from "./space.ts";

/** What an objective sees of a candidate. */
export interface ScoredCandidate {
  readonly arch: Arch;
  readonly net: MbconvArch;
  readonly cost: ArchCost;
  readonly instructions: number;
}

/** A quality objective: higher is better. */
export interface QualityObjective {
  readonly name: string;
  /** Deterministic score of a candidate (may train, hence may be async). */
  score(candidate: ScoredCandidate): number | Promise<number>;
  /**
   * Score many candidates at once (a trained objective batches its worker requests); when
   * present the search calls it instead of `score`, once per generation.
   */
  scoreBatch?(candidates: readonly Pick<ScoredCandidate, "arch" | "net">[]): Promise<number[]>;
}

/**
 * MACs as the quality proxy (the MCUNet paper's observation: inside one design space, models
 * with more computation are more accurate), with parameters as a small tie-breaker.
 *
 * @example
 * ```ts ignore
 * const s = MACS_OBJECTIVE.score(candidate); // ≈ log10(macs)
 * ```
 */
export const MACS_OBJECTIVE: QualityObjective = {
  name: "macs",
  score: (c) =>
    Math.log10(Math.max(1, c.cost.macs)) + 1e-3 * Math.log10(Math.max(1, c.cost.params)),
};

/**
 * A zero-cost expressivity proxy: sum over layers of log(width x kernel area x spatial positions)
 * (a proxy in the spirit of Zen-NAS's log-expressivity, computed from shapes only), with depth
 * rewarded through the sum. Deterministic and training-free.
 */
export const EXPRESSIVITY_OBJECTIVE: QualityObjective = {
  name: "expressivity",
  score: (c) => {
    let s = 0;
    let h = c.net.resolution / 2;
    let ch = c.net.firstConv.outChannels;
    s += Math.log(ch * 27);
    for (const b of c.net.blocks) {
      const mid = b.midChannels ?? Math.round(ch * b.expand);
      h = Math.ceil(h / b.stride);
      s += Math.log(mid * b.kernel * b.kernel) + Math.log(b.outChannels) + 0.1 * Math.log(h * h);
      ch = b.outChannels;
    }
    return s;
  },
};

/** Objectives by name. */
export const OBJECTIVES: Readonly<Record<string, QualityObjective>> = {
  macs: MACS_OBJECTIVE,
  expressivity: EXPRESSIVITY_OBJECTIVE,
};

/** Look an objective up; an unknown name is a RangeError listing the known ones. */
export function getObjective(name: string): QualityObjective {
  return lookupNamed(OBJECTIVES, name, "objective");
}
