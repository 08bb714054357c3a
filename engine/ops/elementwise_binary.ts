/**
 * The elementwise binary operators with NumPy broadcasting: ADD, SUB and MUL (a fused activation)
 * and MAXIMUM, MINIMUM (one quantization for all tensors).
 *
 * @module
 */
import { emptyOptions } from "./_codec.ts";
import type { Graph, NodeOf } from "../ir/mod.ts";
import { addParams, mulParams, subParams } from "../quant/mod.ts";
import { broadcastShapes, type CheckContext, shapeText } from "./_check.ts";
import { shapeOf } from "./_shape_util.ts";
import { activationText } from "./conv.ts";
import type { OpDef, OptionsTableKind } from "./op_def.ts";
import { activationField, OPTIONS } from "./tflite_options.ts";

type BinaryOp = "ADD" | "SUB" | "MUL" | "MAXIMUM" | "MINIMUM";

/** The output has the broadcast shape of the two inputs. */
function check(ctx: CheckContext): void {
  const { inS } = ctx;
  const other = ctx.tensor(1).shape;
  const b = broadcastShapes(inS, other);
  if (!b) ctx.fail(`input shapes ${shapeText(inS)} and ${shapeText(other)} do not broadcast`);
  ctx.expectShape(b, "the broadcast shape");
}

function outputShapes(graph: Graph, node: NodeOf<BinaryOp>): number[][] {
  const input = shapeOf(graph, node.inputs[0], `${node.op} input 0`);
  const other = shapeOf(graph, node.inputs[1], `${node.op} input 1`);
  const rank = Math.max(input.length, other.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const a = input[i - (rank - input.length)] ?? 1;
    const b = other[i - (rank - other.length)] ?? 1;
    if (a !== b && a !== 1 && b !== 1) {
      throw new RangeError(
        `Cannot broadcast [${input.join(", ")}] with [${other.join(", ")}] in ${node.op}`,
      );
    }
    out.push(Math.max(a, b));
  }
  return [out];
}

/** ADD, SUB and MUL: a fused activation in slot 0 of their options table. */
function withActivation(code: number, options: OptionsTableKind): OpDef<"ADD" | "SUB" | "MUL"> {
  return {
    inputs: [2, 2],
    check,
    outputShapes,
    describe: (node) => activationText(node.options.activation).trim(),
    tflite: {
      code,
      options,
      read: (o, ctx) => ({ activation: ctx.activation(o, 0) }),
      write: (o) => [activationField(0, o.activation)],
    },
  };
}

/** MAXIMUM and MINIMUM: an empty options table. */
function maximumMinimum(code: number): OpDef<"MAXIMUM" | "MINIMUM"> {
  return {
    inputs: [2, 2],
    check,
    outputShapes,
    tflite: emptyOptions(code, OPTIONS.MaximumMinimumOptions),
  };
}

/** ADD. */
export const ADD: OpDef<"ADD"> = { ...withActivation(0, OPTIONS.AddOptions), prepare: addParams };
/** SUB. */
export const SUB: OpDef<"SUB"> = { ...withActivation(41, OPTIONS.SubOptions), prepare: subParams };
/** MUL. */
export const MUL: OpDef<"MUL"> = { ...withActivation(18, OPTIONS.MulOptions), prepare: mulParams };
/** MAXIMUM. */
export const MAXIMUM: OpDef<"MAXIMUM"> = { ...maximumMinimum(55) };
/** MINIMUM. */
export const MINIMUM: OpDef<"MINIMUM"> = { ...maximumMinimum(57) };
