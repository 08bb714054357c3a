import { ok } from "node:assert/strict";
import { tensorBytes } from "../ir/mod.ts";
import { interpret } from "../reference/mod.ts";
import { createRng } from "../util/mod.ts";
import { buildModel } from "./mod.ts";
import { testWithConfigs } from "../../engine/util/_test_shared.ts";

/**
 * Runs a built model on a seeded random input with the reference interpreter and checks that
 * every activation spreads over the int8 range: few values clamp at the range ends and many
 * distinct values survive, so kernels are exercised on realistic data.
 */
function checkSpread(spec: string): void {
  const g = buildModel(spec);
  const input = g.tensors[g.inputs[0]!]!;
  const bytes = new Uint8Array(tensorBytes(input));
  const rng = createRng(7);
  for (let i = 0; i < bytes.length; i++) bytes[i] = rng.int(256);
  const { tensors } = interpret(g, [bytes], { captureAll: true });
  g.nodes.forEach((node, i) => {
    const index = node.outputs[0]!;
    const t = g.tensors[index]!;
    const raw = tensors!.get(index)!;
    const values = new Int8Array(raw.buffer, raw.byteOffset, raw.byteLength);
    const zeroPoint = t.quant!.zeroPoint[0]!;
    let clamped = 0;
    const distinct = new Set<number>();
    for (const v of values) {
      // A ReLU output sits at its zero point (-128) for negative sums; only the top end clamps.
      if (v === 127 || (v === -128 && zeroPoint !== -128)) clamped++;
      distinct.add(v);
    }
    const where = `${spec} op ${i} ${node.op} '${t.name}'`;
    ok(clamped / values.length < 0.08, `${where}: ${clamped} of ${values.length} values clamp`);
    const minDistinct = Math.min(24, Math.ceil(values.length / 4));
    ok(distinct.size >= minDistinct, `${where}: only ${distinct.size} distinct values`);
  });
}

testWithConfigs("built MBConv models keep activations inside the int8 range", () => {
  checkSpread("mcunet-5fps-r64");
  checkSpread("mbv2-w0.35-r64");
  checkSpread("proxyless-w0.3-r64");
  checkSpread("mcunet-10fps");
});

Deno.test("built MobileNetV1 and ResNet-8 keep activations inside the int8 range", () => {
  checkSpread("mbv1-w0.25-r96-c2");
  checkSpread("resnet8");
});
