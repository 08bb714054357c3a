/**
 * Private helper: per-channel first and second moments of real-valued activations, propagated
 * through layers under a Gaussian approximation, so builders can choose output quantization that
 * fits the values the synthetic weights really produce.
 *
 * @module
 */

/** Per-channel mean and mean square (E[x], E[x^2]) of an activation's real values. */
export interface Moments {
  readonly mean: Float64Array;
  readonly sq: Float64Array;
}

/** Moments of `channels` channels with the same mean and mean square. */
export function uniformMoments(channels: number, mean: number, sq: number): Moments {
  return { mean: new Float64Array(channels).fill(mean), sq: new Float64Array(channels).fill(sq) };
}

/** Root of the mean over channels of E[x^2]. */
export function rmsOf(m: Moments): number {
  let s = 0;
  for (const v of m.sq) s += v;
  return Math.sqrt(s / Math.max(m.sq.length, 1));
}

/** erf by Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7). */
function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t * Math.exp(-a * a);
  return sign * y;
}

/** Moments of max(z, 0) for z ~ N(mean, variance). */
export function reluMoments(mean: number, variance: number): { mean: number; sq: number } {
  if (variance <= 1e-18) {
    const r = Math.max(mean, 0);
    return { mean: r, sq: r * r };
  }
  const s = Math.sqrt(variance);
  const a = mean / s;
  const cdf = 0.5 * (1 + erf(a / Math.SQRT2));
  const pdf = Math.exp(-0.5 * a * a) / Math.sqrt(2 * Math.PI);
  return {
    mean: mean * cdf + s * pdf,
    sq: Math.max((mean * mean + variance) * cdf + mean * s * pdf, 0),
  };
}
