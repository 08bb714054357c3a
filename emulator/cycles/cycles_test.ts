import assert from "node:assert/strict";
import { getBoard } from "../../engine/target/mod.ts";
import { buildFirmware } from "../../engine/build/mod.ts";
import { convCase } from "../_conv_fixture.ts";
import { parseElf, SymbolMap } from "../elf.ts";
import { buildNativeHelper } from "../native/build.ts";
import { runFirmware } from "../run.ts";
import { SNIPPETS, snippetSources } from "./_snippets.ts";
import { decodeBlock, elfCodeReader, priceBlocks } from "./mod.ts";

await buildNativeHelper();

for (const boardName of ["stm32f412", "stm32f746"]) {
  const board = getBoard(boardName);
  Deno.test(`hand-written snippets cost exactly the documented cycles on ${board.core}`, async () => {
    const fw = await buildFirmware(snippetSources(), { board });
    const r = runFirmware(fw, { blocks: true });
    const elf = parseElf(fw.elf);
    const symbols = new SymbolMap(elf.symbols);
    const priced = priceBlocks(
      r.blocks!,
      elfCodeReader(elf, fw.elf),
      board.core,
      undefined,
      board.flash,
    );
    const got: Record<string, number> = {};
    const want: Record<string, number> = {};
    for (const s of SNIPPETS) {
      const sym = symbols.get(s.name)!;
      const start = sym.value & ~1;
      got[s.name] = priced
        .filter((p) => p.block.address >= start && p.block.address < start + sym.size)
        .reduce((sum, p) => sum + p.coreCycles, 0);
      want[s.name] = s.expected[board.core];
    }
    assert.deepEqual(got, want);
  });
}

Deno.test("the decoder classifies the instructions the kernels use", () => {
  const hw = (...h: number[]) => new Uint8Array(h.flatMap((x) => [x & 0xff, x >> 8]));
  const cls = (...h: number[]) => decodeBlock(hw(...h), 0x08000000).map((i) => i.cls);
  assert.deepEqual(cls(0xfb22, 0x1103), ["mac"]); // smlad r1, r2, r3, r1
  assert.deepEqual(cls(0xfb22, 0xf103), ["mul"]); // smuad r1, r2, r3
  assert.deepEqual(cls(0xf990, 0x1000), ["load"]); // ldrsb.w r1, [r0]
  assert.deepEqual(cls(0xfa2f, 0xf182), ["extend"]); // sxtb16 r1, r2
  assert.deepEqual(cls(0xf301, 0x0207), ["sat"]); // ssat r2, #8, r1
  assert.deepEqual(cls(0xe8bd, 0x80f0), ["load-multiple"]); // pop.w {r4-r7, pc}
  assert.deepEqual(cls(0xbf18, 0x2001), ["it", "alu"]); // it ne; movne r0, #1
  assert.deepEqual(cls(0xee07, 0x0a10), ["vfp-move"]); // vmov s14, r0
  assert.deepEqual(cls(0xee27, 0x7a27), ["vfp-alu"]); // vmul.f32 s14, s14, s15
  assert.deepEqual(cls(0xfbb0, 0xf0f1), ["div"]); // udiv r0, r0, r1
  const pop = decodeBlock(hw(0xe8bd, 0x80f0), 0)[0]!;
  assert.equal(pop.transfers, 5);
  assert.ok(pop.writesPc);
});

for (const boardName of ["stm32f412", "stm32f746"]) {
  const board = getBoard(boardName);
  Deno.test(`a convolution's cycle report on ${board.name} adds up and includes memory stalls`, async () => {
    const conv = convCase({ height: 8, width: 8, inChannels: 8, outChannels: 8, seed: 3 });
    const fw = await buildFirmware(conv.sources, { board });
    const timing = board.timing;
    const r = runFirmware(fw, {
      inputs: { mcu_input: conv.input },
      cycleModel: { clockHz: board.clockHz, ...(timing ? { timing } : {}) },
    });
    const c = r.cycles!;
    assert.ok(c.inference.idealCycles > r.inferenceInstructions * 0.5);
    assert.ok(c.inference.cycles >= c.inference.idealCycles);
    assert.ok(c.total.cycles > c.inference.cycles);
    assert.ok(c.total.cycles > c.total.idealCycles, "cold Flash misses cost something");
    assert.ok(Math.abs(c.inference.latencyMs - c.inference.cycles / board.clockHz * 1e3) < 1e-9);
    assert.ok(c.inference.energyMj > 0);
  });
}
