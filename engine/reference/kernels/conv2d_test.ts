import assert from "node:assert/strict";
import { type Conv2DOptions, convOptions, type Padding } from "../../ir/mod.ts";
import { mbqmRef, oneNode, runInt8, tensor } from "../_test_util.ts";
import { UnsupportedKernelError } from "../errors.ts";

const options = (o: Partial<Conv2DOptions> = {}) => convOptions(o);

Deno.test("conv2d() computes a per-channel SAME conv with right shifts and double rounding", () => {
  // Input q = 1..9 (scale 0.5, zp -1) so q - zp = 2..10. Channel 0: 3x3 ones, filter scale 0.25,
  // effective 0.125 = 2^30 * 2^-2. Channel 1: centre tap 2, scale 0.5, effective 0.25; bias 4.
  const filter = new Int8Array(18);
  filter.fill(1, 0, 9);
  filter[9 + 4] = 2;
  const graph = oneNode([
    tensor("x", [1, 3, 3, 1], "int8", [0.5, -1]),
    tensor("w", [2, 3, 3, 1], "int8", [[0.25, 0.5], 0], filter),
    tensor("b", [2], "int32", [[0.125, 0.25], 0], new Int32Array([0, 4])),
    tensor("y", [1, 3, 3, 2], "int8", [1, 3]),
  ], { op: "CONV_2D", inputs: [0, 1, 2], outputs: [3], options: options() });
  const y = runInt8(graph, new Int8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]));
  // Channel 0 window sums 16 27 20 / 33 54 39 / 28 45 32: SRDHM halves rounding half up, then a
  // rounding shift by 2 (27 -> 13.5 -> 14 -> 3.5 -> 4, though 27/8 = 3.375).
  // Channel 1: 2*(q-zp)+4 = 8..24, quartered with the same double rounding.
  assert.deepEqual(y, [5, 5, 7, 6, 6, 6, 7, 7, 10, 7, 8, 8, 7, 8, 9, 9, 7, 9]);
});

Deno.test("conv2d() applies a left shift for an effective scale above one and saturates both ends", () => {
  // Effective scale 3 = 0.75 * 2^2: multiplier 1610612736, shift +2.
  const graph = oneNode([
    tensor("x", [1, 1, 4, 1], "int8", [1, 0]),
    tensor("w", [1, 1, 1, 1], "int8", [3, 0], new Int8Array([1])),
    tensor("y", [1, 1, 4, 1], "int8", [1, 0]),
  ], { op: "CONV_2D", inputs: [0, 1, -1], outputs: [2], options: options({ padding: "VALID" }) });
  assert.deepEqual(runInt8(graph, new Int8Array([40, -50, 43, -3])), [120, -128, 127, -9]);
});

Deno.test("conv2d() clamps to the fused RELU6 range of the output", () => {
  // Output scale 0.05, zp -128: RELU6 -> [-128, -8]. Effective scale 1.
  const graph = oneNode([
    tensor("x", [1, 1, 3, 1], "int8", [0.05, 0]),
    tensor("w", [1, 1, 1, 1], "int8", [1, 0], new Int8Array([1])),
    tensor("y", [1, 1, 3, 1], "int8", [0.05, -128]),
  ], {
    op: "CONV_2D",
    inputs: [0, 1, -1],
    outputs: [2],
    options: options({ activation: "RELU6" }),
  });
  assert.deepEqual(runInt8(graph, new Int8Array([-5, 100, 127])), [-128, -28, -8]);
});

Deno.test("conv2d() supports stride 2 with VALID padding", () => {
  const x = Int8Array.from({ length: 25 }, (_, i) => i);
  const graph = oneNode([
    tensor("x", [1, 5, 5, 1], "int8", [1, 0]),
    tensor("w", [1, 3, 3, 1], "int8", [1, 0], new Int8Array(9).fill(1)),
    tensor("y", [1, 2, 2, 1], "int8", [2, 0]),
  ], {
    op: "CONV_2D",
    inputs: [0, 1, -1],
    outputs: [2],
    options: options({ padding: "VALID", strideH: 2, strideW: 2 }),
  });
  // Window sums 54, 72, 144, 162, halved.
  assert.deepEqual(runInt8(graph, x), [27, 36, 72, 81]);
});

Deno.test("conv2d() supports stride 2 with SAME padding that skips taps outside the image", () => {
  const x = Int8Array.from({ length: 25 }, (_, i) => i);
  const graph = oneNode([
    tensor("x", [1, 5, 5, 1], "int8", [1, -1]),
    tensor("w", [1, 3, 3, 1], "int8", [1, 0], new Int8Array(9).fill(1)),
    tensor("y", [1, 3, 3, 1], "int8", [4, 0]),
  ], {
    op: "CONV_2D",
    inputs: [0, 1, -1],
    outputs: [2],
    options: options({ strideH: 2, strideW: 2 }),
  });
  // 3x3 output, 1 pixel of padding on each side; each tap adds (v + 1); scale 1/4.
  const expected: number[] = [];
  for (let oy = 0; oy < 3; oy++) {
    for (let ox = 0; ox < 3; ox++) {
      let acc = 0;
      for (let y = oy * 2 - 1; y <= oy * 2 + 1; y++) {
        for (let xx = ox * 2 - 1; xx <= ox * 2 + 1; xx++) {
          if (y >= 0 && y < 5 && xx >= 0 && xx < 5) acc += y * 5 + xx + 1;
        }
      }
      expected.push(Math.max(-128, Math.min(127, mbqmRef(acc, 1 << 30, -1))));
    }
  }
  // By hand: (0,0) taps 1+2+6+7 = 16 -> 4; (0,1) 2+3+4+7+8+9 = 33 -> 16.5 -> 17 -> 8.5 -> 9
  // (double rounding; 33/4 = 8.25); (0,2) 4+5+9+10 = 28 -> 7.
  assert.deepEqual(expected.slice(0, 3), [4, 9, 7]);
  assert.deepEqual(runInt8(graph, x), expected);
});

Deno.test("conv2d() supports dilation", () => {
  const x = Int8Array.from({ length: 25 }, (_, i) => i);
  const graph = oneNode([
    tensor("x", [1, 5, 5, 1], "int8", [1, 0]),
    tensor("w", [1, 3, 3, 1], "int8", [1, 0], new Int8Array(9).fill(1)),
    tensor("y", [1, 1, 1, 1], "int8", [1, 0]),
  ], {
    op: "CONV_2D",
    inputs: [0, 1, -1],
    outputs: [2],
    options: options({ padding: "VALID", dilationH: 2, dilationW: 2 }),
  });
  // Taps at rows/cols 0, 2, 4: 0+2+4+10+12+14+20+22+24 = 108.
  assert.deepEqual(runInt8(graph, x), [108]);
});

Deno.test("conv2d() matches an independent padded-input model on random data", () => {
  let seed = 12345;
  const rand = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  for (const padding of ["SAME", "VALID"] as Padding[]) {
    const [h, w, c, oc, k, s] = [7, 6, 3, 4, 3, 2];
    const inZp = 5;
    const x = Int8Array.from({ length: h * w * c }, () => rand(256) - 128);
    const f = Int8Array.from({ length: oc * k * k * c }, () => rand(255) - 127);
    const bias = Int32Array.from({ length: oc }, () => rand(2001) - 1000);
    const scales = [0.013, 0.0021, 0.4, 0.05];
    const outH = padding === "SAME" ? Math.ceil(h / s) : Math.floor((h - k) / s) + 1;
    const outW = padding === "SAME" ? Math.ceil(w / s) : Math.floor((w - k) / s) + 1;
    const graph = oneNode([
      tensor("x", [1, h, w, c], "int8", [0.02, inZp]),
      tensor("w", [oc, k, k, c], "int8", [scales, 0], f),
      tensor("b", [oc], "int32", [scales.map((v) => v * 0.02), 0], bias),
      tensor("y", [1, outH, outW, oc], "int8", [0.05, -7]),
    ], {
      op: "CONV_2D",
      inputs: [0, 1, 2],
      outputs: [3],
      options: options({ padding, strideH: s, strideW: s }),
    });
    // Independent model: pad the input with its zero point, slide the window, requantize with
    // multipliers from the float scales and the BigInt MBQM model.
    const padH = Math.max(0, (outH - 1) * s + k - h);
    const padW = Math.max(0, (outW - 1) * s + k - w);
    const top = Math.floor(padH / 2);
    const left = Math.floor(padW / 2);
    const ph = h + padH;
    const pw = w + padW;
    const padded = new Int32Array(ph * pw * c).fill(inZp);
    for (let y = 0; y < h; y++) {
      for (let xx = 0; xx < w; xx++) {
        for (let ch = 0; ch < c; ch++) {
          padded[((y + top) * pw + xx + left) * c + ch] = x[(y * w + xx) * c + ch]!;
        }
      }
    }
    const expected: number[] = [];
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let o = 0; o < oc; o++) {
          let acc = bias[o]!;
          for (let ky = 0; ky < k; ky++) {
            for (let kx = 0; kx < k; kx++) {
              for (let ch = 0; ch < c; ch++) {
                const v = padded[((oy * s + ky) * pw + ox * s + kx) * c + ch]! - inZp;
                acc += v * f[((o * k + ky) * k + kx) * c + ch]!;
              }
            }
          }
          const real = Math.fround(0.02) * Math.fround(scales[o]!) / Math.fround(0.05);
          const e = Math.floor(Math.log2(real)) + 1;
          let m = Math.round(real * 2 ** (31 - e));
          let shift = e;
          if (m === 2 ** 31) [m, shift] = [2 ** 30, e + 1];
          expected.push(Math.max(-128, Math.min(127, mbqmRef(acc, m, shift) - 7)));
        }
      }
    }
    assert.deepEqual(runInt8(graph, x), expected, padding);
  }
});

Deno.test("conv2d() rejects float32 tensors naming the node and operator", () => {
  const graph = oneNode([
    tensor("x", [1, 1, 1, 1], "float32"),
    tensor("w", [1, 1, 1, 1], "float32", undefined, new Float32Array([1])),
    tensor("y", [1, 1, 1, 1], "float32"),
  ], { op: "CONV_2D", inputs: [0, 1, -1], outputs: [2], options: options() });
  assert.throws(
    () => runInt8(graph, new Int8Array(4)),
    (e: unknown) =>
      e instanceof UnsupportedKernelError && e.opIndex === 0 && e.opName === "CONV_2D" &&
      /Cannot interpret operator 0 \(CONV_2D\): input dtype float32/.test(e.message),
  );
});

Deno.test("conv2d() supports grouped convolution", () => {
  // 4 input channels, 2 groups of 2; filter depth 2; 2 output channels (one per group).
  const graph = oneNode([
    tensor("x", [1, 1, 1, 4], "int8", [1, 0]),
    tensor("w", [2, 1, 1, 2], "int8", [1, 0], new Int8Array([1, 2, 3, 4])),
    tensor("y", [1, 1, 1, 2], "int8", [1, 0]),
  ], { op: "CONV_2D", inputs: [0, 1, -1], outputs: [2], options: options({ padding: "VALID" }) });
  // Group 0: 1*1 + 2*2 = 5; group 1: 3*3 + 4*4 = 25.
  assert.deepEqual(runInt8(graph, new Int8Array([1, 2, 3, 4])), [5, 25]);
});
