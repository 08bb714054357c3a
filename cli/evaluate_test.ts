import assert from "node:assert/strict";
import { buildModel } from "../engine/builders/mod.ts";
import { interpret } from "../engine/reference/mod.ts";
import { createRng } from "../engine/util/mod.ts";
import { buildNativeHelper } from "../emulator/mod.ts";
import type { CommandIo } from "./_common.ts";
import { evaluateCommand } from "./evaluate.ts";

// Needs arm-none-eabi-gcc, libunicorn and cc (a ToolchainError names `deno task setup`).
await buildNativeHelper();

const MODEL = "mbv1-w0.25-r16-c4";
const graph = buildModel(MODEL);
const SIZE = 16 * 16 * 3;
const rng = createRng(5);
const inputs = Array.from(
  { length: 6 },
  () => Uint8Array.from({ length: SIZE }, () => rng.int(256)),
);
const classOf = (x: Uint8Array) => {
  const out = new Int8Array(interpret(graph, [x]).outputs[0]!.buffer);
  let best = 0;
  for (let i = 1; i < out.length; i++) if (out[i]! > out[best]!) best = i;
  return best;
};
const truth = inputs.map(classOf);

function capture(): { io: CommandIo; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t) => out.push(t), err: (t) => err.push(t) }, out, err };
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "mcu-evaluate-cli-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const base = { engine: "tinyengine", board: "stm32f412", json: false };

Deno.test("run --inputs FOLDER --labels FILE prints bit-exactness and accuracy", async () => {
  await withDir(async (dir) => {
    await Deno.mkdir(`${dir}/in`);
    for (const [i, x] of inputs.entries()) await Deno.writeFile(`${dir}/in/img${i}.bin`, x);
    // IDX1 labels with the last one wrong: 5 of 6 right.
    const labels = [...truth.slice(0, 5), (truth[5]! + 1) % 4];
    const idx = new Uint8Array(8 + labels.length);
    new DataView(idx.buffer).setUint32(0, 0x801);
    new DataView(idx.buffer).setUint32(4, labels.length);
    idx.set(labels, 8);
    await Deno.writeFile(`${dir}/labels.idx`, idx);
    const c = capture();
    const code = await evaluateCommand(
      MODEL,
      { ...base, inputs: `${dir}/in`, labels: `${dir}/labels.idx` },
      c.io,
    );
    assert.equal(code, 0, c.err.join("\n"));
    const text = c.out.join("\n");
    assert.match(text, /Inputs: +6, one firmware/);
    assert.match(text, /every output bit-exact/);
    assert.match(text, /Accuracy: +83\.33% on device, 83\.33% reference/);
  });
});

Deno.test("run --inputs FILE --json gives one object with every prediction", async () => {
  await withDir(async (dir) => {
    const all = new Uint8Array(inputs.length * SIZE);
    inputs.forEach((x, i) => all.set(x, i * SIZE));
    await Deno.writeFile(`${dir}/all.bin`, all);
    const c = capture();
    const code = await evaluateCommand(
      MODEL,
      { ...base, json: true, inputs: `${dir}/all.bin` },
      c.io,
    );
    assert.equal(code, 0, c.err.join("\n"));
    const r = JSON.parse(c.out.join(""));
    assert.deepEqual(r.predictions, truth);
    assert.equal(r.outputMismatches, 0);
    assert.equal(r.count, 6);
  });
});

Deno.test("run --inputs refuses inputs and labels of the wrong size with one clear line", async () => {
  await withDir(async (dir) => {
    await Deno.writeFile(`${dir}/odd.bin`, new Uint8Array(SIZE + 1));
    await Deno.mkdir(`${dir}/in`);
    await Deno.writeFile(`${dir}/in/a.bin`, inputs[0]!);
    await Deno.writeFile(`${dir}/in/b.bin`, new Uint8Array(10));
    await Deno.writeFile(`${dir}/two.bin`, new Uint8Array([1, 2]));
    const cases: [Partial<typeof base> & { inputs: string; labels?: string }, RegExp][] = [
      [{ inputs: `${dir}/odd.bin` }, /769 bytes is not a whole number of inputs of 768 bytes/],
      [{ inputs: `${dir}/in` }, /b\.bin': 10 bytes, expected 768/],
      [{ inputs: `${dir}/missing` }, /no such file or folder/],
      [{ inputs: `${dir}/in/a.bin`, labels: `${dir}/missing` }, /Cannot read labels/],
    ];
    for (const [opts, pattern] of cases) {
      const c = capture();
      assert.equal(await evaluateCommand(MODEL, { ...base, ...opts }, c.io), 1);
      assert.equal(c.err.length, 1);
      assert.match(c.err[0]!, pattern);
    }
    const all = new Uint8Array(3 * SIZE);
    await Deno.writeFile(`${dir}/three.bin`, all);
    const c = capture();
    const code = await evaluateCommand(
      MODEL,
      { ...base, inputs: `${dir}/three.bin`, labels: `${dir}/two.bin` },
      c.io,
    );
    assert.equal(code, 1);
    assert.match(c.err[0]!, /2 labels for 3 inputs/);
  });
});
