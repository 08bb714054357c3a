/**
 * Trained parameters a builder can take instead of its synthetic weights: real-valued (BN-folded)
 * weights and biases per layer, and calibrated real ranges per activation tensor, looked up by the
 * names the builders give their layers (`first_conv`, `block3/expand`, `block3/depthwise`,
 * `block3/project`, `block3/add`, `feature_mix`, `head/classifier`). The builder quantizes them
 * with TFLite's conventions, so one definition of the network structure serves synthetic and
 * trained graphs alike.
 *
 * @module
 */

/** Real weights and bias of one layer, in the Graph's layout (conv OHWI, depthwise 1HWC, FC [O, I]). */
export interface LayerParameters {
  readonly weights: ArrayLike<number>;
  readonly bias: ArrayLike<number>;
}

/** Calibrated range of an activation's real values. */
export interface ActivationRangeRecord {
  readonly min: number;
  readonly max: number;
}

/** Where a builder gets trained parameters from. */
export interface TrainedParameters {
  /** The parameters of the named layer; throws a RangeError when there are none. */
  layer(name: string): LayerParameters;
  /** The calibrated range of the named activation tensor; throws a RangeError when unknown. */
  range(name: string): ActivationRangeRecord;
}

/**
 * TFLite's asymmetric int8 quantization of a real range: the range is widened to contain 0,
 * scale = (max - min) / 255 and the zero point is `-128 - min / scale`, rounded and clamped, so
 * that real 0 is exactly representable.
 *
 * @example
 * ```ts
 * import { int8RangeQuantization } from "./trained_parameters.ts";
 * const q = int8RangeQuantization({ min: 0, max: 6 }); // scale 6/255, zero point -128
 * if (q.zeroPoint !== -128) throw new Error("unexpected");
 * ```
 */
export function int8RangeQuantization(
  range: ActivationRangeRecord,
): { scale: number; zeroPoint: number } {
  if (!Number.isFinite(range.min) || !Number.isFinite(range.max) || range.min > range.max) {
    throw new RangeError(
      `Cannot quantize an activation range: it must be finite with min <= max: got [${range.min}, ${range.max}]`,
    );
  }
  const lo = Math.min(range.min, 0);
  const hi = Math.max(range.max, 0);
  const scale = Math.fround(Math.max(hi - lo, 1e-6) / 255);
  const zeroPoint = Math.max(-128, Math.min(127, Math.round(-128 - lo / scale)));
  return { scale, zeroPoint };
}
