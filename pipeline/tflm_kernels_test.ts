/**
 * The tflm kernels against the reference interpreter, bit for bit, in the emulator: random
 * shapes (strides 1 and 2, SAME and VALID, channel counts that are not multiples of 4,
 * per-channel quantization, dilation, depth multipliers), many cases per firmware build.
 */
import assert from "node:assert/strict";
import { getBoard } from "../engine/target/mod.ts";
import { buildFirmware } from "../engine/build/mod.ts";
import type { Activation, Graph, Padding } from "../engine/ir/mod.ts";
import { convOptions, depthwiseOptions, tensorBytes } from "../engine/ir/mod.ts";
import { interpret } from "../engine/reference/mod.ts";
import { createRng, type Rng } from "../engine/util/mod.ts";
import { runFirmware } from "../emulator/mod.ts";
import { compileTflm } from "../engine/codegen/mod.ts";
import { CaseGraph, quant } from "../engine/codegen/tflm/_test_graph.ts";
import { sliceAxes } from "../engine/ir/mod.ts";

const ACTS: readonly Activation[] = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"];

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.int(xs.length)]!;
}

function perChannel(rng: Rng, n: number, base: number, axis: number) {
  return {
    scale: Array.from({ length: n }, () => Math.fround(base * (0.5 + rng.next()))),
    zeroPoint: new Array<number>(n).fill(0),
    axis,
  };
}

function bias(g: CaseGraph, rng: Rng, n: number, scale: number): number {
  return g.int32(
    Array.from({ length: n }, () => rng.int(2001) - 1000),
    [n],
    quant(scale),
  );
}

/** Run every output of `graph` on firmware and in the reference; return the failing cases. */
async function mismatches(
  graph: Graph,
  names: readonly string[],
  board: string,
  seed: number,
): Promise<string[]> {
  const compiled = compileTflm(graph);
  const rng = createRng(seed);
  const inputs = graph.inputs.map((t) => {
    const b = new Uint8Array(tensorBytes(graph.tensors[t]!));
    for (let i = 0; i < b.length; i++) b[i] = rng.int(256);
    return b;
  });
  const image = await buildFirmware(compiled.sources, { board: getBoard(board) });
  const symbols = graph.outputs.map((_, i) => (i === 0 ? "mcu_output" : `mcu_output_${i}`));
  const inputMap: Record<string, Uint8Array> = {};
  inputs.forEach((b, i) => (inputMap[i === 0 ? "mcu_input" : `mcu_input_${i}`] = b));
  const run = runFirmware({ elf: image.elf, board: getBoard(board) }, {
    inputs: inputMap,
    outputs: symbols,
  });
  assert.equal(run.exitStatus, 0, "the runtime reported an error status");
  const expected = interpret(graph, inputs).outputs;
  const bad: string[] = [];
  let flat = 0;
  symbols.forEach((s, i) => {
    const got = run.outputs[s]!;
    const want = expected[i]!;
    if (got.length !== want.length || got.some((v, j) => v !== want[j])) bad.push(names[i]!);
    if (want.length > 4 && new Set(want).size < 3) flat++;
  });
  // The cases must exercise the arithmetic, not just the clamps.
  assert.ok(flat <= symbols.length / 4, `${flat} of ${symbols.length} cases have flat outputs`);
  return bad;
}

function convCases(g: CaseGraph, rng: Rng, count: number) {
  for (let k = 0; k < count; k++) {
    const h = 3 + rng.int(9), w = 3 + rng.int(9);
    const cin = pick(rng, [1, 2, 3, 4, 5, 7, 8, 12, 16]);
    const cout = 1 + rng.int(9);
    const kh = pick(rng, [1, 1, 2, 3, 3, 5]), kw = pick(rng, [kh, kh, 1, 3]);
    const stride = pick(rng, [1, 1, 2]);
    const dil = pick(rng, [1, 1, 1, 2]);
    const padding: Padding = pick(rng, ["SAME", "VALID"]);
    if (padding === "VALID" && ((kh - 1) * dil + 1 > h || (kw - 1) * dil + 1 > w)) continue;
    const inScale = 0.02 + rng.next() * 0.05;
    const wScale = 0.01 + rng.next() * 0.02;
    const x = g.input([1, h, w, cin], quant(inScale, rng.int(41) - 20));
    const pc = rng.int(3) !== 0;
    const wq = pc ? perChannel(rng, cout, wScale, 0) : quant(wScale);
    const filt = g.weights(rng, [cout, kh, kw, cin], wq);
    const b = rng.int(4) === 0 ? -1 : bias(g, rng, cout, inScale * wScale);
    const outScale = inScale * wScale * Math.sqrt(kh * kw * cin) * 40;
    const act = pick(rng, ACTS);
    g.op(
      `conv ${h}x${w}x${cin}->${cout} k${kh}x${kw} s${stride} d${dil} ${padding} ${act}${
        pc ? " per-channel" : ""
      }`,
      {
        op: "CONV_2D",
        options: {
          padding,
          strideH: stride,
          strideW: stride,
          dilationH: dil,
          dilationW: dil,
          activation: act,
        },
      },
      [x, filt, b],
      quant(outScale, rng.int(21) - 10),
    );
  }
}

function depthwiseCases(g: CaseGraph, rng: Rng, count: number) {
  for (let k = 0; k < count; k++) {
    const h = 3 + rng.int(9), w = 3 + rng.int(9);
    const c = pick(rng, [1, 3, 4, 5, 8, 12, 16]);
    const mult = pick(rng, [1, 1, 1, 2, 3, 4, 8]);
    const kh = pick(rng, [3, 3, 3, 5, 2]), kw = pick(rng, [kh, kh, 3, 1]);
    const stride = pick(rng, [1, 1, 2]);
    const dil = pick(rng, [1, 1, 1, 2]);
    const padding: Padding = pick(rng, ["SAME", "SAME", "VALID"]);
    if (padding === "VALID" && ((kh - 1) * dil + 1 > h || (kw - 1) * dil + 1 > w)) continue;
    const inScale = 0.02 + rng.next() * 0.05;
    const wScale = 0.01 + rng.next() * 0.02;
    const cout = c * mult;
    const x = g.input([1, h, w, c], quant(inScale, rng.int(41) - 20));
    const pc = rng.int(3) !== 0;
    const filt = g.weights(
      rng,
      [1, kh, kw, cout],
      pc ? perChannel(rng, cout, wScale, 3) : quant(wScale),
    );
    const b = rng.int(4) === 0 ? -1 : bias(g, rng, cout, inScale * wScale);
    const act = pick(rng, ACTS);
    g.op(
      `depthwise ${h}x${w}x${c} m${mult} k${kh}x${kw} s${stride} d${dil} ${padding} ${act}`,
      {
        op: "DEPTHWISE_CONV_2D",
        options: {
          padding,
          strideH: stride,
          strideW: stride,
          dilationH: dil,
          dilationW: dil,
          activation: act,
          depthMultiplier: mult,
        },
      },
      [x, filt, b],
      quant(inScale * wScale * Math.sqrt(kh * kw) * 30, rng.int(21) - 10),
    );
  }
}

function fullyConnectedCases(g: CaseGraph, rng: Rng, count: number) {
  for (let k = 0; k < count; k++) {
    const depth = 1 + rng.int(40);
    const rows = 1 + rng.int(9);
    const batch = pick(rng, [1, 1, 2]);
    const inScale = 0.02 + rng.next() * 0.05;
    const wScale = 0.01 + rng.next() * 0.02;
    const x = g.input([batch, depth], quant(inScale, rng.int(41) - 20));
    const pc = rng.int(2) === 0;
    const wts = g.weights(
      rng,
      [rows, depth],
      pc ? perChannel(rng, rows, wScale, 0) : quant(wScale),
    );
    const b = rng.int(4) === 0 ? -1 : bias(g, rng, rows, inScale * wScale);
    const act = pick(rng, ACTS);
    g.op(
      `fully connected ${batch}x${depth}->${rows} ${act}${pc ? " per-channel" : ""}`,
      { op: "FULLY_CONNECTED", options: { activation: act, keepNumDims: false } },
      [x, wts, b],
      quant(inScale * wScale * Math.sqrt(depth) * 30, rng.int(21) - 10),
    );
  }
}

function elementwiseCases(g: CaseGraph, rng: Rng, count: number) {
  for (let k = 0; k < count; k++) {
    const shape = [1, 1 + rng.int(5), 1 + rng.int(5), 1 + rng.int(9)];
    const other = rng.int(3) === 0
      ? [1, 1, 1, shape[3]!]
      : rng.int(4) === 0
      ? [1, shape[1]!, 1, 1]
      : shape;
    const op = pick(rng, ["ADD", "MUL"] as const);
    const s1 = 0.02 + rng.next() * 0.1, s2 = 0.02 + rng.next() * 0.1;
    const a = g.input(shape, quant(s1, rng.int(41) - 20));
    const b = g.input(other, quant(s2, rng.int(41) - 20));
    const act = pick(rng, ACTS);
    const outScale = op === "ADD" ? (s1 + s2) * (0.6 + rng.next()) : s1 * s2 * 40;
    g.op(
      `${op} [${shape}] [${other}] ${act}`,
      { op, options: { activation: act } },
      [a, b],
      quant(outScale, rng.int(21) - 10),
    );
  }
}

function poolCases(g: CaseGraph, rng: Rng, count: number) {
  for (let k = 0; k < count; k++) {
    const h = 2 + rng.int(9), w = 2 + rng.int(9), c = 1 + rng.int(9);
    const f = Math.min(pick(rng, [2, 3, 3, 7]), h, w);
    const stride = pick(rng, [1, 2, 2]);
    const padding: Padding = pick(rng, ["SAME", "VALID"]);
    const op = pick(rng, ["AVERAGE_POOL_2D", "MAX_POOL_2D"] as const);
    const q = quant(0.05, rng.int(41) - 20);
    const x = g.input([1, h, w, c], q);
    const act = pick(rng, ACTS);
    g.op(
      `${op} ${h}x${w}x${c} f${f} s${stride} ${padding} ${act}`,
      {
        op,
        options: {
          padding,
          strideH: stride,
          strideW: stride,
          filterH: f,
          filterW: f,
          activation: act,
        },
      },
      [x],
      q,
    );
  }
}

function miscCases(g: CaseGraph, rng: Rng) {
  // MEAN over H and W (keep dims), and over the last axis.
  for (const [axes, keep] of [[[1, 2], true], [[3], false], [[1], true]] as const) {
    const x = g.input([1, 3 + rng.int(5), 2 + rng.int(5), 1 + rng.int(9)], quant(0.05, 3));
    g.op(
      `MEAN axes [${axes}]`,
      { op: "MEAN", options: { keepDims: keep } },
      [x, g.int32([...axes])],
      quant(0.04, -2),
    );
  }
  for (const depth of [2, 10, 33]) {
    const x = g.input([2, depth], quant(0.1 + rng.next() * 0.2, rng.int(21) - 10));
    g.op(
      `SOFTMAX depth ${depth}`,
      { op: "SOFTMAX", options: { beta: 1 } },
      [x],
      quant(1 / 256, -128),
    );
  }
  for (const scale of [0.02, 0.1, 0.5]) {
    const x = g.input([1, 7, 5], quant(scale, rng.int(21) - 10));
    g.op(`LOGISTIC scale ${scale}`, { op: "LOGISTIC", options: {} }, [x], quant(1 / 256, -128));
  }
  for (const scale of [0.02, 0.05, 0.2]) {
    const x = g.input([1, 4, 4, 6], quant(scale, rng.int(21) - 10));
    g.op(
      `HARD_SWISH scale ${scale}`,
      { op: "HARD_SWISH", options: {} },
      [x],
      quant(scale * 0.7, rng.int(21) - 10),
    );
  }
  {
    const q = quant(0.05, 7);
    const x = g.input([1, 3, 4, 5], q);
    g.op("PAD", { op: "PAD", options: {} }, [x, g.int32([0, 0, 1, 2, 0, 1, 2, 3], [4, 2])], q);
    const y = g.input([1, 3, 4, 5], q);
    g.op("TRANSPOSE", { op: "TRANSPOSE", options: {} }, [y, g.int32([0, 2, 3, 1])], q);
    const z = g.input([1, 3, 4, 5], q);
    g.op(
      "RESHAPE",
      { op: "RESHAPE", options: { newShape: [1, 60] } },
      [z, g.int32([1, 60])],
      q,
      "int8",
      [1, 60],
    );
    const a = g.input([1, 3, 4, 5], q);
    const b = g.input([1, 3, 4, 2], quant(0.08, -3));
    g.op(
      "CONCATENATION (requantized second input)",
      { op: "CONCATENATION", options: { axis: 3, activation: "NONE" } },
      [a, b],
      q,
    );
    const r = g.input([1, 3, 4, 5], quant(0.03, 4));
    g.op("QUANTIZE int8 -> int8", { op: "QUANTIZE", options: {} }, [r], quant(0.05, -6));
  }
}

/** RELU family, LEAKY_RELU, TANH, SUB, MAXIMUM and MINIMUM on random shapes and scales. */
function newOpCases(g: CaseGraph, rng: Rng, count: number) {
  const shapeOf = () =>
    pick(rng, [[1, 1 + rng.int(6), 1 + rng.int(6), 1 + rng.int(9)], [
      1 + rng.int(40),
    ], [1, 2 + rng.int(30)]]);
  for (let k = 0; k < count; k++) {
    const shape = shapeOf();
    const s = 0.01 + rng.next() * 0.1;
    const x = g.input(shape, quant(s, rng.int(61) - 30));
    const op = pick(rng, ["RELU", "RELU6", "RELU_N1_TO_1"] as const);
    // Output scales around the input's (ratios above and below one) and the activation's range.
    const outScale = op === "RELU6"
      ? 6 / (100 + rng.int(150))
      : op === "RELU_N1_TO_1"
      ? 2 / (60 + rng.int(190))
      : s * (0.3 + 2 * rng.next());
    const zp = op === "RELU" ? -128 + rng.int(40) : rng.int(41) - 20;
    g.op(`${op} [${shape}] ${s.toFixed(4)} -> ${outScale.toFixed(4)}`, { op, options: {} }, [
      x,
    ], quant(outScale, zp));
  }
  for (let k = 0; k < count; k++) {
    const shape = shapeOf();
    const s = 0.01 + rng.next() * 0.1;
    const alpha = pick(rng, [0.01, 0.1, 0.2, 0.3, 0.5, 1.7, -0.4]);
    const x = g.input(shape, quant(s, rng.int(61) - 30));
    g.op(
      `LEAKY_RELU [${shape}] alpha ${alpha}`,
      { op: "LEAKY_RELU", options: { alpha } },
      [x],
      quant(s * (0.4 + rng.next()), rng.int(41) - 20),
    );
  }
  for (let k = 0; k < count / 2; k++) {
    const shape = shapeOf();
    const s = pick(rng, [1 / 16, 0.01, 0.03, 0.08, 0.2, 0.5]);
    const x = g.input(shape, quant(s, rng.int(41) - 20));
    g.op(`TANH [${shape}] scale ${s}`, { op: "TANH", options: {} }, [x], quant(1 / 128, 0));
  }
  for (let k = 0; k < count; k++) {
    const shape = [1, 1 + rng.int(5), 1 + rng.int(5), 1 + rng.int(9)];
    const other = rng.int(3) === 0
      ? [1, 1, 1, shape[3]!]
      : rng.int(4) === 0
      ? [1, shape[1]!, 1, 1]
      : shape;
    const [sa, sb] = rng.int(2) === 0 ? [other, shape] : [shape, other];
    const op = pick(rng, ["SUB", "SUB", "MAXIMUM", "MINIMUM"] as const);
    if (op === "SUB") {
      const s1 = 0.02 + rng.next() * 0.1, s2 = 0.02 + rng.next() * 0.1;
      const a = g.input(sa, quant(s1, rng.int(41) - 20));
      const b = g.input(sb, quant(s2, rng.int(41) - 20));
      const act = pick(rng, ACTS);
      g.op(
        `SUB [${sa}] [${sb}] ${act}`,
        { op, options: { activation: act } },
        [a, b],
        quant((s1 + s2) * (0.6 + rng.next()), rng.int(21) - 10),
      );
    } else {
      const q = quant(0.02 + rng.next() * 0.1, rng.int(41) - 20);
      g.op(`${op} [${sa}] [${sb}]`, { op, options: {} }, [g.input(sa, q), g.input(sb, q)], q);
    }
  }
}

/** STRIDED_SLICE (masks, negative indices and strides, offset) and RESIZE_NEAREST_NEIGHBOR. */
function sliceResizeCases(g: CaseGraph, rng: Rng, count: number) {
  for (let k = 0; k < count; k++) {
    const rank = 1 + rng.int(4);
    const shape = Array.from({ length: rank }, () => 1 + rng.int(7));
    const begin: number[] = [], end: number[] = [], strides: number[] = [];
    let beginMask = 0, endMask = 0, shrinkAxisMask = 0;
    const offset = rng.int(5) === 0;
    shape.forEach((d, a) => {
      const stride = pick(rng, [1, 1, 2, 3, -1, -2]);
      begin.push(rng.int(2 * d + 1) - d);
      end.push(offset ? rng.int(d + 1) * Math.sign(stride) : rng.int(2 * d + 1) - d);
      strides.push(stride);
      if (rng.int(4) === 0) beginMask |= 1 << a;
      if (rng.int(4) === 0) endMask |= 1 << a;
      if (rng.int(6) === 0) {
        shrinkAxisMask |= 1 << a;
        begin[a] = rng.int(2 * d) - d; // in range, negative or not
      }
    });
    const masks = { beginMask, endMask, shrinkAxisMask, offset };
    // Empty slices have no output to compare.
    if (sliceAxes(shape, begin, end, strides, masks).some((a) => a.count === 0)) {
      k--;
      continue;
    }
    const q = quant(0.05, rng.int(41) - 20);
    const x = g.input(shape, q);
    const name = `STRIDED_SLICE [${shape}] begin [${begin}] end [${end}] strides [${strides}] ${
      JSON.stringify(masks)
    }`;
    const node = { op: "STRIDED_SLICE" as const, options: masks };
    const ins = [x, g.int32(begin), g.int32(end), g.int32(strides)];
    g.op(name, node, ins, q);
  }
  for (let k = 0; k < count; k++) {
    const [h, w, c] = [1 + rng.int(6), 1 + rng.int(6), 1 + rng.int(5)];
    const size = [1 + rng.int(12), 1 + rng.int(12)];
    const alignCorners = rng.int(2) === 0, halfPixelCenters = rng.int(2) === 0;
    const q = quant(0.05, rng.int(41) - 20);
    g.op(
      `RESIZE_NEAREST_NEIGHBOR ${h}x${w}x${c} -> ${size} align ${alignCorners} half ${halfPixelCenters}`,
      { op: "RESIZE_NEAREST_NEIGHBOR", options: { alignCorners, halfPixelCenters } },
      [g.input([1 + rng.int(2), h, w, c], q), g.int32(size)],
      q,
    );
  }
}

const BOARDS = ["stm32f746", "stm32f412"] as const;

/**
 * One bit-exactness check per kernel family and board: its cases (from the board's own seed, so
 * the two boards see different cases) in one graph, one firmware.
 */
const FAMILIES: readonly {
  readonly what: string;
  readonly seeds: Readonly<Record<(typeof BOARDS)[number], number>>;
  readonly cases: (g: CaseGraph, rng: Rng) => void;
  readonly inputSeed: number;
}[] = [
  {
    what: "convolution kernels match the reference bit for bit",
    seeds: { stm32f746: 11, stm32f412: 12 },
    cases: (g, rng) => convCases(g, rng, 40),
    inputSeed: 1,
  },
  {
    what: "depthwise kernels match the reference bit for bit",
    seeds: { stm32f746: 21, stm32f412: 22 },
    cases: (g, rng) => depthwiseCases(g, rng, 40),
    inputSeed: 2,
  },
  {
    what: "RELU, LEAKY_RELU, TANH, SUB, MAXIMUM and MINIMUM kernels match the reference",
    seeds: { stm32f746: 51, stm32f412: 52 },
    cases: (g, rng) => newOpCases(g, rng, 16),
    inputSeed: 6,
  },
  {
    what: "STRIDED_SLICE and RESIZE_NEAREST_NEIGHBOR kernels match the reference",
    seeds: { stm32f746: 61, stm32f412: 62 },
    cases: (g, rng) => sliceResizeCases(g, rng, 24),
    inputSeed: 7,
  },
  {
    what: "fully connected, elementwise, pooling and other kernels match the reference",
    seeds: { stm32f746: 31, stm32f412: 32 },
    cases: (g, rng) => {
      fullyConnectedCases(g, rng, 20);
      elementwiseCases(g, rng, 20);
      poolCases(g, rng, 20);
      miscCases(g, rng);
    },
    inputSeed: 3,
  },
];

for (const board of BOARDS) {
  for (const family of FAMILIES) {
    Deno.test(`tflm ${family.what} on ${board}`, async () => {
      const g = new CaseGraph();
      family.cases(g, createRng(family.seeds[board]));
      const bad = await mismatches(g.graph(), g.names, board, family.inputSeed);
      assert.deepEqual(bad, []);
    });
  }
}

/** Layers whose multipliers are at least 0.25 (right shift below 2, or a left shift): the
 * general requantization form inside the 1x1, 3x3 depthwise, im2col and FC loops. */
function largeMultiplierCases(g: CaseGraph, rng: Rng) {
  for (let k = 0; k < 16; k++) {
    const ratio = pick(rng, [0.3, 0.6, 0.9, 1.5, 3]);
    const inScale = 0.05, wScale = 0.02;
    const outScale = inScale * wScale / ratio;
    const c = pick(rng, [4, 8, 12]);
    const x = g.input([1, 5, 6, c], quant(inScale, rng.int(11) - 5));
    const kind = k % 4;
    if (kind === 0 || kind === 1) {
      const kh = kind === 0 ? 1 : 3;
      const filt = g.weights(rng, [4, kh, kh, c], perChannel(rng, 4, wScale, 0), 1);
      g.op(
        `conv ${kh}x${kh} multiplier ~${ratio}`,
        { op: "CONV_2D", options: convOptions() },
        [x, filt, -1],
        quant(outScale, 0),
      );
    } else if (kind === 2) {
      const filt = g.weights(rng, [1, 3, 3, c], perChannel(rng, c, wScale, 3), 1);
      g.op(
        `depthwise 3x3 multiplier ~${ratio}`,
        { op: "DEPTHWISE_CONV_2D", options: depthwiseOptions() },
        [x, filt, -1],
        quant(outScale, 0),
      );
    } else {
      const y = g.input([1, 3 * c], quant(inScale, rng.int(11) - 5));
      const wts = g.weights(rng, [5, 3 * c], quant(wScale), 1);
      g.op(
        `fully connected multiplier ~${ratio}`,
        { op: "FULLY_CONNECTED", options: { activation: "NONE", keepNumDims: false } },
        [y, wts, -1],
        quant(outScale, 0),
      );
    }
  }
}

Deno.test("tflm kernels match the reference when multipliers are at least 0.25", async () => {
  const g = new CaseGraph();
  largeMultiplierCases(g, createRng(41));
  const bad = await mismatches(g.graph(), g.names, "stm32f746", 4);
  assert.deepEqual(bad, []);
});

Deno.test("tflm float32 QUANTIZE and DEQUANTIZE match the reference", async () => {
  const g = new CaseGraph();
  const x = g.input([1, 64], undefined, "float32");
  g.op("QUANTIZE float32 -> int8", { op: "QUANTIZE", options: {} }, [x], quant(0.03, 5));
  const y = g.input([1, 64], quant(0.07, -9));
  g.op("DEQUANTIZE", { op: "DEQUANTIZE", options: {} }, [y], undefined, "float32");
  const graph = g.graph();
  const compiled = compileTflm(graph);
  const board = getBoard("stm32f746");
  const rng = createRng(5);
  const f = new Float32Array(64).map(() => (rng.next() - 0.5) * 10);
  f[0] = 0.015; // an exact half step
  f[1] = -0.045;
  f[2] = 0.044999998062849045; // 1.4999... in double but 1.5 in float32: TFLite divides in float
  const q = new Uint8Array(64).map(() => rng.int(256));
  const inputs = [new Uint8Array(f.buffer), q];
  const image = await buildFirmware(compiled.sources, { board });
  const run = runFirmware({ elf: image.elf, board }, {
    inputs: { mcu_input: inputs[0]!, mcu_input_1: inputs[1]! },
    outputs: ["mcu_output", "mcu_output_1"],
  });
  const want = interpret(graph, inputs).outputs;
  assert.deepEqual(run.outputs.mcu_output, want[0]);
  assert.deepEqual(run.outputs.mcu_output_1, want[1]);
});
