/**
 * `mcu emu FIRMWARE.elf [--board B] [--budget N] [--json]`: run any ELF built for the harness in
 * the emulator and print what it measured.
 *
 * @module
 */
import { userPath } from "./_common.ts";
import { getBoard } from "../engine/target/mod.ts";
import { ToolchainError } from "../engine/target/mod.ts";
import {
  BudgetExceededError,
  ElfFormatError,
  EmulationFault,
  FirmwareError,
  MarkerError,
  runFirmware,
  type RunResult,
  UnicornError,
} from "../emulator/mod.ts";

/** Options of {@link emuCommand}. */
export interface EmuOptions {
  /** Board profile name (e.g. `stm32f746`). */
  readonly board: string;
  /** Print one JSON object instead of the table. */
  readonly json: boolean;
  /** Instruction budget (default: the emulator's). */
  readonly budget?: number;
}

/** Where the command writes; defaults to standard output and standard error. */
export interface EmuIo {
  /** Writes one chunk of the report (a newline is added). */
  readonly out: (text: string) => void;
  /** Writes one error line. */
  readonly err: (text: string) => void;
}

const encoder = new TextEncoder();
const STD_IO: EmuIo = {
  out: (text) => Deno.stdout.writeSync(encoder.encode(text + "\n")),
  err: (text) => Deno.stderr.writeSync(encoder.encode(text + "\n")),
};

const int = (n: number) => n.toLocaleString("en-US");
const pct = (n: number, of: number) => (of === 0 ? "-" : `${((100 * n) / of).toFixed(1)}%`);

function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ")
      .trimEnd()
  );
}

/** The human-readable report of one run. */
export function formatRunResult(path: string, r: RunResult): string[] {
  const lines = [
    `Firmware: ${path}`,
    `Board:    ${r.board} (${r.core}, Unicorn CPU model ${r.cpuModel})`,
    `Ended:    ${r.halt}, exit status ${r.exitStatus}`,
    "",
    ...table([
      ["instructions", "count"],
      ["total (reset to halt)", int(r.totalInstructions)],
      ["init", int(r.initInstructions)],
      [
        r.inferences > 1 ? `inference (${r.inferences} runs)` : "inference",
        int(r.inferenceInstructions),
      ],
    ]),
  ];
  if (r.layers.length > 0) {
    lines.push("");
    lines.push(...table([
      ["layer", "instructions", "of inference"],
      ...r.layers.map((l) => [
        `${l.index}${l.occurrences > 1 ? ` (x${l.occurrences})` : ""}`,
        int(l.instructions),
        pct(l.instructions, r.inferenceInstructions),
      ]),
    ]));
  }
  const s = r.sram;
  const f = r.flash;
  lines.push(
    "",
    ...table([
      ["memory", "bytes", "of board"],
      ["SRAM .data", int(s.dataBytes), ""],
      ["SRAM .bss", int(s.bssBytes), ""],
      ["SRAM .noinit", int(s.noinitBytes), ""],
      ["SRAM static", int(s.staticBytes), pct(s.staticBytes, s.size)],
      ["SRAM stack high-water", int(s.stackBytes), pct(s.stackBytes, s.size)],
      ["SRAM peak", int(s.peakBytes), pct(s.peakBytes, s.size)],
      ["Flash .text", int(f.sections.text), ""],
      ["Flash .rodata", int(f.sections.rodata), ""],
      ["Flash .data (initializers)", int(f.sections.data), ""],
      ["Flash image", int(f.bytes), pct(f.bytes, f.size)],
    ]),
  );
  if (r.profile && r.profile.length > 0) {
    lines.push("");
    lines.push(...table([
      ["function", "instructions", "share"],
      ...r.profile.map((p) => [p.symbol, int(p.instructions), `${(100 * p.share).toFixed(1)}%`]),
    ]));
  }
  if (s.stackReachedStatic) {
    lines.push("", "Warning: the stack reached the static data; it may have overflowed into it.");
  }
  lines.push("", `Markers: ${r.markers.length}`);
  return lines;
}

/** A JSON-ready copy of a run (outputs as int8 arrays). */
export function runResultJson(path: string, r: RunResult): Record<string, unknown> {
  const outputs: Record<string, number[]> = {};
  for (const [k, v] of Object.entries(r.outputs)) {
    outputs[k] = Array.from(new Int8Array(v.buffer, v.byteOffset, v.byteLength));
  }
  return { firmware: path, ...r, outputs };
}

const KNOWN_ERRORS = [
  ToolchainError,
  ElfFormatError,
  FirmwareError,
  EmulationFault,
  BudgetExceededError,
  MarkerError,
  UnicornError,
];

/**
 * Run the ELF at `elfPath` on `opts.board` and print the measurements: a readable table, or one
 * JSON object with `--json`. Returns the exit code: 0 measured, 1 the firmware could not be
 * measured (fault, budget, bad ELF, missing toolchain), 2 bad usage (unknown board, no file).
 *
 * @example
 * ```ts
 * const code = await emuCommand("firmware.elf", { board: "stm32f746", json: true });
 * ```
 */
export async function emuCommand(
  elfPath: string,
  opts: EmuOptions,
  io: EmuIo = STD_IO,
): Promise<number> {
  const fail = (code: number, e: Error) => {
    if (opts.json) {
      const detail: Record<string, unknown> = { name: e.name, message: e.message };
      for (const [k, v] of Object.entries(e)) if (typeof v !== "object") detail[k] = v;
      io.out(JSON.stringify({ firmware: elfPath, error: detail }, null, 2));
    } else io.err(`${e.name}: ${e.message}`);
    return code;
  };
  let board;
  let elf: Uint8Array;
  try {
    board = getBoard(opts.board);
    elf = await Deno.readFile(userPath(elfPath));
  } catch (e) {
    if (e instanceof RangeError) return fail(2, e);
    if (e instanceof Deno.errors.NotFound) {
      return fail(2, new Error(`Cannot read firmware '${elfPath}': no such file`));
    }
    throw e;
  }
  let result: RunResult;
  try {
    result = runFirmware({ elf, board }, {
      profile: true,
      ...(opts.budget === undefined ? {} : { budget: opts.budget }),
    });
  } catch (e) {
    if (KNOWN_ERRORS.some((k) => e instanceof k)) return fail(1, e as Error);
    throw e;
  }
  if (opts.json) io.out(JSON.stringify(runResultJson(elfPath, result), null, 2));
  else io.out(formatRunResult(elfPath, result).join("\n"));
  return 0;
}
