import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fakeRow } from "./_test_fixtures.ts";
import { loadAnchors } from "./anchors.ts";
import { writeOutputs } from "./bench.ts";
import { mergeResults } from "./merge.ts";
import { memoryProfileSpec, renderSvg, sramVsInstructionsSpec } from "./plots.ts";
import { resultsCsv, resultsJson } from "./results.ts";
import { selectShard } from "./shard.ts";
import { renderReport } from "./tables.ts";
import type { BenchRow, ResultsMeta } from "./types.ts";

const META: ResultsMeta = { codeVersion: "c0de".repeat(16), suites: ["paper"], notes: [] };

function rows(): BenchRow[] {
  const out: BenchRow[] = [];
  for (
    const [model, boards, seed] of [
      ["mcunet-320kb-1mb", ["stm32f746", "stm32h743"], 3],
      ["mcunet-10fps", ["stm32f746"], 1],
    ] as const
  ) {
    for (const board of boards) {
      for (const engine of ["tinyengine", "tflm"] as const) {
        out.push(fakeRow(model, engine, board, seed));
      }
    }
  }
  const { report: _r, ...failed } = fakeRow("mbv2-w0.35-r64", "tflm", "stm32f746");
  out.push({ ...failed, error: "run: ToolchainError: model.c:1: error" });
  return out;
}

Deno.test("results.json, results.csv and report.md do not depend on row order", () => {
  const a = rows();
  const b = [...a].reverse();
  assert.equal(resultsJson(a, META), resultsJson(b, META));
  assert.equal(resultsCsv(a), resultsCsv(b));
  const opts = { anchors: loadAnchors() };
  assert.equal(renderReport(a, META, opts), renderReport(b, META, opts));
});

Deno.test("report.md has the paper table with published numbers and sources, and the failed job", () => {
  const md = renderReport(rows(), META, { anchors: loadAnchors() });
  assert.match(md, /emulator measurements/);
  assert.match(md, /- bit-exact against the reference interpreter: 6 of 6 measured jobs/);
  assert.match(
    md,
    /- tinyengine \/ tflm, median over 3 \(model, board\) pairs: peak SRAM 0\.\d\dx/,
  );
  assert.match(md, /measured on real boards/);
  // MCUNet 320kB on the F746: the paper's TinyEngine and TF-Lite Micro figures.
  assert.match(
    md,
    /\| mcunet-320kb-1mb \| stm32f746 \| .* \| 293 \/ 897 \/ 1075 ms \| 560 \/ 1088 \/ OOM \| — \| .* \| mcunet-paper \|/,
  );
  // On the H743: the TinyEngine README row, X-CUBE-AI included.
  assert.match(
    md,
    /\| mcunet-320kb-1mb \| stm32h743 \| .* \| 260 \/ 835 \/ 336 ms \| 493 \/ 1091 \/ 7821 ms \| 243 \/ 867 \/ 414 ms \|/,
  );
  assert.match(md, /## TF-Lite Micro baseline/);
  assert.match(
    md,
    /\| mbv2-w0.35-r64 \| tflm \| stm32f746 \| run: ToolchainError: model.c:1: error \|/,
  );
  assert.match(md, /\| mcunet-10fps \| tinyengine \| yes\* \| yes\* \| yes \| yes\* \|/);
});

Deno.test("results.csv has a header and one line per job with instructions per MAC", () => {
  const csv = resultsCsv(rows()).trimEnd().split("\n");
  assert.equal(csv.length, 1 + 7);
  assert.match(
    csv[0]!,
    /^id,suite,model,engine,board,status,macs,instructions,instructionsPerMac,/,
  );
  assert.ok(
    csv.some((l) =>
      l.startsWith("mbv2-w0.35-r64|tflm|stm32f746,paper,mbv2-w0.35-r64,tflm,stm32f746,error,")
    ),
  );
});

Deno.test("plots have labelled axes with units and the board SRAM line", async () => {
  const spec = memoryProfileSpec("mcunet-320kb-1mb", rows());
  assert.ok(spec);
  const svg = await renderSvg(spec.spec);
  assert.match(svg, /<svg/);
  assert.match(svg, /live arena memory \(kB = 1024 B\)/);
  assert.match(svg, /op step \(execution order\)/);
  assert.match(svg, /stm32f746 SRAM 320 kB/);
  assert.match(svg, /stm32h743 SRAM 512 kB/);
  const all = await renderSvg(sramVsInstructionsSpec(rows())!.spec);
  assert.match(all, /inference instructions \(millions, log scale\)/);
  assert.match(all, /measured peak SRAM \(kB = 1024 B\)/);
});

Deno.test("merging shard results gives the same files as one full run", async () => {
  const tmp = Deno.makeTempDirSync();
  try {
    const all = rows();
    await writeOutputs(all, META, join(tmp, "full"));
    for (const index of [1, 2, 3]) {
      const part = selectShard(all, { index, count: 3 });
      await writeOutputs(part, { ...META, shard: `${index}/3` }, join(tmp, `s${index}`), {
        plots: false,
      });
    }
    const merged = mergeResults([join(tmp, "s3"), join(tmp, "s1"), join(tmp, "s2")]);
    await writeOutputs(merged.rows, merged.meta, join(tmp, "merged"));
    for (
      const f of ["results.json", "results.csv", "report.md", "plots/sram_vs_instructions.svg"]
    ) {
      assert.equal(
        readFileSync(join(tmp, "merged", f), "utf8"),
        readFileSync(join(tmp, "full", f), "utf8"),
        `${f} differs`,
      );
    }
  } finally {
    Deno.removeSync(tmp, { recursive: true });
  }
});
