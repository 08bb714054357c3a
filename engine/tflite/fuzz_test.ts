/**
 * Seeded fuzzing of the reader: real models with bytes overwritten, bits flipped, 32-bit offsets
 * replaced by large or negative values, and truncations. Every case must either import (and then
 * validate and write again) or throw ModelFormatError / UnsupportedOpError, within a time bound.
 */

import assert from "node:assert/strict";
import { ModelFormatError, UnsupportedOpError } from "../ir/mod.ts";
import type { Graph } from "../ir/mod.ts";
import { createRng, type Rng } from "../util/mod.ts";
import { readTflite } from "./read_tflite.ts";
import { writeTflite } from "./write_tflite.ts";
import { FlatReader } from "./_flat.ts";
import { BUFFER, MODEL } from "./_schema.ts";
import { buildRawModel, modelBytes, sharedModels, skipNote } from "./_test_util.ts";
import { handBuiltGraphs } from "../ir/_test_graphs.ts";

/** `MCU_FUZZ_SEED` and `MCU_FUZZ_SCALE` (a case multiplier) allow longer runs by hand. */
function envNumber(name: string, dflt: number): number {
  try {
    const v = Number(Deno.env.get(name) ?? "");
    return Number.isFinite(v) && v > 0 ? v : dflt;
  } catch {
    return dflt;
  }
}

const SEED = envNumber("MCU_FUZZ_SEED", 0x5eed_2026);
const SCALE = envNumber("MCU_FUZZ_SCALE", 1);
/** Cases per model file; small files are cheap, so they get the same count. */
const CASES_PER_MODEL = Math.round(1500 * SCALE);
/** Cases per hand-built graph's file. */
const CASES_PER_GRAPH = Math.round(400 * SCALE);
/** Per-case bound; generous because the machine is shared. */
const CASE_LIMIT_MS = 2000;

/** Byte ranges of constant data (weights) inside a model, to steer mutations elsewhere. */
function dataRanges(bytes: Uint8Array): [number, number][] {
  const model = new FlatReader(bytes).root("model");
  const buffers = model.vector(MODEL.buffers, "buffers", 4);
  const out: [number, number][] = [];
  for (let i = 0; i < (buffers?.length ?? 0); i++) {
    const v = model.tableAt(buffers!, i, "buffer").vector(BUFFER.data, "data", 1);
    if (v && v.length > 0) out.push([v.start, v.start + v.length]);
  }
  return out;
}

/** A position, 90% of the time outside weight data (where the structure is). */
function position(rng: Rng, size: number, data: [number, number][]): number {
  for (let tries = 0; tries < 64; tries++) {
    const p = rng.int(size);
    if (rng.next() < 0.1 || !data.some(([a, b]) => p >= a && p < b)) return p;
  }
  return rng.int(size);
}

const INT32_VALUES = [-1, -4, 0x7fffffff, -0x80000000, 0x40000000, 0xffff, 0x10000];

/** One mutated copy of `src`, and a description for failure messages. */
function mutate(rng: Rng, src: Uint8Array, data: [number, number][]): [Uint8Array, string] {
  const kind = rng.int(5);
  if (kind === 0) {
    const len = rng.int(src.length);
    return [src.slice(0, len), `truncate to ${len}`];
  }
  const out = src.slice();
  const view = new DataView(out.buffer);
  const edits: string[] = [];
  const count = 1 + rng.int(4);
  for (let e = 0; e < count; e++) {
    const p = position(rng, out.length, data);
    if (kind === 1) {
      const v = rng.int(256);
      out[p] = v;
      edits.push(`byte ${p}=${v}`);
    } else if (kind === 2) {
      const bit = rng.int(8);
      out[p] = out[p]! ^ (1 << bit);
      edits.push(`flip ${p}.${bit}`);
    } else {
      const at = Math.min(p & ~3, out.length - 4);
      const choice = rng.int(INT32_VALUES.length + 3);
      const v = INT32_VALUES[choice] ??
        (choice === INT32_VALUES.length
          ? out.length - at
          : choice === INT32_VALUES.length + 1
          ? view.getInt32(at, true) + (rng.int(64) - 32)
          : (rng.next() * 0x100000000) | 0);
      view.setInt32(at, v, true);
      edits.push(`int32 ${at}=${v}`);
    }
  }
  return [out, edits.join(", ")];
}

interface Tally {
  cases: number;
  imported: number;
  formatErrors: number;
  unsupported: number;
  slowestMs: number;
}

function fuzzFile(label: string, src: Uint8Array, seed: number, cases: number, t: Tally): void {
  const rng = createRng(seed);
  const data = dataRanges(src);
  for (let c = 0; c < cases; c++) {
    const [bytes, how] = mutate(rng, src, data);
    const start = performance.now();
    let g: Graph | undefined;
    try {
      g = readTflite(bytes);
    } catch (e) {
      if (e instanceof ModelFormatError) t.formatErrors++;
      else if (e instanceof UnsupportedOpError) t.unsupported++;
      else {
        assert.fail(`${label} case ${c} (${how}) threw ${String(e)}\n${(e as Error).stack}`);
      }
    }
    if (g) {
      t.imported++;
      // A graph that imports has validated, so it must also write and read back the same.
      if (c % 8 === 0) assert.deepEqual(readTflite(writeTflite(g)), g, `${label} case ${c}`);
    }
    const ms = performance.now() - start;
    t.slowestMs = Math.max(t.slowestMs, ms);
    assert.ok(ms < CASE_LIMIT_MS, `${label} case ${c} (${how}) took ${ms.toFixed(0)} ms`);
    t.cases++;
  }
}

function report(what: string, t: Tally): void {
  // deno-lint-ignore no-console
  console.log(
    `fuzz ${what} (seed ${SEED}): ${t.cases} cases, ${t.imported} imported, ${t.formatErrors} ModelFormatError, ${t.unsupported} UnsupportedOpError, slowest ${
      t.slowestMs.toFixed(1)
    } ms`,
  );
}

const models = sharedModels();

Deno.test({
  name:
    `readTflite() throws only ModelFormatError or UnsupportedOpError on mutated shared models${skipNote()}`,
  ignore: models.length === 0,
  fn() {
    const t: Tally = { cases: 0, imported: 0, formatErrors: 0, unsupported: 0, slowestMs: 0 };
    models.forEach((file, i) => fuzzFile(file, modelBytes(file), SEED + i, CASES_PER_MODEL, t));
    assert.equal(t.cases, models.length * CASES_PER_MODEL);
    report("shared models", t);
    // The mutations must reach the structure, not only the weights.
    assert.ok(t.formatErrors > t.cases / 4, `only ${t.formatErrors} of ${t.cases} cases failed`);
  },
});

Deno.test("readTflite() throws only ModelFormatError or UnsupportedOpError on mutated written graphs", () => {
  const t: Tally = { cases: 0, imported: 0, formatErrors: 0, unsupported: 0, slowestMs: 0 };
  handBuiltGraphs().forEach((g, i) =>
    fuzzFile(g.name, writeTflite(g), SEED ^ (i * 7919), CASES_PER_GRAPH, t)
  );
  report("hand-built graphs", t);
  assert.ok(t.formatErrors > t.cases / 4, `only ${t.formatErrors} of ${t.cases} cases failed`);
});

Deno.test("readTflite() stops within its work budget when many fields alias one large vector", () => {
  // 3000 tensors whose shapes all point at one 30000-element vector: in bounds everywhere,
  // but 90 million reads unless the budget (proportional to the file size) stops them.
  const bytes = buildRawModel({
    opcodes: [],
    ops: [],
    tensors: Array.from({ length: 3000 }, () => ({ shape: [], type: 0, buffer: 0 })),
    buffers: [null],
    sharedShape: Array.from({ length: 30000 }, () => 1),
  });
  const start = performance.now();
  assert.throws(() => readTflite(bytes), /refers to more data than a \d+-byte file can hold/);
  assert.ok(performance.now() - start < CASE_LIMIT_MS);
});
