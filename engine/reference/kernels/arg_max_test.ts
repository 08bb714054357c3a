import assert from "node:assert/strict";
import { interpret } from "../interpret.ts";
import { oneNode, tensor } from "../_test_util.ts";
import { createRng } from "../../util/mod.ts";

/** ARG_MAX over `axis` of an int8 [2, 3, 4] input, written independently of the kernel. */
function expected(x: Int8Array, shape: number[], axis: number): number[] {
  const out: number[] = [];
  const strides = shape.map((_, k) => shape.slice(k + 1).reduce((a, b) => a * b, 1));
  const kept = shape.map((_, k) => k).filter((k) => k !== axis);
  const count = kept.reduce((a, k) => a * shape[k]!, 1);
  for (let o = 0; o < count; o++) {
    // Position of output `o` in the input, with the axis at 0.
    let rest = o;
    let base = 0;
    for (let j = kept.length - 1; j >= 0; j--) {
      const k = kept[j]!;
      base += (rest % shape[k]!) * strides[k]!;
      rest = Math.floor(rest / shape[k]!);
    }
    const values = Array.from({ length: shape[axis]! }, (_, i) => x[base + i * strides[axis]!]!);
    out.push(values.indexOf(Math.max(...values)));
  }
  return out;
}

Deno.test("argMax() gives the first index of the largest value along every axis, int32 and int64", () => {
  const shape = [2, 3, 4];
  const rng = createRng(12);
  // Few distinct values, so that ties are common.
  const x = Int8Array.from({ length: 24 }, () => rng.int(4) - 2);
  for (const outputType of ["int32", "int64"] as const) {
    for (const axis of [0, 1, 2, -1, -3]) {
      const a = axis < 0 ? axis + 3 : axis;
      const g = oneNode([
        tensor("x", shape, "int8", [0.1, 0]),
        tensor("axis", [1], outputType === "int32" ? "int32" : "int64", undefined, undefined),
        tensor("y", shape.filter((_, k) => k !== a), outputType),
      ], { op: "ARG_MAX", inputs: [0, 1], outputs: [2], options: { outputType } });
      const axisBytes = outputType === "int32"
        ? new Uint8Array(new Int32Array([axis]).buffer)
        : new Uint8Array(new BigInt64Array([BigInt(axis)]).buffer);
      const graph = {
        ...g,
        tensors: g.tensors.map((t, i) => (i === 1 ? { ...t, data: axisBytes } : t)),
        inputs: [0],
      };
      const out = interpret(graph, [new Uint8Array(x.buffer)]).outputs[0]!;
      const got = outputType === "int32"
        ? Array.from(new Int32Array(out.buffer, out.byteOffset, out.byteLength / 4))
        : Array.from(new BigInt64Array(out.buffer, out.byteOffset, out.byteLength / 8), Number);
      assert.deepEqual(got, expected(x, shape, a), `${outputType} axis ${axis}`);
    }
  }
});

Deno.test("argMax() keeps the first of equal maxima", () => {
  const g = oneNode([
    tensor("x", [1, 6], "int8", [0.1, 0]),
    tensor("axis", [1], "int32", undefined, new Int32Array([1])),
    tensor("y", [1], "int32"),
  ], { op: "ARG_MAX", inputs: [0, 1], outputs: [2], options: { outputType: "int32" } });
  const out = interpret(g, [new Uint8Array(new Int8Array([3, 9, -5, 9, 9, 1]).buffer)]).outputs[0]!;
  assert.deepEqual(Array.from(new Int32Array(out.buffer, out.byteOffset, 1)), [1]);
});
