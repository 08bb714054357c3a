/**
 * CSources -> FirmwareImage with arm-none-eabi-gcc, reproducibly and with a content-hash cache.
 *
 * @module
 */
import type { Board, Core } from "../target/mod.ts";
import { ToolchainError } from "../target/mod.ts";
import { linkerScript } from "./linker_script.ts";
import { sectionSizes } from "../target/mod.ts";
import type { CSources, FirmwareImage, SectionSizes } from "./types.ts";

/** Options for {@link buildFirmware}. */
export interface BuildFirmwareOptions {
  /** The target board: `-mcpu`, FPU and the linker script's regions come from it. */
  readonly board: Board;
  /**
   * Directory to write the project into and build in; it is kept afterwards (a buildable
   * project). Default: a temporary directory that is removed after the build.
   */
  readonly workDir?: string;
  /** Extra compiler flags, placed after the defaults (so `-O2` overrides `-O3`). */
  readonly cflags?: readonly string[];
  /**
   * Content-hash cache directory (e.g. `.cache/firmware`): a build whose inputs (sources,
   * support files, command, compiler version) hash to an existing entry is not rebuilt.
   * Default: no cache.
   */
  readonly cacheDir?: string;
  /** The compiler to run (default `arm-none-eabi-gcc`). */
  readonly gcc?: string;
}

const SUPPORT_DIR = new URL("../../fixtures/firmware/", import.meta.url);
const SUPPORT_FILES = ["startup.c", "probe.h", "float_io.h", "recurrent.h"] as const;
const LINKER_SCRIPT = "link.ld";
const CACHE_FORMAT = "mcunet-bench-firmware-1";
const SETUP_HINT =
  "run `deno task setup` (it installs gcc-arm-none-eabi binutils-arm-none-eabi libnewlib-arm-none-eabi)";

const CORE_FLAGS: Readonly<Record<Core, readonly string[]>> = {
  "cortex-m7": ["-mcpu=cortex-m7", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv5-sp-d16"],
  "cortex-m4": ["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"],
};

const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const SAFE_PATH = /^[A-Za-z0-9_][A-Za-z0-9_.-]*(\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$/;
const COMPILED = /\.(c|S|s)$/;

interface CacheMeta {
  readonly format: string;
  readonly sha256: string;
  readonly sections: SectionSizes;
  readonly command: readonly string[];
}

async function sha256Hex(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function compilerVersion(gcc: string): Promise<string> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(gcc, { args: ["--version"], stdout: "piped", stderr: "piped" })
      .output();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new ToolchainError(`Cannot build firmware: ${gcc} is not installed; ${SETUP_HINT}`, {
        cause: e,
        command: [gcc, "--version"],
      });
    }
    throw e;
  }
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new ToolchainError(`Cannot build firmware: '${gcc} --version' failed; ${SETUP_HINT}`, {
      stderr: new TextDecoder().decode(out.stderr),
      command: [gcc, "--version"],
    });
  }
  return text.split("\n")[0] ?? text;
}

function validate(sources: CSources): string[] {
  if (!SAFE_NAME.test(sources.name)) {
    throw new TypeError(
      `Cannot build firmware '${sources.name}': the name must match ${SAFE_NAME.source}`,
    );
  }
  const paths = Object.keys(sources.files).sort();
  for (const p of paths) {
    if (!SAFE_PATH.test(p) || p.split("/").some((s) => s === "." || s === "..")) {
      throw new TypeError(
        `Cannot build firmware '${sources.name}': '${p}' is not a plain relative path`,
      );
    }
    if ((SUPPORT_FILES as readonly string[]).includes(p) || p === LINKER_SCRIPT) {
      throw new TypeError(
        `Cannot build firmware '${sources.name}': '${p}' collides with a support file`,
      );
    }
  }
  for (const d of sources.defines ?? []) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*(=.*)?$/.test(d)) {
      throw new TypeError(`Cannot build firmware '${sources.name}': bad define '${d}'`);
    }
  }
  return paths;
}

/** The gcc arguments (relative to the build directory) for these sources and board. */
function gccArgs(
  sources: CSources,
  paths: readonly string[],
  opts: BuildFirmwareOptions,
): string[] {
  const compiled = ["startup.c", ...paths.filter((p) => COMPILED.test(p))];
  return [
    ...CORE_FLAGS[opts.board.core],
    "-O3",
    "-ffunction-sections",
    "-fdata-sections",
    "-fno-common",
    "-I.",
    "-Wa,-I.",
    ...(sources.defines ?? []).map((d) => `-D${d}`),
    ...(opts.cflags ?? []),
    "-nostartfiles",
    "--specs=nano.specs",
    "--specs=nosys.specs",
    `-T${LINKER_SCRIPT}`,
    "-Wl,--gc-sections",
    "-Wl,--build-id=none",
    "-o",
    `${sources.name}.elf`,
    ...compiled,
    "-Wl,--start-group",
    "-lc",
    "-lm",
    "-lgcc",
    "-Wl,--end-group",
  ];
}

async function writeProject(
  dir: string,
  sources: CSources,
  paths: readonly string[],
  support: ReadonlyMap<string, string>,
): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  for (const [name, text] of support) await Deno.writeTextFile(`${dir}/${name}`, text);
  for (const p of paths) {
    const content = sources.files[p];
    if (content === undefined) continue;
    const slash = p.lastIndexOf("/");
    if (slash > 0) await Deno.mkdir(`${dir}/${p.slice(0, slash)}`, { recursive: true });
    if (typeof content === "string") await Deno.writeTextFile(`${dir}/${p}`, content);
    else await Deno.writeFile(`${dir}/${p}`, content);
  }
}

async function readCache(entry: string, name: string): Promise<
  { elf: Uint8Array; meta: CacheMeta } | undefined
> {
  try {
    const meta = JSON.parse(await Deno.readTextFile(`${entry}/meta.json`)) as CacheMeta;
    const elf = await Deno.readFile(`${entry}/${name}.elf`);
    if (meta.format !== CACHE_FORMAT || (await sha256Hex(elf)) !== meta.sha256) return undefined;
    return { elf, meta };
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof SyntaxError) return undefined;
    throw e;
  }
}

async function writeCache(entry: string, name: string, elf: Uint8Array, meta: CacheMeta) {
  const parent = entry.slice(0, entry.lastIndexOf("/"));
  await Deno.mkdir(parent, { recursive: true });
  const tmp = await Deno.makeTempDir({ dir: parent, prefix: ".tmp-" });
  try {
    await Deno.writeFile(`${tmp}/${name}.elf`, elf);
    await Deno.writeTextFile(`${tmp}/meta.json`, JSON.stringify(meta, null, 2) + "\n");
    await Deno.rename(tmp, entry);
  } catch (e) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    // Another process stored the same entry first: that is fine, the content is identical.
    if (!(e instanceof Deno.errors.AlreadyExists) && !(await exists(`${entry}/meta.json`))) throw e;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Compile and link `sources` with the project's startup code, `probe.h` and the board's linker
 * script into an ELF firmware image. The same inputs give a byte-identical ELF (no timestamps,
 * only relative paths), and with `cacheDir` they are built only once.
 *
 * Every `.c`, `.S` and `.s` file is compiled; other files (headers, `.bin` blobs for `.incbin`)
 * are only written. Throws {@link ToolchainError} when gcc is missing (naming `deno task setup`)
 * or fails (carrying its stderr).
 *
 * @example
 * ```ts
 * import { getBoard } from "../target/mod.ts";
 * const fw = await buildFirmware(
 *   { name: "hello", files: { "main.c": "int main(void) { return 0; }\n" } },
 *   { board: getBoard("stm32f746"), cacheDir: ".cache/firmware" },
 * );
 * // fw.elf, fw.sha256, fw.sections.text, fw.flashBytes, fw.command
 * ```
 */
export async function buildFirmware(
  sources: CSources,
  options: BuildFirmwareOptions,
): Promise<FirmwareImage> {
  const paths = validate(sources);
  const gcc = options.gcc ?? "arm-none-eabi-gcc";
  const version = await compilerVersion(gcc);
  const support = new Map<string, string>();
  for (const f of SUPPORT_FILES) support.set(f, await Deno.readTextFile(new URL(f, SUPPORT_DIR)));
  support.set(LINKER_SCRIPT, linkerScript(options.board));
  const args = gccArgs(sources, paths, options);
  const command = [gcc, ...args];
  const image = (elf: Uint8Array, sha256: string, sections: SectionSizes): FirmwareImage => ({
    name: sources.name,
    board: options.board,
    elf,
    sha256,
    sections,
    flashBytes: sections.text + sections.rodata + sections.data,
    command,
  });

  const keyParts: unknown[] = [CACHE_FORMAT, version, command, [...support.entries()]];
  for (const p of paths) {
    const c = sources.files[p];
    if (c !== undefined) keyParts.push([p, typeof c === "string" ? "t" : "b", await sha256Hex(c)]);
  }
  const key = await sha256Hex(JSON.stringify(keyParts));
  const entry = options.cacheDir === undefined ? undefined : `${options.cacheDir}/${key}`;
  if (entry !== undefined) {
    const hit = await readCache(entry, sources.name);
    if (hit) {
      if (options.workDir !== undefined) {
        await writeProject(options.workDir, sources, paths, support);
        await Deno.writeFile(`${options.workDir}/${sources.name}.elf`, hit.elf);
      }
      return image(hit.elf, hit.meta.sha256, hit.meta.sections);
    }
  }

  // Created and registered in one synchronous step: an interrupt cannot fall in between.
  const dir = options.workDir ?? Deno.makeTempDirSync({ prefix: "mcu-fw-" });
  if (options.workDir === undefined) liveBuildDirs.add(dir);
  try {
    await writeProject(dir, sources, paths, support);
    const out = await new Deno.Command(gcc, {
      args,
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
      env: { LC_ALL: "C", SOURCE_DATE_EPOCH: "0" },
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    if (!out.success) {
      const hint = /nano\.specs|nosys\.specs|cannot find -lc/.test(stderr)
        ? ` (newlib seems to be missing; ${SETUP_HINT})`
        : "";
      throw new ToolchainError(
        `Cannot build firmware '${sources.name}': ${gcc} exited with code ${out.code}${hint}:\n${stderr}`,
        { stderr, command },
      );
    }
    const elf = await Deno.readFile(`${dir}/${sources.name}.elf`);
    const sha256 = await sha256Hex(elf);
    const sections = sectionSizes(elf);
    if (entry !== undefined) {
      await writeCache(entry, sources.name, elf, {
        format: CACHE_FORMAT,
        sha256,
        sections,
        command,
      });
    }
    return image(elf, sha256, sections);
  } finally {
    if (options.workDir === undefined) {
      await Deno.remove(dir, { recursive: true });
      liveBuildDirs.delete(dir);
    }
  }
}

/** Temporary build folders in use (they hold the model's weights). */
const liveBuildDirs = new Set<string>();

/**
 * Remove the temporary build folders of builds still under way: the command line calls it when
 * interrupted (Ctrl-C), so that no `mcu-fw-*` folder with a model's weights is left behind.
 */
export function removeLiveBuildDirs(): void {
  for (const dir of liveBuildDirs) {
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch {
      // Already gone.
    }
  }
  liveBuildDirs.clear();
}
