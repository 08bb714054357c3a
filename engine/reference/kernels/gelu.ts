/**
 * GELU, int8, as TFLite runs it: a lookup in the 256-entry table its Prepare builds from float
 * math (`engine/quant` `geluTable`).
 *
 * @module
 */
import type { GeluNode } from "../../ir/mod.ts";
import { geluParams } from "../../quant/mod.ts";
import { int8InOut, int8Input, int8Output, type KernelArgs } from "./_kernel.ts";

/** Run one GELU node. */
export function gelu(args: KernelArgs<GeluNode>): void {
  int8InOut(args);
  const { table } = geluParams(args.graph, args.node);
  const x = int8Input(args, 0);
  const out = int8Output(args);
  for (let i = 0; i < x.length; i++) out[i] = table[x[i]! + 128]!;
}
