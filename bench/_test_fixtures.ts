/**
 * Constructed records for the bench's tests (not measurements: the numbers are made up).
 *
 * @module
 */
import type { EngineName } from "../engine/codegen/mod.ts";
import type { MeasureOutcome } from "./measure.ts";
import type { BenchCase, BenchJob, BenchRow, MeasuredReport } from "./types.ts";

/** A made-up measurement whose figures derive from `seed`. */
export function fakeReport(
  model: string,
  engine: EngineName,
  board: string,
  seed = 1,
): MeasuredReport {
  const te = engine === "tinyengine";
  const macs = 1_000_000 * seed;
  const layers = [0, 1, 2].map((index) => ({
    index,
    op: index === 1 ? "DEPTHWISE_CONV_2D" : "CONV_2D",
    macs: macs / 3,
    instructions: Math.round((macs / 3) * (te ? 2 : 5)) + index,
  }));
  const head = te ? 40_000 * seed : 90_000 * seed;
  return {
    model,
    engine,
    board,
    core: board === "stm32f412" ? "cortex-m4" : "cortex-m7",
    macs,
    instructions: layers.reduce((s, l) => s + l.instructions, 0),
    initInstructions: te ? 0 : 5_000,
    peakSramBytes: head + 6_000,
    staticSramBytes: head + 2_000,
    stackBytes: 4_000,
    arenaBytes: head + (te ? 0 : 3_000),
    plan: {
      arenaBytes: head + (te ? 0 : 3_000),
      headBytes: head,
      tailBytes: te ? 0 : 3_000,
      scratchBytes: 1_000,
      planner: te ? "tinyengine" : "greedy",
    },
    flashBytes: 300_000 * seed,
    flashModelBytes: 250_000 * seed,
    flashCodeBytes: 50_000 * seed,
    fits: true,
    fitsSram: true,
    fitsFlash: true,
    referenceMatch: true,
    outputLength: 10,
    layers,
    firmwareSha256: "0".repeat(64),
  };
}

/** A case from a builder spec. */
export function fakeCase(
  id: string,
  boards: readonly string[] = ["stm32f746"],
  suite = "paper",
): BenchCase {
  return { id, suite, label: id, source: { kind: "builder", spec: id }, boards };
}

/** A successful row. */
export function fakeRow(
  model: string,
  engine: EngineName,
  board: string,
  seed = 1,
  suite = "paper",
): BenchRow {
  return {
    id: `${model}|${engine}|${board}`,
    model,
    label: model,
    suite,
    engine,
    board,
    modelHash: "ab".repeat(32),
    report: fakeReport(model, engine, board, seed),
    // tinyengine's plan equals its (in-place) bound; tflm's bound is smaller than its head.
    livenessLowerBoundBytes: (engine === "tinyengine" ? 40_000 : 30_000) * seed,
    memoryProfile: [
      { step: 0, liveBytes: 10_000 * seed },
      { step: 1, liveBytes: (engine === "tinyengine" ? 40_000 : 90_000) * seed },
      { step: 2, liveBytes: 20_000 * seed },
    ],
  };
}

/** An executor that measures with {@link fakeReport} and fails the models listed in `fail`. */
export function fakeExecutor(
  options: { readonly fail?: readonly string[]; readonly calls?: string[] } = {},
): (job: BenchJob) => Promise<MeasureOutcome> {
  return (job) => {
    options.calls?.push(job.id);
    if (options.fail?.includes(job.case.id)) {
      return Promise.resolve({ ok: false, error: "run: ToolchainError: compile error in model.c" });
    }
    const seed = job.case.id.length % 5 + 1;
    const row = fakeRow(job.case.id, job.engine, job.board, seed);
    return Promise.resolve({
      ok: true,
      value: {
        report: fakeReport(job.case.id, job.engine, job.board, seed),
        ...(row.livenessLowerBoundBytes !== undefined
          ? { livenessLowerBoundBytes: row.livenessLowerBoundBytes }
          : {}),
        ...(row.memoryProfile ? { memoryProfile: row.memoryProfile } : {}),
      },
    });
  };
}
