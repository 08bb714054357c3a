import assert from "node:assert/strict";
import { type Graph, ModelFormatError, type Node, type Tensor } from "../ir/mod.ts";
import { validateGraph } from "./validate.ts";
import { handBuiltGraphs } from "../ir/_test_graphs.ts";

function graph(name: string): Graph {
  const g = handBuiltGraphs().find((x) => x.name === name);
  if (!g) throw new Error(`no hand-built graph '${name}'`);
  return g;
}

/** The graph with node 0 replaced by `patch(node)`. */
function withNode(g: Graph, patch: (n: Node) => Node): Graph {
  return { ...g, nodes: [patch(g.nodes[0]!), ...g.nodes.slice(1)] };
}

/** The graph with tensor `i` replaced by `patch(tensor)`. */
function withTensor(g: Graph, i: number, patch: (t: Tensor) => Tensor): Graph {
  return { ...g, tensors: g.tensors.map((t, k) => (k === i ? patch(t) : t)) };
}

function rejects(g: Graph, pattern: RegExp): void {
  assert.throws(() => validateGraph(g), (e: unknown) => {
    assert.ok(e instanceof ModelFormatError, `expected ModelFormatError, got ${String(e)}`);
    assert.match(e.message, pattern);
    return true;
  });
}

Deno.test("validateGraph() accepts a valid graph of every operator", () => {
  for (const g of handBuiltGraphs()) validateGraph(g);
});

Deno.test("validateGraph() names the node and tensor index that is out of range", () => {
  const g = graph("conv");
  rejects(
    withNode(g, (n) => ({ ...n, inputs: [0, 17, 2] }) as Node),
    /^Cannot validate node 0 \(CONV_2D\): input 1 refers to tensor 17, but the graph has 4 tensors$/,
  );
  rejects(withNode(g, (n) => ({ ...n, outputs: [-1] }) as Node), /output 0 refers to tensor -1/);
  rejects({ ...g, inputs: [9] }, /graph 'conv': input 0 refers to tensor 9/);
});

Deno.test("validateGraph() allows -1 only for an absent bias", () => {
  validateGraph(withNode(graph("conv"), (n) => ({ ...n, inputs: [0, 1, -1] }) as Node));
  rejects(
    withNode(graph("conv"), (n) => ({ ...n, inputs: [0, -1, 2] }) as Node),
    /input 1 refers to tensor -1/,
  );
});

Deno.test("validateGraph() checks the input and output counts of each operator", () => {
  rejects(
    withNode(graph("add"), (n) => ({ ...n, inputs: [0] }) as Node),
    /node 0 \(ADD\): it has 1 inputs, expected 2/,
  );
  rejects(
    withNode(graph("conv"), (n) => ({ ...n, inputs: [0] }) as Node),
    /it has 1 inputs, expected 2 to 3/,
  );
  rejects(
    withNode(graph("softmax"), (n) => ({ ...n, outputs: [1, 1] }) as Node),
    /it has 2 outputs, expected 1/,
  );
});

Deno.test("validateGraph() checks convolution output size against padding and stride", () => {
  const g = graph("conv");
  rejects(
    withTensor(g, 3, (t) => ({ ...t, shape: [1, 3, 4, 4] })),
    /node 0 \(CONV_2D\): output size 3x4 does not match 4x4 expected from input 8x8, kernel 3x3, stride 2x2, dilation 1x1 and SAME padding/,
  );
  rejects(
    withNode(g, (n) => ({ ...n, options: { ...n.options, padding: "VALID" } }) as Node),
    /does not match 3x3 expected/,
  );
  rejects(
    withNode(g, (n) => ({ ...n, options: { ...n.options, strideH: 0 } }) as Node),
    /stride height is 0, expected at least 1/,
  );
  // Dilated depthwise: 8 - (3 - 1) * 2 = 4 with VALID padding.
  rejects(
    withNode(
      graph("depthwise"),
      (n) => ({ ...n, options: { ...n.options, dilationH: 1 } }) as Node,
    ),
    /does not match 6x4 expected/,
  );
});

Deno.test("validateGraph() checks channel counts and bias length", () => {
  rejects(
    withTensor(graph("conv"), 0, (t) => ({ ...t, shape: [1, 8, 8, 4] })),
    /input has 4 channels, which the filter's 3 input channels do not divide/,
  );
  rejects(
    withTensor(graph("conv"), 3, (t) => ({ ...t, shape: [1, 4, 4, 5] })),
    /output has 5 channels, but the filter has 4/,
  );
  const g = graph("conv");
  rejects(
    withTensor(
      g,
      2,
      (t) => ({ name: t.name, dtype: t.dtype, shape: [3], data: t.data!.subarray(0, 12) }),
    ),
    /bias shape \[3\] does not match 4 output channels/,
  );
  rejects(
    withTensor(graph("depthwise"), 0, (t) => ({ ...t, shape: [1, 8, 8, 3] })),
    /filter has 8 channels, not a multiple of the input's 3/,
  );
  rejects(
    withTensor(graph("fc"), 2, (t) => ({ ...t, shape: [1, 11] })),
    /output shape \[1, 11\] does not match 1 rows of 10 outputs/,
  );
});

Deno.test("validateGraph() checks per-channel quantization length against the channels", () => {
  const g = graph("conv");
  rejects(
    withTensor(g, 1, (t) => ({
      ...t,
      quant: { scale: [0.1, 0.2, 0.3], zeroPoint: [0, 0, 0], axis: 0 },
    })),
    /tensor 1 \('w'\): per-channel quantization has 3 scales but dimension 0 has 4 channels/,
  );
  rejects(
    withTensor(g, 1, (t) => ({ ...t, quant: { ...t.quant!, zeroPoint: [0] } })),
    /quantization has 4 scales but 1 zero points/,
  );
  rejects(
    withTensor(graph("depthwise"), 1, (t) => ({ ...t, quant: { ...t.quant!, axis: 0 } })),
    /per-channel quantization has 8 scales but dimension 0 has 1 channels/,
  );
  rejects(
    withTensor(g, 2, (t) => ({ ...t, quant: { ...t.quant!, axis: 1 } })),
    /tensor 2 \('b'\): quantized dimension 1 is out of range for rank 1/,
  );
});

Deno.test("validateGraph() requires quantization on int8 tensors", () => {
  const g = withTensor(
    graph("softmax"),
    1,
    (t) => ({ name: t.name, shape: t.shape, dtype: "int8" }),
  );
  rejects(g, /node 0 \(SOFTMAX\): int8 tensor 1 \('out'\) has no quantization/);
});

Deno.test("validateGraph() requires constant weights, biases and parameters", () => {
  const strip = (t: Tensor): Tensor => ({
    name: t.name,
    shape: t.shape,
    dtype: t.dtype,
    ...(t.quant ? { quant: t.quant } : {}),
  });
  rejects(withTensor(graph("conv"), 1, strip), /filter tensor 1 \('w'\) is not constant/);
  rejects(withTensor(graph("conv"), 2, strip), /bias tensor 2 \('b'\) is not constant/);
  rejects(withTensor(graph("fc"), 1, strip), /weights tensor 1 \('w'\) is not constant/);
  rejects(withTensor(graph("mean"), 1, strip), /axes tensor 1 \('axes'\) is not constant/);
  rejects(withTensor(graph("pad"), 1, strip), /paddings tensor 1/);
  rejects(withTensor(graph("transpose"), 1, strip), /perm tensor 1/);
});

Deno.test("validateGraph() checks constant data size against shape and type", () => {
  rejects(
    withTensor(graph("conv"), 1, (t) => ({ ...t, data: t.data!.subarray(1) })),
    /tensor 1 \('w'\): constant data has 107 bytes, but shape \[4,3,3,3\] of int8 needs 108/,
  );
});

Deno.test("validateGraph() checks elementwise, pooling, reduction and layout shapes", () => {
  rejects(
    withTensor(graph("add"), 1, (t) => ({ ...t, shape: [1, 4, 4, 3] })),
    /node 0 \(ADD\): input shapes \[1, 4, 4, 8\] and \[1, 4, 4, 3\] do not broadcast/,
  );
  rejects(
    withTensor(graph("mul"), 2, (t) => ({ ...t, shape: [1, 4, 4, 1] })),
    /differs from the broadcast shape \[1, 4, 4, 8\]/,
  );
  rejects(
    withTensor(graph("maxpool"), 1, (t) => ({ ...t, shape: [1, 3, 3, 4] })),
    /node 0 \(MAX_POOL_2D\): output size 3x3 does not match 4x4/,
  );
  rejects(
    withNode(graph("mean"), (n) => ({ ...n, options: { keepDims: false } }) as Node),
    /differs from the expected \[1, 8\]/,
  );
  rejects(
    withTensor(graph("pad"), 2, (t) => ({ ...t, shape: [1, 6, 5, 3] })),
    /differs from the padded \[1, 6, 6, 3\]/,
  );
  rejects(
    withTensor(graph("reshape"), 2, (t) => ({ ...t, shape: [1, 15] })),
    /input shape \[1, 2, 2, 4\] and output shape \[1, 15\] differ in size/,
  );
  rejects(
    withTensor(graph("transpose"), 2, (t) => ({ ...t, shape: [1, 2, 3, 4] })),
    /differs from the transposed \[1, 4, 2, 3\]/,
  );
  rejects(
    withTensor(graph("concat"), 2, (t) => ({ ...t, shape: [1, 4, 4, 9] })),
    /inputs add up to 8 along axis 3, output has 9/,
  );
  rejects(
    withNode(graph("concat"), (n) => ({ ...n, options: { axis: 4, activation: "NONE" } }) as Node),
    /axis 4 is out of range for rank 4/,
  );
  rejects(
    withTensor(graph("hardswish"), 1, (t) => ({ ...t, shape: [1, 4, 4, 4] })),
    /output shape \[1, 4, 4, 4\] differs from input shape \[1, 4, 4, 8\]/,
  );
});

Deno.test("validateGraph() rejects a tensor larger than 2 GiB", () => {
  rejects(
    withTensor(graph("softmax"), 0, (t) => ({ ...t, shape: [65536, 65536] })),
    /tensor 0 \('in'\): shape \[65536,65536\] of int8 needs 4294967296 bytes, more than 2 GiB/,
  );
});

Deno.test("validateGraph() checks that activations are produced once and before they are read", () => {
  const add = graph("add");
  const twice: Graph = {
    ...add,
    tensors: [...add.tensors, add.tensors[2]!],
    nodes: [
      { op: "ADD", inputs: [0, 3], outputs: [2], options: { activation: "NONE" } },
      { op: "ADD", inputs: [0, 1], outputs: [3], options: { activation: "NONE" } },
    ],
  };
  rejects(twice, /node 0 \(ADD\): input 1 \(tensor 3\) is only produced later, by node 1/);
  rejects(
    { ...add, inputs: [0] },
    /node 0 \(ADD\): input 1 \(tensor 1\) is neither constant, a graph input nor produced by a node/,
  );
  rejects(
    { ...add, nodes: [add.nodes[0]!, add.nodes[0]!] },
    /node 1 \(ADD\): output tensor 2 is also written by node 0/,
  );
  rejects(
    { ...add, inputs: [0, 1, 2] },
    /node 0 \(ADD\): output tensor 2 is a graph input/,
  );
});

Deno.test("validateGraph() names an unknown operator", () => {
  const g = withNode(graph("softmax"), (n) => ({ ...n, op: "ELU" }) as unknown as Node);
  rejects(g, /node 0 \(ELU\): operator 'ELU' is unknown/);
});
