/**
 * A float-I/O model written with the project's own .tflite writer (float32 input -> QUANTIZE ->
 * int8 MBConv network -> DEQUANTIZE -> float32 output) runs bit-exact on both engines, on a
 * Cortex-M7 and a Cortex-M4, over random inputs, exact rounding ties, their float neighbours and
 * out-of-range values; its float boundary QUANTIZE costs at most 12 instructions per element.
 */
import assert from "node:assert/strict";
import { getBoard } from "../engine/target/mod.ts";
import { elementCount } from "../engine/ir/mod.ts";
import { floatIoModel } from "../engine/builders/_test_float_io.ts";
import { runModel } from "./run.ts";
import { createRng } from "../engine/util/mod.ts";

/** Float inputs: random within range, ties (k + 0.5) * scale, their neighbours, far out of range. */
function inputs(count: number, scale: number, zp: number, seed: number): Float32Array[] {
  const rng = createRng(seed);
  return Array.from({ length: 4 }, (_, kind) => {
    const x = new Float32Array(count);
    const one = new Float32Array(1);
    const bits = new Uint32Array(one.buffer);
    for (let i = 0; i < count; i++) {
      const k = rng.int(300) - 150 - zp;
      if (kind === 0) x[i] = (rng.next() * 256 - 128 - zp) * scale;
      else if (kind === 1) x[i] = (k + 0.5) * scale;
      else if (kind === 2) {
        one[0] = (k + 0.5) * scale;
        bits[0] = bits[0]! + (rng.int(2) ? 1 : -1);
        x[i] = one[0]!;
      } else x[i] = (rng.next() - 0.5) * 10 ** rng.int(12) * scale;
    }
    return x;
  });
}

for (const board of ["stm32f746", "stm32f412"]) {
  Deno.test(`a float-I/O model from the writer is bit-exact on both engines on ${board}`, async () => {
    const g = floatIoModel();
    assert.equal(g.tensors[g.inputs[0]!]!.dtype, "float32");
    assert.equal(g.tensors[g.outputs[0]!]!.dtype, "float32");
    const quantize = g.nodes.find((n) => n.op === "QUANTIZE")!;
    const q = g.tensors[quantize.outputs[0]!]!.quant!;
    const n = elementCount(g.tensors[g.inputs[0]!]!.shape);
    for (const [i, x] of inputs(n, q.scale[0]!, q.zeroPoint[0]!, 11).entries()) {
      for (const engine of ["tinyengine", "tflm"] as const) {
        const r = await runModel(g, {
          engine,
          board: getBoard(board),
          input: new Uint8Array(x.buffer),
          cacheDir: ".cache/firmware",
        });
        assert.ok(r.referenceMatch, `${engine} input kind ${i} differs from the reference`);
        const layer = r.layers.find((l) => l.op.startsWith("QUANTIZE"))!;
        assert.ok(
          layer.instructions / n <= 12,
          `${engine} QUANTIZE costs ${layer.instructions / n} instructions per element`,
        );
      }
    }
  });
}
