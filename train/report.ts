/**
 * The accuracy report `mcu train` writes (`report.json` and `report.txt`).
 *
 * @module
 */
import type { MbconvArch } from "../engine/builders/mod.ts";
import type { Recipe } from "./recipe.ts";

/** On-device accuracy, or why it was not measured. */
export type OnDeviceAccuracy =
  | {
    readonly measured: true;
    readonly accuracy: number;
    /** Every output byte of every test image equals the reference interpreter's. */
    readonly matchesReference: boolean;
    readonly outputMismatches: number;
    readonly predictionMismatches: number;
    /** Mean instructions per inference over the test images. */
    readonly instructionsMean: number;
    /** SRAM high-water of the batch firmware. */
    readonly peakSramBytes: number;
  }
  | { readonly measured: false; readonly reason: string };

/** Everything one training run measured. Wall times are seconds on this machine. */
export interface AccuracyReport {
  readonly model: string;
  readonly dataset: string;
  readonly preset: string;
  readonly arch: MbconvArch;
  readonly recipe: Recipe;
  readonly seed: number;
  readonly splitSeed: number;
  readonly images: {
    readonly train: number;
    readonly validation: number;
    readonly test: number;
    readonly calibration: number;
  };
  readonly parameters: number;
  readonly floatValidationAccuracy: number;
  readonly floatTestAccuracy: number;
  /** The int8 graph on the test images, TypeScript reference interpreter (in workers). */
  readonly referenceInt8TestAccuracy: number;
  readonly onDevice: OnDeviceAccuracy;
  readonly engine: string;
  readonly board: string;
  readonly fits: boolean;
  readonly peakSramBytes: number;
  readonly flashBytes: number;
  readonly macs: number;
  readonly instructions: number;
  /** Modelled latency of one inference at the board clock (docs/cycle-model.md). */
  readonly latencyMs?: number;
  /** The one-image firmware run equals the reference interpreter byte for byte. */
  readonly referenceMatch: boolean;
  readonly torchVersion: string;
  readonly imagesPerSecond: number;
  readonly wallSeconds: {
    readonly training: number;
    /** On-device batch run and the reference interpreter beside it. */
    readonly evaluation: number;
    readonly firmware: number;
    readonly total: number;
  };
  /**
   * CPU seconds of the whole run (this process and its finished children, the training
   * worker included; Linux only): on a shared machine the wall time overstates the work.
   */
  readonly cpuSeconds?: number;
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

/**
 * The report as readable text.
 *
 * @example
 * ```ts ignore
 * console.log(formatReport(report));
 * ```
 */
export function formatReport(r: AccuracyReport): string {
  const onDevice = r.onDevice.measured
    ? `${pct(r.onDevice.accuracy)} (${
      r.onDevice.matchesReference
        ? "every output equals the reference's on every image"
        : `${r.onDevice.outputMismatches} images DIFFER from the reference`
    }; ${Math.round(r.onDevice.instructionsMean)} instructions per image)`
    : `not measured (${r.onDevice.reason})`;
  return [
    `model            ${r.model} (${r.parameters} parameters, ${r.arch.resolution}x${r.arch.resolution}x${r.arch.inputChannels})`,
    `data             ${r.dataset}: ${r.images.train} train, ${r.images.validation} validation, ${r.images.test} test, ${r.images.calibration} calibration images`,
    `recipe           ${r.recipe.optimizer} lr ${r.recipe.learningRate}, ${r.recipe.epochs} epochs, batch ${r.recipe.batchSize}, label smoothing ${r.recipe.labelSmoothing}, seed ${r.seed} (split seed ${r.splitSeed}), preset ${r.preset}`,
    `float accuracy   validation ${pct(r.floatValidationAccuracy)}, test ${
      pct(r.floatTestAccuracy)
    }`,
    `int8 accuracy    reference interpreter ${
      pct(r.referenceInt8TestAccuracy)
    } on ${r.images.test} test images`,
    `on-device int8   ${onDevice}`,
    `${r.engine} on ${r.board}: peak SRAM ${r.peakSramBytes} B, Flash ${r.flashBytes} B, ${r.macs} MACs, ${r.instructions} instructions${
      r.fits ? "" : " (does not fit the board)"
    }, reference match ${r.referenceMatch ? "yes" : "NO"}`,
    `wall time        training ${r.wallSeconds.training.toFixed(1)} s (${
      Math.round(r.imagesPerSecond)
    } images/s, torch ${r.torchVersion}), evaluation ${
      r.wallSeconds.evaluation.toFixed(1)
    } s, firmware ${r.wallSeconds.firmware.toFixed(1)} s, total ${
      r.wallSeconds.total.toFixed(1)
    } s`,
  ].join("\n") + "\n";
}
