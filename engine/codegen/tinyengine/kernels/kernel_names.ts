/**
 * Short names and readable descriptions of specialized kernel functions. A template keys each
 * kernel by its family and every number it is specialized for (`dw_72_72_16_1_...`); the function
 * gets a short name (`te_dw3`) and a comment that spells out what the numbers are.
 *
 * @module
 */

const WINDOW = ["h", "w"];
/** The fields of `windowKey` (util.ts), in its order. */
const CONV_WINDOW = [
  "kh",
  "kw",
  "stride_h",
  "stride_w",
  "dilation_h",
  "dilation_w",
  "pad_top",
  "pad_left",
];
/** Input and output sizes and the window of a depthwise kernel. */
const DW_GEOMETRY = [...WINDOW, "c", "multiplier", "ho", "wo", ...CONV_WINDOW];

const POOL_FIELDS = [
  "batches",
  ...WINDOW,
  "c",
  "ho",
  "wo",
  "fh",
  "fw",
  "stride_h",
  "stride_w",
  "pad_top",
  "pad_left",
];

/** What each position of a family's key means (after the family name). */
const KEY_FIELDS: Readonly<Record<string, readonly string[]>> = {
  conv: [...WINDOW, "cin", "ho", "wo", ...CONV_WINDOW, "cout", "batches"],
  pw: ["cin", "cout", "pixels"],
  dw: DW_GEOMETRY,
  dwd: ["batches", ...DW_GEOMETRY],
  xdw: [...WINDOW, "cin", "cmid", "multiplier", "ho", "wo", ...CONV_WINDOW, "ring_rows"],
  avgpool: POOL_FIELDS,
  maxpool: POOL_FIELDS,
};

const FAMILY_TEXT: Readonly<Record<string, string>> = {
  conv: "convolution through a two-row im2col",
  pw: "1x1 (pointwise) convolution",
  dw: "depthwise convolution",
  dwd: "depthwise convolution, direct (no row copy)",
  xdw: "1x1 expansion streamed into a depthwise convolution",
  avgpool: "average pool",
  maxpool: "max pool",
  mm: "matrix block: rows x outputs, SMLAD on SXTB16-unpacked int8",
  mmd: "matrix row, direct from the input",
  mws: "matrix block with the weights held in registers",
  lut: "256-entry lookup table",
  softmax: "softmax",
  logsoftmax: "log-softmax",
  argmax: "index of the largest value along an axis",
};

const MODE_TEXT: Readonly<Record<string, string>> = {
  fast: "requantize with one SMMLAR",
  fastr: "requantize with one SMMLAR, ReLU-like clamp",
  exact: "requantize exactly (TFLite MultiplyByQuantizedMultiplier)",
  sat: "saturate to int8",
  range: "clamp to the activation range",
};

/** The family of a kernel key: its leading letters (`mws32_k16_n8_fast_sat` -> `mws`). */
export function kernelFamily(key: string): string {
  return /^[a-z]+/.exec(key)?.[0] ?? "kernel";
}

function wordText(word: string): string {
  const m = /^(fastr|fast|exact)(1?)(z?)$/.exec(word);
  if (!m) return MODE_TEXT[word] ?? word;
  return [
    MODE_TEXT[m[1]!]!,
    ...(m[2] ? ["one multiplier for every channel"] : []),
    ...(m[3] ? ["channels with shift 0 or +1 (te_rqz)"] : []),
  ].join(", ");
}

/**
 * A one-line description of a kernel key for the comment above its function.
 *
 * @example
 * ```ts
 * import { describeKernelKey } from "./kernel_names.ts";
 * describeKernelKey("pw_16_8_5184_fast_sat");
 * // "1x1 (pointwise) convolution: cin 16, cout 8, pixels 5184; requantize with one SMMLAR; saturate to int8"
 * ```
 */
export function describeKernelKey(key: string): string {
  const family = kernelFamily(key);
  const parts = key.split("_");
  const fields = KEY_FIELDS[family];
  const head = FAMILY_TEXT[family] ?? family;
  if (fields) {
    const values = parts.slice(1, 1 + fields.length).map((v, i) => `${fields[i]} ${v}`);
    const rest = parts.slice(1 + fields.length).map(wordText);
    return [`${head}: ${values.join(", ")}`, ...rest].join("; ");
  }
  // Self-labelled keys: `mm4_k144_n24_fast_sat` (rows, K, outputs, modes).
  const rows = /^[a-z]+(\d+)/.exec(parts[0]!)?.[1];
  const labels = parts.slice(1).map((p) =>
    /^k\d+$/.test(p) ? `K ${p.slice(1)}` : /^n\d+$/.test(p) ? `${p.slice(1)} outputs` : wordText(p)
  );
  return [`${head}${rows ? `: ${rows} rows` : ""}`, ...labels].join("; ");
}
