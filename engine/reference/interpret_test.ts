import assert from "node:assert/strict";
import type { Graph } from "../ir/mod.ts";
import { ModelFormatError } from "../ir/mod.ts";
import { interpret } from "./interpret.ts";
import { tensor } from "./_test_util.ts";

const q: [number, number] = [0.5, 0];

function chain(): Graph {
  return {
    name: "chain",
    tensors: [
      tensor("x", [1, 2], "int8", q),
      tensor("w", [2, 2], "int8", q, new Int8Array([2, 0, 0, 2])),
      tensor("h", [1, 2], "int8", q),
      tensor("y", [1, 2], "int8", q),
    ],
    nodes: [
      {
        op: "FULLY_CONNECTED",
        inputs: [0, 1, -1],
        outputs: [2],
        options: { activation: "NONE", keepNumDims: false },
      },
      { op: "ADD", inputs: [2, 0], outputs: [3], options: { activation: "NONE" } },
    ],
    inputs: [0],
    outputs: [3],
  };
}

Deno.test("interpret() runs nodes in order and returns output bytes", () => {
  // FC: 0.5*0.5/0.5 = 0.5 -> x*2*0.5 = x; ADD: x + x.
  const { outputs, tensors } = interpret(chain(), [new Int8Array([3, -4])]);
  assert.deepEqual(Array.from(new Int8Array(outputs[0]!.buffer)), [6, -8]);
  assert.equal(tensors, undefined);
});

Deno.test("interpret() with captureAll returns every activation by tensor index", () => {
  const { tensors } = interpret(chain(), [new Int8Array([3, -4])], { captureAll: true });
  assert.deepEqual([...tensors!.keys()].sort(), [0, 2, 3]);
  assert.deepEqual(Array.from(new Int8Array(tensors!.get(2)!.buffer)), [3, -4]);
});

Deno.test("interpret() does not modify its inputs or the graph's constants", () => {
  const g = chain();
  const input = new Int8Array([3, -4]);
  const before = g.tensors[1]!.data!.slice();
  interpret(g, [input]);
  assert.deepEqual(Array.from(input), [3, -4]);
  assert.deepEqual(g.tensors[1]!.data, before);
});

Deno.test("interpret() rejects inputs of the wrong count or size", () => {
  assert.throws(() => interpret(chain(), []), RangeError);
  assert.throws(() => interpret(chain(), [new Int8Array(3)]), RangeError);
});

Deno.test("interpret() rejects a node reading a tensor nobody produced", () => {
  const g = chain();
  const broken: Graph = { ...g, nodes: [g.nodes[1]!] };
  assert.throws(() => interpret(broken, [new Int8Array(2)]), ModelFormatError);
});
