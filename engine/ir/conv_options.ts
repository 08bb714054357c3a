/**
 * Convolution options with TFLite's defaults filled in, so that builders and tests name only
 * what differs (stride, padding, activation).
 *
 * @module
 */
import type { Conv2DOptions, DepthwiseConv2DOptions } from "./graph.ts";

/**
 * CONV_2D options: SAME padding, stride 1, no dilation, no fused activation, overridden by `o`.
 *
 * @example
 * ```ts
 * import { convOptions } from "./conv_options.ts";
 * convOptions({ strideH: 2, strideW: 2 }).padding; // "SAME"
 * ```
 */
export function convOptions(o: Partial<Conv2DOptions> = {}): Conv2DOptions {
  return {
    padding: "SAME",
    strideH: 1,
    strideW: 1,
    dilationH: 1,
    dilationW: 1,
    activation: "NONE",
    ...o,
  };
}

/**
 * DEPTHWISE_CONV_2D options: those of {@link convOptions} and depth multiplier 1, overridden by `o`.
 *
 * @example
 * ```ts
 * import { depthwiseOptions } from "./conv_options.ts";
 * depthwiseOptions({ padding: "VALID" }).depthMultiplier; // 1
 * ```
 */
export function depthwiseOptions(
  o: Partial<DepthwiseConv2DOptions> = {},
): DepthwiseConv2DOptions {
  return { ...convOptions(), depthMultiplier: 1, ...o };
}
