/**
 * The record `mcu run --json` prints and the bench collects: one model, one engine, one board.
 *
 * @module
 */
import type { EngineName, MemoryPlanSummary } from "../engine/codegen/mod.ts";

/** Per-layer measurement. */
export interface LayerReport {
  readonly index: number;
  readonly op: string;
  readonly macs: number;
  readonly instructions: number;
  /** Modelled cycles of the layer with the board's memory system (docs/cycle-model.md). */
  readonly cycles?: number;
  /** `cycles` at the board clock, in ms. */
  readonly latencyMs?: number;
  /** Energy of the layer at the board's run current, in mJ. */
  readonly energyMj?: number;
}

/**
 * Modelled time and energy of the inference (docs/cycle-model.md): the exact block counts priced
 * by the core's timing model and the board's memory system. `runModel` always fills these.
 */
export interface ModelledCost {
  /** Modelled inference cycles with the board's Flash wait states and caches. */
  readonly cycles?: number;
  /** The same with zero-wait-state memory (the core model alone). */
  readonly idealCycles?: number;
  /** `cycles` at the board clock, in milliseconds. */
  readonly latencyMs?: number;
  /** `idealCycles` at the board clock, in milliseconds. */
  readonly idealLatencyMs?: number;
  /** Inference energy at the board's run current and voltage, in millijoules. */
  readonly energyMj?: number;
  /** Modelled cycles between the init markers. */
  readonly initCycles?: number;
}

/** Everything measured for one (model, engine, board). Counts are exact and repeatable. */
export interface RunReport extends ModelledCost {
  readonly model: string;
  readonly engine: EngineName;
  readonly board: string;
  readonly core: string;
  readonly macs: number;
  /** Instructions between the inference markers. */
  readonly instructions: number;
  /** Instructions between the init markers (0 when the engine has no init). */
  readonly initInstructions: number;
  /** Static (.data + .bss + .noinit) + stack high-water, as measured. */
  readonly peakSramBytes: number;
  readonly staticSramBytes: number;
  readonly stackBytes: number;
  /** Planned arena (head + tail). */
  readonly arenaBytes: number;
  readonly plan: Omit<MemoryPlanSummary, "buffers">;
  /** Loadable image bytes, and their split into model constants and code. */
  readonly flashBytes: number;
  readonly flashModelBytes: number;
  readonly flashCodeBytes: number;
  /** Whether peak SRAM and Flash fit the board (measured on an enlarged map when not). */
  readonly fits: boolean;
  readonly fitsSram: boolean;
  readonly fitsFlash: boolean;
  /** Output equals the TypeScript reference interpreter, byte for byte. */
  readonly referenceMatch: boolean;
  readonly output: readonly number[];
  readonly layers: readonly LayerReport[];
  /** SHA-256 of the firmware ELF (determinism check). */
  readonly firmwareSha256: string;
}
