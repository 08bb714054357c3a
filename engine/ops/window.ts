/**
 * The sliding window of the windowed operators (convolutions and pools): filter size, stride and
 * dilation, as the padding pass and the backends need them.
 *
 * @module
 */
import type { Node } from "../ir/mod.ts";
import { opDef } from "./table.ts";

/** Filter size (0 when it comes from the filter tensor), strides and dilations of a window. */
export interface OpWindow {
  readonly fh: number;
  readonly fw: number;
  readonly sh: number;
  readonly sw: number;
  readonly dh: number;
  readonly dw: number;
}

/**
 * The window of a convolution or pool node, undefined for other operators. Convolutions read
 * their filter size from the filter tensor, so `fh` and `fw` are 0 for them.
 *
 * @example
 * ```ts ignore
 * opWindow(poolNode); // { fh: 2, fw: 2, sh: 2, sw: 2, dh: 1, dw: 1 }
 * ```
 */
export function opWindow(node: Node): OpWindow | undefined {
  return opDef(node)?.window?.(node);
}
