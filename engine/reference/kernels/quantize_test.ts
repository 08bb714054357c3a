import assert from "node:assert/strict";
import { interpret } from "../interpret.ts";
import { oneNode, runInt8, tensor } from "../_test_util.ts";

Deno.test("quantize() rounds float32 half away from zero and clamps", () => {
  const g = oneNode([
    tensor("x", [6], "float32"),
    tensor("y", [6], "int8", [0.5, -1]),
  ], { op: "QUANTIZE", inputs: [0], outputs: [1], options: {} });
  const x = new Float32Array([1.25, -1.25, 0.75, 100, -100, 0.2]);
  const { outputs } = interpret(g, [new Uint8Array(x.buffer)]);
  // 2.5 -> 3 - 1; -2.5 -> -3 - 1; 1.5 -> 2 - 1; 200 -> 127; -201 -> -128; 0.4 -> 0 - 1.
  assert.deepEqual(Array.from(new Int8Array(outputs[0]!.buffer)), [2, -4, 1, 127, -128, -1]);
});

Deno.test("quantize() divides in float32 as TFLite does, not in double", () => {
  // 2.519845962524414 / 0.029471883550286293 is 85.49999725 in double but 85.5 in float32, so
  // TFLite's float division rounds to 86 where a double division would give 85.
  const g = oneNode([
    tensor("x", [1], "float32"),
    tensor("y", [1], "int8", [0.029471883550286293, 0]),
  ], { op: "QUANTIZE", inputs: [0], outputs: [1], options: {} });
  const x = new Float32Array([2.519845962524414]);
  const { outputs } = interpret(g, [new Uint8Array(x.buffer)]);
  assert.deepEqual(Array.from(new Int8Array(outputs[0]!.buffer)), [86]);
});

Deno.test("quantize() requantizes int8 to int8 with the integer multiplier", () => {
  const g = oneNode([
    tensor("x", [4], "int8", [0.5, 0]),
    tensor("y", [4], "int8", [0.25, 10]),
  ], { op: "QUANTIZE", inputs: [0], outputs: [1], options: {} });
  assert.deepEqual(runInt8(g, new Int8Array([3, -3, 100, -100])), [16, 4, 127, -128]);
});

Deno.test("dequantize() computes scale * (q - zero point) as float32", () => {
  const g = oneNode([
    tensor("x", [3], "int8", [0.1, -1]),
    tensor("y", [3], "float32"),
  ], { op: "DEQUANTIZE", inputs: [0], outputs: [1], options: {} });
  const { outputs } = interpret(g, [new Int8Array([3, -128, -1])]);
  const y = Array.from(new Float32Array(outputs[0]!.buffer));
  assert.deepEqual(y, [Math.fround(Math.fround(0.1) * 4), Math.fround(Math.fround(0.1) * -127), 0]);
});
