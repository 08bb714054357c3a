/**
 * `deno task mcu <command>`: the command tree. Thin on purpose: each action lazily imports its
 * implementation from `cli/`, so startup stays fast and each command is testable without the parser.
 *
 * @module
 */
// deno-lint-ignore-file no-console
import { Command, InvalidArgumentError, Option } from "commander";

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError("must be a positive integer");
  return n;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("must be a positive number");
  return n;
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new InvalidArgumentError("must be a non-negative integer");
  }
  return n;
}

const IO_HELP =
  "model: the model's own inputs and outputs; int8: drop a float boundary QUANTIZE/DEQUANTIZE (as TFLite's converter with int8 inference I/O)";

/** Build the `mcu` command tree; `exit` receives each command's exit code. */
export function buildProgram(exit: (code: number) => void): Command {
  const program = new Command("mcu")
    .description(
      "Compile int8 neural networks to Cortex-M firmware, measure them exactly in an emulator, " +
        "and search for the best network that fits a microcontroller",
    )
    .showHelpAfterError()
    .configureOutput({ outputError: (str, write) => write(str) });

  program.command("inspect")
    .description("Operators, tensors, MACs, parameters, activation sizes and liveness bounds")
    .argument("<model>", ".tflite file or built-in model name (e.g. mbv2-w0.35-r144)")
    .option("--json", "print one JSON object", false)
    .action(async (model: string, opts: { json: boolean }) => {
      const { inspectCommand } = await import("./cli/inspect.ts");
      exit(await inspectCommand(model, opts));
    });

  program.command("run")
    .description("Compile, build, emulate and compare with the reference interpreter")
    .argument("<model>", ".tflite file or built-in model name")
    .option("--engine <engine>", "tinyengine or tflm", "tinyengine")
    .option("--board <board>", "board profile", "stm32f746")
    .option(
      "--input <file>",
      "raw input bytes: int8 values, or little-endian float32 values for a float-input model (default: seeded random)",
    )
    .option("--io <mode>", IO_HELP, "model")
    .addOption(
      new Option(
        "--inputs <dir|file>",
        "classify many inputs with one firmware: a folder of raw input files or one concatenated file",
      ).conflicts("input"),
    )
    .option("--labels <file>", "with --inputs: one label byte per input (raw or IDX1, .gz ok)")
    .option("--json", "print one JSON object", false)
    .option("--ideal", "show the zero-wait-state modelled time beside the modelled one", false)
    .action(
      async (
        model: string,
        opts: {
          engine: string;
          board: string;
          input?: string;
          io: string;
          inputs?: string;
          labels?: string;
          json: boolean;
          ideal: boolean;
        },
      ) => {
        if (opts.inputs !== undefined) {
          const { evaluateCommand } = await import("./cli/evaluate.ts");
          const { input: _input, inputs, labels, ...rest } = opts;
          return exit(
            await evaluateCommand(model, {
              ...rest,
              inputs,
              ...(labels !== undefined ? { labels } : {}),
            }),
          );
        }
        if (opts.labels !== undefined) {
          console.error("error: --labels needs --inputs");
          return exit(1);
        }
        const { runCommand } = await import("./cli/run.ts");
        exit(await runCommand(model, opts));
      },
    );

  program.command("compile")
    .description("Write a buildable C project, firmware.elf and plan.json for a model")
    .argument("<model>", ".tflite file or built-in model name")
    .option("--engine <engine>", "tinyengine or tflm", "tinyengine")
    .option("--board <board>", "board profile", "stm32f746")
    .requiredOption("--out <dir>", "output folder")
    .option("--io <mode>", IO_HELP, "model")
    .action(
      async (model: string, opts: { engine: string; board: string; out: string; io: string }) => {
        const { compileCommand } = await import("./cli/compile.ts");
        exit(await compileCommand(model, opts));
      },
    );

  program.command("emu")
    .description("Run any ELF built for the harness in the emulator and print the measurements")
    .argument("<firmware>", "firmware ELF file")
    .option("--board <board>", "board profile", "stm32f746")
    .option("--budget <n>", "instruction budget", positiveInt)
    .option("--json", "print one JSON object", false)
    .action(async (elf: string, opts: { board: string; budget?: number; json: boolean }) => {
      const { emuCommand } = await import("./cli/emu.ts");
      exit(await emuCommand(elf, opts));
    });

  program.command("search")
    .description(
      "TinyNAS: stage 1 picks a (width, resolution) space, stage 2 evolves a network in it " +
        "under the board's SRAM, Flash and latency limits",
    )
    .option("--board <board>", "board profile", "stm32f746")
    .option("--classes <n>", "classifier classes", positiveInt, 1000)
    .option("--seed <n>", "random seed", nonNegativeInt, 1)
    .option("--input-channels <n>", "input image channels", positiveInt, 3)
    .option("--out <dir>", "output folder (default reports/search/<board>-seed<seed>)")
    .option("--samples <n>", "stage-1 samples per (width, resolution) pair", positiveInt)
    .option("--population <n>", "evolution population", positiveInt)
    .option("--generations <n>", "evolution generations", positiveInt)
    .option("--max-instructions <n>", "latency limit in inference instructions", positiveInt)
    .option(
      "--latency-ms <ms>",
      "latency limit in modelled milliseconds (cycle model, docs/cycle-model.md)",
      positiveNumber,
    )
    .option(
      "--energy-mj <mJ>",
      "energy limit per inference in modelled millijoules (board run current x voltage x time)",
      positiveNumber,
    )
    .option("--width <w>", "skip stage 1: search this width multiplier", Number)
    .option("--resolution <r>", "skip stage 1: search this resolution", positiveInt)
    .option("--objective <name>", "quality objective (macs, expressivity)")
    .option("--sram <bytes>", "SRAM budget in bytes (default: the board's)", positiveInt)
    .option("--flash <bytes>", "Flash budget in bytes (default: the board's)", positiveInt)
    .option("--space <name>", "search space (mcunet, tiny; default tiny with --dataset)")
    .option(
      "--dataset <name>",
      "search for accuracy: train a super-network on this data set (fashion-mnist), evolve " +
        "subnets by validation accuracy, fine-tune, quantize and score the winner on device",
    )
    .option("--preset <name>", "accuracy search size: full or quick (with --dataset)", "full")
    .option("--no-measure", "do not measure in the emulator (planner and estimates only)")
    .option("--verify <n>", "held-out latency-table checks", nonNegativeInt)
    .option("--shard <i/n>", "run only stage 1 over every n-th pair from the i-th (1 <= i <= n)")
    .option("--merge <files...>", "merge stage-1 shard files instead of searching")
    .option("--cache-dir <dir>", "latency table cache (default .cache/latency)")
    .option(
      "--patches <overhead>",
      "allow patch-based execution of the first stage, recomputing at most this share of MACs (e.g. 0.05)",
      Number,
    )
    .option("--no-firmware", "do not write the firmware project and .tflite")
    .option(
      "--check-latency <n>",
      "only check the latency table on n held-out networks",
      positiveInt,
    )
    .option(
      "--calibrate <n>",
      "only measure n networks and refit the Flash/SRAM model",
      positiveInt,
    )
    .option("--json", "print one JSON summary object", false)
    .action(async (opts: Record<string, unknown>) => {
      const { searchCommand } = await import("./cli/search.ts");
      // commander's camelCase option names are SearchCommandOptions' field names.
      exit(await searchCommand(opts as unknown as Parameters<typeof searchCommand>[0]));
    });

  program.command("train")
    .description(
      "Train a network on a data set (PyTorch worker), quantize it to int8, export model.tflite " +
        "and measure its accuracy (float, reference int8) and cost on the emulated board",
    )
    .argument(
      "<arch>",
      "search-space key (w0.3-r28|k3e3,...), arch/MbconvArch .json, or MBConv model name (mbv2-w0.35-r28)",
    )
    .requiredOption("--dataset <name>", "data set (fashion-mnist)")
    .option("--epochs <n>", "training epochs (default: the preset's)", positiveInt)
    .option("--seed <n>", "training seed", nonNegativeInt, 1)
    .option("--board <board>", "board profile", "stm32f412")
    .option("--preset <name>", "run size: full (55k images, all 10k test) or quick", "full")
    .option("--out <dir>", "output folder (default reports/train/<model>-seed<seed>)")
    .option("--json", "print the report as one JSON object", false)
    .action(async (arch: string, opts: Record<string, unknown>) => {
      const { trainCommand } = await import("./cli/train.ts");
      exit(await trainCommand(arch, opts as unknown as Parameters<typeof trainCommand>[1]));
    });

  program.command("boards")
    .description("List the board profiles")
    .option("--json", "print JSON", false)
    .action(async (opts: { json: boolean }) => {
      const { BOARDS } = await import("./engine/target/boards.ts");
      if (opts.json) console.log(JSON.stringify(Object.values(BOARDS), null, 2));
      else {
        for (const b of Object.values(BOARDS)) {
          console.log(
            `${b.name.padEnd(15)} ${b.core.padEnd(10)} SRAM ${b.sram.size / 1024} KiB  Flash ${
              b.flash.size / 1024
            } KiB  ${b.clockHz / 1e6} MHz  ${b.description}`,
          );
        }
      }
      exit(0);
    });

  return program;
}

if (import.meta.main) {
  // Ctrl-C mid-build: remove the temporary build folders (they hold the model's weights).
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, async () => {
      const { removeLiveBuildDirs } = await import("./engine/build/gcc.ts");
      removeLiveBuildDirs();
      Deno.exit(130);
    });
  }
  let code = 0;
  const program = buildProgram((c) => (code = c));
  program.exitOverride();
  try {
    await program.parseAsync(Deno.args, { from: "user" });
  } catch (e) {
    // commander already printed usage errors; help and version exit with code 0.
    const err = e as { code?: string; exitCode?: number };
    if (err.code?.startsWith("commander.")) Deno.exit(err.exitCode ?? 1);
    console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
    Deno.exit(1);
  }
  Deno.exit(code);
}
