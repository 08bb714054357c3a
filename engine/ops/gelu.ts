/**
 * GELU: int8 in and out through the 256-entry table TFLite's Prepare builds from float math
 * (`approximate`: the tanh form, else erf).
 *
 * @module
 */
import { geluParams } from "../quant/mod.ts";
import { sameAsInput } from "./_shape_util.ts";
import type { OpDef } from "./op_def.ts";
import { bool, OPTIONS } from "./tflite_options.ts";

/** GELU. */
export const GELU: OpDef<"GELU"> = {
  inputs: [1, 1],
  check: (ctx) => ctx.sameShape(),
  outputShapes: sameAsInput,
  describe: (node) => node.options.approximate ? "approximate" : "",
  prepare: geluParams,
  tflite: {
    code: 150,
    options: OPTIONS.GeluOptions,
    read: (o) => ({ approximate: o?.bool(0, "approximate") ?? false }),
    write: (o) => [bool(0, o.approximate)],
  },
};
