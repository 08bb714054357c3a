import assert from "node:assert/strict";
import { convOptions, type Graph, type Node, type Tensor } from "../../ir/mod.ts";
import { computeLifetimes } from "../lifetimes.ts";
import {
  aliasReshapes,
  explicitPadding,
  foldBoundaryQuantize,
  fuseActivations,
  fusePad,
  lowerGraph,
  markInPlace,
  runPasses,
  storageOf,
} from "./mod.ts";

const q = (scale: number, zp: number) => ({ scale: [scale], zeroPoint: [zp], axis: 0 });

function act(name: string, shape: number[], zp = 0): Tensor {
  return { name, shape, dtype: "int8", quant: q(0.05, zp) };
}
function weights(name: string, shape: number[]): Tensor {
  let n = 1;
  for (const d of shape) n *= d;
  return { name, shape, dtype: "int8", quant: q(0.01, 0), data: new Uint8Array(n).fill(1) };
}
function int32(name: string, values: number[], shape = [values.length]): Tensor {
  const data = new Uint8Array(values.length * 4);
  values.forEach((v, i) => new DataView(data.buffer).setInt32(i * 4, v, true));
  return { name, shape, dtype: "int32", data };
}

const convOpts = convOptions({ activation: "RELU6" });

/** input -> PAD -> DW 3x3 (VALID) -> RESHAPE -> CONV 1x1 -> ADD(with dw output) */
function sampleGraph(): Graph {
  const tensors: Tensor[] = [
    act("x", [1, 6, 6, 4], -3), // 0
    int32("pads", [0, 0, 1, 1, 1, 1, 0, 0], [4, 2]), // 1
    act("xp", [1, 8, 8, 4], -3), // 2
    weights("dw_w", [1, 3, 3, 4]), // 3
    act("dw", [1, 6, 6, 4], -128), // 4
    act("dw_r", [1, 36, 1, 4], -128), // 5
    weights("pw_w", [4, 1, 1, 4]), // 6
    act("pw", [1, 36, 1, 4], 5), // 7
    act("sum", [1, 36, 1, 4], 1), // 8
  ];
  const nodes: Node[] = [
    { op: "PAD", inputs: [0, 1], outputs: [2], options: {} },
    {
      op: "DEPTHWISE_CONV_2D",
      inputs: [2, 3, -1],
      outputs: [4],
      options: { ...convOpts, padding: "VALID", depthMultiplier: 1 },
    },
    { op: "RESHAPE", inputs: [4], outputs: [5], options: { newShape: [1, 36, 1, 4] } },
    { op: "CONV_2D", inputs: [5, 6, -1], outputs: [7], options: convOpts },
    { op: "ADD", inputs: [7, 5], outputs: [8], options: { activation: "NONE" } },
  ];
  return { name: "sample", tensors, nodes, inputs: [0], outputs: [8] };
}

Deno.test("lowerGraph makes one layer per node and no aliases", () => {
  const l = lowerGraph(sampleGraph());
  assert.equal(l.layers.length, 5);
  assert.deepEqual(l.alias, [0, 1, 2, 3, 4, 5, 6, 7, 8]);
});

Deno.test("aliasReshapes turns RESHAPE into a storage alias", () => {
  const l = aliasReshapes(lowerGraph(sampleGraph()));
  assert.equal(l.layers.some((x) => x.op === "RESHAPE"), false);
  assert.equal(storageOf(l, 5), 4);
});

Deno.test("explicitPadding gives SAME layers TFLite's padding and VALID layers none", () => {
  const l = explicitPadding(lowerGraph(sampleGraph()));
  assert.deepEqual(l.layers[1]!.pad, { top: 0, bottom: 0, left: 0, right: 0 });
  assert.deepEqual(l.layers[3]!.pad, { top: 0, bottom: 0, left: 0, right: 0 });
});

Deno.test("fusePad folds a spatial PAD into the convolution that reads it", () => {
  const l = fusePad(explicitPadding(lowerGraph(sampleGraph())));
  assert.equal(l.layers.some((x) => x.op === "PAD"), false);
  const dw = l.layers.find((x) => x.op === "DEPTHWISE_CONV_2D")!;
  assert.deepEqual(dw.pad, { top: 1, bottom: 1, left: 1, right: 1 });
  assert.equal(dw.inputs[0], 0);
  assert.deepEqual(dw.from, [0, 1]);
});

Deno.test("fuseActivations turns RELU6 into an int8 clamp of the output domain", () => {
  const l = fuseActivations(lowerGraph(sampleGraph()));
  // scale 0.05, zero point 5: RELU6 -> [5, 5 + 120]
  assert.deepEqual(l.layers[3]!.clamp, { min: 5, max: 125 });
  assert.deepEqual(l.layers[4]!.clamp, { min: -128, max: 127 });
});

Deno.test("markInPlace keeps a depthwise input that is still needed out of place", () => {
  const g = sampleGraph();
  // The depthwise input (PAD output) dies at the depthwise: in place.
  const l = markInPlace(aliasReshapes(lowerGraph(g)));
  const dw = l.layers.find((x) => x.op === "DEPTHWISE_CONV_2D")!;
  assert.equal(dw.inPlace, true);
  // A residual reader later keeps it out of place.
  const g2: Graph = {
    ...g,
    nodes: [...g.nodes, {
      op: "ADD",
      inputs: [8, 2],
      outputs: [8],
      options: { activation: "NONE" },
    }],
  };
  const l2 = markInPlace(aliasReshapes(lowerGraph(g2)));
  assert.notEqual(l2.layers.find((x) => x.op === "DEPTHWISE_CONV_2D")!.inPlace, true);
});

Deno.test("markInPlace does not overwrite an ADD input that a later layer reads", () => {
  const l = markInPlace(aliasReshapes(lowerGraph(sampleGraph())));
  // The sum is the model output, so it gets its own storage; it never takes the residual's.
  assert.notEqual(storageOf(l, 8), storageOf(l, 5));
  // Followed by another layer, the ADD writes over its first input (which dies there).
  const g = sampleGraph();
  const tensors = [...g.tensors, act("out", [1, 36, 1, 4])];
  const g2: Graph = {
    ...g,
    tensors,
    nodes: [...g.nodes, { op: "HARD_SWISH", inputs: [8], outputs: [9], options: {} }],
    outputs: [9],
  };
  const l2 = markInPlace(aliasReshapes(lowerGraph(g2)));
  assert.equal(l2.layers.find((x) => x.op === "ADD")!.inPlace, true);
  assert.equal(storageOf(l2, 8), storageOf(l2, 7));
});

Deno.test("foldBoundaryQuantize removes float QUANTIZE and DEQUANTIZE at the edges", () => {
  const tensors: Tensor[] = [
    { name: "f", shape: [1, 4], dtype: "float32" },
    act("q", [1, 4]),
    act("y", [1, 4]),
    { name: "fo", shape: [1, 4], dtype: "float32" },
  ];
  const g: Graph = {
    name: "float-io",
    tensors,
    nodes: [
      { op: "QUANTIZE", inputs: [0], outputs: [1], options: {} },
      { op: "HARD_SWISH", inputs: [1], outputs: [2], options: {} },
      { op: "DEQUANTIZE", inputs: [2], outputs: [3], options: {} },
    ],
    inputs: [0],
    outputs: [3],
  };
  const l = foldBoundaryQuantize(lowerGraph(g));
  assert.deepEqual(l.layers.map((x) => x.op), ["HARD_SWISH"]);
  assert.deepEqual(l.inputs, [1]);
  assert.deepEqual(l.outputs, [2]);
  assert.equal(l.foldedInputs[0]!.float, 0);
  assert.equal(l.foldedOutputs[0]!.float, 3);
});

Deno.test("lifetimes share one buffer among aliases and keep residual inputs live until their ADD", () => {
  const l = runPasses(sampleGraph());
  const { buffers, bufferOf } = computeLifetimes(l);
  // dw output, its reshape alias and the in-place sum share storage with the PAD input.
  assert.equal(bufferOf[4], bufferOf[5]);
  const residual = buffers[bufferOf[5]!]!;
  const addIndex = l.layers.findIndex((x) => x.op === "ADD");
  assert.ok(residual.lastUse >= addIndex);
  // Every buffer is live somewhere and no two tensors of different roots share an index.
  for (const b of buffers) assert.ok(b.firstUse <= b.lastUse);
});

Deno.test("fuseExpandDepthwise streams a 1x1 expansion into the depthwise that alone reads it", async () => {
  const { fuseExpandDepthwise } = await import("./fuse_expand.ts");
  const tensors: Tensor[] = [
    act("x", [1, 6, 6, 4]),
    weights("e_w", [12, 1, 1, 4]),
    act("e", [1, 6, 6, 12], -128),
    weights("dw_w", [1, 3, 3, 12]),
    act("dw", [1, 3, 3, 12]),
  ];
  const g: Graph = {
    name: "mbconv",
    tensors,
    nodes: [
      { op: "CONV_2D", inputs: [0, 1, -1], outputs: [2], options: convOpts },
      {
        op: "DEPTHWISE_CONV_2D",
        inputs: [2, 3, -1],
        outputs: [4],
        options: { ...convOpts, strideH: 2, strideW: 2, depthMultiplier: 1 },
      },
    ],
    inputs: [0],
    outputs: [4],
  };
  const l = fuseExpandDepthwise(explicitPadding(lowerGraph(g)));
  assert.equal(l.layers.length, 1);
  assert.equal(l.layers[0]!.pre?.op, "CONV_2D");
  assert.deepEqual(l.layers[0]!.inputs.slice(0, 1), [0]);
  assert.deepEqual(l.layers[0]!.from, [0, 1]);
  // The expanded tensor gets no buffer.
  const { bufferOf } = computeLifetimes(runPasses(g));
  assert.equal(bufferOf[2], -1);
});
