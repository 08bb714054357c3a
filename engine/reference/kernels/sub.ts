/**
 * SUB, int8, as TFLite's quantized sub (`PrepareGeneralSubOp` + the ADD arithmetic): the ADD
 * kernel with the second input's multiplier negated.
 *
 * @module
 */

import type { SubNode } from "../../ir/mod.ts";
import { subParams } from "../../quant/mod.ts";
import { addWith } from "./add.ts";
import type { KernelArgs } from "./_kernel.ts";

/** Run one SUB node. */
export function sub(args: KernelArgs<SubNode>): void {
  addWith(args, subParams(args.graph, args.node));
}
