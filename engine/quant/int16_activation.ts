/**
 * TFLite's int16 LOGISTIC and TANH (`reference_integer_ops::Logistic` / `Tanh` on int16), the
 * nonlinearities of TF-Lite Micro's integer LSTM: linear interpolation in a 256-entry table of
 * sigmoid(i / 24) in unsigned 0.16, read by the absolute value of the input (tanh uses
 * tanh(x) = 2 sigmoid(2x) - 1). Inputs are Q3.12, outputs Q0.15.
 *
 * @module
 */

/**
 * The sigmoid table TFLite and CMSIS-NN share (sigmoid(i / 24) * 2^16, i = 0..255, saturated at
 * 65535). The values are TFLite's published constants, not a rounding of the formula: a few
 * entries sit about one unit above it (the table is tuned for interpolation), so bit-exactness
 * needs these exact numbers.
 */
export const SIGMOID_TABLE_U16: readonly number[] = [
  32768,
  33451,
  34133,
  34813,
  35493,
  36169,
  36843,
  37513,
  38180,
  38841,
  39498,
  40149,
  40794,
  41432,
  42064,
  42688,
  43304,
  43912,
  44511,
  45102,
  45683,
  46255,
  46817,
  47369,
  47911,
  48443,
  48964,
  49475,
  49975,
  50464,
  50942,
  51409,
  51865,
  52311,
  52745,
  53169,
  53581,
  53983,
  54374,
  54755,
  55125,
  55485,
  55834,
  56174,
  56503,
  56823,
  57133,
  57433,
  57724,
  58007,
  58280,
  58544,
  58800,
  59048,
  59288,
  59519,
  59743,
  59959,
  60168,
  60370,
  60565,
  60753,
  60935,
  61110,
  61279,
  61441,
  61599,
  61750,
  61896,
  62036,
  62172,
  62302,
  62428,
  62549,
  62666,
  62778,
  62886,
  62990,
  63090,
  63186,
  63279,
  63368,
  63454,
  63536,
  63615,
  63691,
  63765,
  63835,
  63903,
  63968,
  64030,
  64090,
  64148,
  64204,
  64257,
  64308,
  64357,
  64405,
  64450,
  64494,
  64536,
  64576,
  64614,
  64652,
  64687,
  64721,
  64754,
  64786,
  64816,
  64845,
  64873,
  64900,
  64926,
  64950,
  64974,
  64997,
  65019,
  65039,
  65060,
  65079,
  65097,
  65115,
  65132,
  65149,
  65164,
  65179,
  65194,
  65208,
  65221,
  65234,
  65246,
  65258,
  65269,
  65280,
  65291,
  65301,
  65310,
  65319,
  65328,
  65337,
  65345,
  65352,
  65360,
  65367,
  65374,
  65381,
  65387,
  65393,
  65399,
  65404,
  65410,
  65415,
  65420,
  65425,
  65429,
  65433,
  65438,
  65442,
  65445,
  65449,
  65453,
  65456,
  65459,
  65462,
  65465,
  65468,
  65471,
  65474,
  65476,
  65479,
  65481,
  65483,
  65485,
  65488,
  65489,
  65491,
  65493,
  65495,
  65497,
  65498,
  65500,
  65501,
  65503,
  65504,
  65505,
  65507,
  65508,
  65509,
  65510,
  65511,
  65512,
  65513,
  65514,
  65515,
  65516,
  65517,
  65517,
  65518,
  65519,
  65520,
  65520,
  65521,
  65522,
  65522,
  65523,
  65523,
  65524,
  65524,
  65525,
  65525,
  65526,
  65526,
  65526,
  65527,
  65527,
  65528,
  65528,
  65528,
  65529,
  65529,
  65529,
  65529,
  65530,
  65530,
  65530,
  65530,
  65531,
  65531,
  65531,
  65531,
  65531,
  65532,
  65532,
  65532,
  65532,
  65532,
  65532,
  65533,
  65533,
  65533,
  65533,
  65533,
  65533,
  65533,
  65533,
  65534,
  65534,
  65534,
  65534,
  65534,
  65534,
  65534,
  65534,
  65534,
  65534,
  65535,
];

/** Saturate to int16. */
export function saturateInt16(x: number): number {
  return x < -32768 ? -32768 : x > 32767 ? 32767 : x;
}

/**
 * int16 sigmoid as TFLite's reference kernel with the power-of-two input scale the LSTM uses
 * (`input_multiplier` 0, `input_left_shift` 0, i.e. input scale 2^-12 and a multiplier of 3):
 * Q3.12 in, Q0.15 out.
 *
 * @example
 * ```ts
 * import { sigmoidInt16 } from "./mod.ts";
 * sigmoidInt16(0); // 16384 (0.5 in Q0.15)
 * ```
 */
export function sigmoidInt16(x: number): number {
  // Scaled by 3/4 so the table's [0, 10.6] covers the Q3.12 range; the table step is 2^9 here.
  const input = x * 3;
  const abs = input < 0 ? -input : input;
  const uh = abs >>> 9;
  let result: number;
  if (uh >= 255) {
    result = 0x7fff << 10;
  } else {
    const ua = SIGMOID_TABLE_U16[uh]!;
    const ub = SIGMOID_TABLE_U16[uh + 1]!;
    result = ua * 512 + (abs & 0x1ff) * (ub - ua);
  }
  // Unsigned 32-bit arithmetic in C; every value here is below 2^26, so no wrap.
  result = input >= 0 ? result + 512 : (1 << 25) - result + 512 - 1;
  return result >>> 10;
}

/**
 * int16 tanh as TFLite's reference kernel: the input is rescaled by `(x * multiplier + round) >>
 * leftShift` (for a power-of-two scale: multiplier `3 << shift`, no shift), then read from the
 * sigmoid table with a step of 2^8. Output Q0.15.
 *
 * @example
 * ```ts
 * import { tanhInt16 } from "./mod.ts";
 * tanhInt16(0, 3, 0); // 0
 * ```
 */
export function tanhInt16(x: number, multiplier: number, leftShift: number): number {
  const round = leftShift > 0 ? 1 << (leftShift - 1) : 0;
  const input = (x * multiplier + round) >> leftShift;
  const abs = input < 0 ? -input : input;
  const uh = abs >>> 8;
  let result: number;
  if (uh >= 255) {
    result = 0xffff << 8;
  } else {
    const ua = SIGMOID_TABLE_U16[uh]!;
    const ub = SIGMOID_TABLE_U16[uh + 1]!;
    result = ua * 256 + (abs & 0xff) * (ub - ua);
  }
  result = input >= 0 ? result - (1 << 23) + (1 << 7) : -result + (1 << 23) + (1 << 7) - 1;
  // An arithmetic shift of a signed int32, then truncation to int16, as the C code stores it.
  return ((result >> 8) << 16) >> 16;
}
