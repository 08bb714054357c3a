/**
 * The recurrent test models are valid, survive the writer and reader, and SVDF's integer result
 * agrees with a float evaluation of its formula from the dequantized tensors.
 */
import { realValues } from "../reference/_test_util.ts";
import assert from "node:assert/strict";
import { dequantizeValue } from "../quant/mod.ts";
import { interpret } from "../reference/mod.ts";
import { readTflite, writeTflite } from "../tflite/mod.ts";
import { lstmModel, svdfModel } from "./mod.ts";

Deno.test("recurrent test models round-trip through the writer and reader", () => {
  for (let seed = 1; seed <= 12; seed++) {
    for (const g of [lstmModel({ seed }), svdfModel({ seed })]) {
      const back = readTflite(writeTflite(g));
      assert.deepEqual(back.nodes.map((n) => n.options), g.nodes.map((n) => n.options));
      const x = new Int8Array(g.tensors[g.inputs[0]!]!.shape.reduce((a, b) => a * b, 1));
      for (let i = 0; i < x.length; i++) x[i] = ((i * 37 + seed) % 256) - 128;
      assert.deepEqual(interpret(back, [x]).outputs, interpret(g, [x]).outputs);
    }
  }
});

Deno.test("SVDF agrees with a float evaluation of its formula within one step", () => {
  for (let seed = 1; seed <= 8; seed++) {
    const g = svdfModel({ seed });
    const node = g.nodes[0]!;
    const t = (k: number) => g.tensors[node.inputs[k]!]!;
    const x = new Int8Array(t(0).shape[0]! * t(0).shape[1]!);
    for (let i = 0; i < x.length; i++) x[i] = ((i * 73 + seed * 29) % 256) - 128;
    const got = new Int8Array(interpret(g, [x]).outputs[0]!.buffer);
    const [B, I] = t(0).shape as [number, number];
    const F = t(1).shape[0]!, M = t(2).shape[1]!;
    const rank = (node.options as { rank: number }).rank;
    const iq = t(0).quant!, sq = t(4).quant!, oq = g.tensors[node.outputs[0]!]!.quant!;
    const wf = realValues(t(1)), wt = realValues(t(2));
    const bias = node.inputs[3] === -1 ? undefined : realValues(t(3));
    const stateMax = 32767 * sq.scale[0]!;
    for (let b = 0; b < B; b++) {
      for (let u = 0; u < F / rank; u++) {
        let acc = bias ? bias[u]! : 0;
        for (let r = 0; r < rank; r++) {
          const f = u * rank + r;
          let dot = 0;
          for (let i = 0; i < I; i++) {
            dot += wf[f * I + i]! * dequantizeValue(x[b * I + i]!, iq.scale[0]!, iq.zeroPoint[0]!);
          }
          // Only the newest state column is non-zero after one step from the reset state.
          acc += Math.max(-stateMax - sq.scale[0]!, Math.min(stateMax, dot)) * wt[f * M + M - 1]!;
        }
        const want = Math.max(
          -128,
          Math.min(127, Math.round(acc / oq.scale[0]! + oq.zeroPoint[0]!)),
        );
        const have = got[b * (F / rank) + u]!;
        assert.ok(Math.abs(have - want) <= 1, `seed ${seed} unit ${u}: ${have} vs float ${want}`);
      }
    }
  }
});
