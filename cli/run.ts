/**
 * `mcu run MODEL --engine E --board B [--input FILE] [--json]`: compile, build, emulate, compare
 * with the reference interpreter, and print the measurements (a readable summary or one JSON
 * object).
 *
 * @module
 */
import { readBoundedFile } from "../engine/util/mod.ts";
import { type ModelRunReport, runModel } from "../pipeline/mod.ts";
import { type CommandIo, CONSOLE_IO, modelTarget, orUserError, userPath } from "./_common.ts";
export { type CommandIo, engineArg, isUserError, loadModelArg } from "./_common.ts";

/** Largest --input file read: more than any board's SRAM holds. */
const MAX_INPUT_BYTES = 64 * 1024 * 1024;

async function readInput(path: string): Promise<Uint8Array> {
  try {
    return await readBoundedFile(path, MAX_INPUT_BYTES, "input file");
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.PermissionDenied) {
      throw new TypeError(`Cannot read input file '${path}': ${e.message.split(":")[0]}`);
    }
    throw e;
  }
}

const int = (n: number) => n.toLocaleString("en-US");
const ms = (n: number | undefined) => n === undefined ? "—" : n.toFixed(n >= 100 ? 1 : 3);

/** The readable summary `run` prints (`ideal`: the zero-wait-state time beside the modelled one). */
export function formatRunReport(r: ModelRunReport, ideal = false): string[] {
  const perMac = r.macs > 0 ? ` (${(r.instructions / r.macs).toFixed(2)} per MAC)` : "";
  const lines = [
    `Model:        ${r.model}`,
    `Engine:       ${r.engine} on ${r.board} (${r.core})${
      r.measuredOn !== r.board ? `, measured on ${r.measuredOn}` : ""
    }`,
    `MACs:         ${int(r.macs)}`,
    `Instructions: ${int(r.instructions)} inference${perMac}, ${int(r.initInstructions)} init`,
    `Modelled:     ${ms(r.latencyMs)} ms, ${int(r.cycles ?? 0)} cycles, ${
      (r.energyMj ?? 0).toFixed(3)
    } mJ per inference${
      ideal
        ? `; zero wait states ${ms(r.idealLatencyMs)} ms, ${int(r.idealCycles ?? 0)} cycles`
        : ""
    } (docs/cycle-model.md)`,
    `Peak SRAM:    ${int(r.peakSramBytes)} B (static ${int(r.staticSramBytes)} + stack ${
      int(r.stackBytes)
    })`,
    `Arena:        ${int(r.arenaBytes)} B planned (head ${int(r.plan.headBytes)} + tail ${
      int(r.plan.tailBytes)
    }, largest scratch ${int(r.plan.scratchBytes)}, ${r.plan.planner})`,
    `Flash:        ${int(r.flashBytes)} B (model ${int(r.flashModelBytes)} + code ${
      int(r.flashCodeBytes)
    })`,
    `Fits:         ${r.fits ? "yes" : `no, ${r.message ?? "does not fit"}`}`,
    `Reference:    ${r.referenceMatch ? "bit-exact match" : "MISMATCH"}`,
    `Output:       [${r.output.slice(0, 16).join(", ")}${r.output.length > 16 ? ", ..." : ""}]`,
    `Firmware:     sha256 ${r.firmwareSha256}`,
    "",
    "  #  op                    MACs  instructions  per MAC      cycles        ms        mJ",
  ];
  for (const l of r.layers) {
    const per = l.macs > 0 ? (l.instructions / l.macs).toFixed(2) : "";
    lines.push(
      `${String(l.index).padStart(3)}  ${l.op.padEnd(18)} ${int(l.macs).padStart(10)}  ${
        int(l.instructions).padStart(12)
      }  ${per.padStart(7)}  ${int(l.cycles ?? 0).padStart(10)}  ${ms(l.latencyMs).padStart(8)}  ${
        (l.energyMj ?? 0).toFixed(4).padStart(8)
      }`,
    );
  }
  return lines;
}

/**
 * Run the `run` command; returns the exit code (0 ok, 1 error or reference mismatch).
 *
 * @example
 * ```ts ignore
 * const code = await runCommand("mbv2-w0.35-r144", { engine: "tflm", board: "stm32f746", json: true });
 * ```
 */
export async function runCommand(
  model: string,
  opts: {
    engine: string;
    board: string;
    input?: string;
    json: boolean;
    ideal?: boolean;
    io?: string;
  },
  io: CommandIo = CONSOLE_IO,
): Promise<number> {
  const report = await orUserError(io, async () => {
    const { engine, board, graph } = await modelTarget(model, opts);
    const input = opts.input !== undefined ? await readInput(userPath(opts.input)) : undefined;
    return await runModel(graph, {
      engine,
      board,
      modelName: model,
      cacheDir: ".cache/firmware",
      ...(input !== undefined ? { input } : {}),
    });
  });
  if (report === undefined) return 1;
  if (opts.json) io.out(JSON.stringify(report));
  else for (const line of formatRunReport(report, opts.ideal ?? false)) io.out(line);
  return report.referenceMatch ? 0 : 1;
}
