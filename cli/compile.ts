/**
 * `mcu compile MODEL --engine E --board B --out DIR`: write a buildable C project for a model —
 * the sources, `firmware.elf`, `plan.json` and a `build.sh` holding the exact gcc command (run it
 * inside DIR to rebuild the same ELF).
 *
 * @module
 */
import { ToolchainError } from "../engine/target/mod.ts";
import { DoesNotFitError, shortfalls } from "../engine/target/mod.ts";
import { MIN_STACK_BYTES } from "../engine/build/mod.ts";
import { buildFirmware } from "../engine/build/mod.ts";
import { buildForBoard, compileModel, sramPeakText } from "../pipeline/mod.ts";
import { type CommandIo, CONSOLE_IO, modelTarget, orUserError, userPath } from "./_common.ts";

function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_.,=/:+-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

/**
 * Run the `compile` command; returns the exit code (0 ok, 1 error).
 *
 * @example
 * ```ts ignore
 * const code = await compileCommand("resnet8", { engine: "tflm", board: "stm32f746", out: "build/r8" });
 * ```
 */
export async function compileCommand(
  model: string,
  opts: { engine: string; board: string; out: string; io?: string },
  io: CommandIo = CONSOLE_IO,
): Promise<number> {
  const done = await orUserError(io, async () => {
    const { engine, board, graph } = await modelTarget(model, opts);
    const compiled = compileModel(graph, { engine, board });
    const out = userPath(opts.out).replace(/\/+$/, "") || ".";
    let image;
    try {
      image = await buildFirmware(compiled.sources, { board, workDir: out });
    } catch (e) {
      if (!(e instanceof ToolchainError)) throw e;
      // The link failed: link on an enlarged memory map to learn what the model needs, and let
      // the one fit check say whether that is why.
      const { image: big } = await buildForBoard(compiled, board, undefined);
      const s = big.sections;
      const need = {
        sramBytes: s.data + s.bss + s.noinit + MIN_STACK_BYTES,
        flashBytes: big.flashBytes,
        peak: sramPeakText(graph, compiled),
      };
      if (shortfalls(need, board).length > 0) {
        const err = new DoesNotFitError(model, board, need);
        // The project folder is written but incomplete: say so.
        err.message += `. The C sources are in ${out}, but firmware.elf was not built ` +
          "(`mcu run` measures the model on an enlarged memory map)";
        throw err;
      }
      throw e;
    }
    await Deno.writeFile(`${out}/firmware.elf`, image.elf);
    await Deno.remove(`${out}/${compiled.sources.name}.elf`).catch(() => {});
    const command = image.command.map((a) =>
      a === `${compiled.sources.name}.elf` ? "firmware.elf" : a
    );
    await Deno.writeTextFile(
      `${out}/build.sh`,
      `#!/bin/sh\n# Rebuilds firmware.elf for ${board.name} (${board.core}) from the files here.\nset -e\ncd "$(dirname "$0")"\n${
        command.map(shellQuote).join(" ")
      }\n`,
    );
    await Deno.chmod(`${out}/build.sh`, 0o755).catch(() => {});
    const plan = {
      model,
      engine,
      board: board.name,
      inputSymbol: compiled.inputSymbol,
      outputSymbol: compiled.outputSymbol,
      ...compiled.plan,
      layers: compiled.layers,
      firmwareSha256: image.sha256,
      flashBytes: image.flashBytes,
      sections: image.sections,
    };
    await Deno.writeTextFile(`${out}/plan.json`, JSON.stringify(plan, null, 2) + "\n");
    io.out(
      `Wrote ${out}: ${
        Object.keys(compiled.sources.files).length
      } source files, firmware.elf (${image.flashBytes} B Flash), plan.json (arena ${compiled.plan.arenaBytes} B), build.sh`,
    );
    return true;
  });
  return done ? 0 : 1;
}
