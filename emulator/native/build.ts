/**
 * Builds the native counting helper (`libmcucount.so`) with the host C compiler.
 *
 * @module
 */
import { ToolchainError } from "../../engine/target/mod.ts";

/** Options for {@link buildNativeHelper}. */
export interface BuildNativeHelperOptions {
  /** The host C compiler (default `cc`). */
  readonly cc?: string;
  /** Output path (default `emulator/native/libmcucount.so` beside this file). */
  readonly output?: string;
  /** Rebuild even when the library is up to date. */
  readonly force?: boolean;
}

/** What {@link buildNativeHelper} did. */
export interface NativeHelperBuild {
  /** Absolute path of the shared library. */
  readonly path: string;
  /** True when it compiled; false when the existing library was up to date. */
  readonly built: boolean;
  /** The compiler command (empty when nothing was built). */
  readonly command: readonly string[];
}

const SOURCE = new URL("./counter.c", import.meta.url);
const MARKER = "MCUCOUNT_SOURCE_SHA256=";
const SETUP_HINT =
  "run `deno task setup` (it needs a host C compiler and the Debian packages libunicorn2 libunicorn-dev)";

/** Default location of the native helper library. */
export const NATIVE_HELPER_PATH: string = new URL("./libmcucount.so", import.meta.url).pathname;

async function sha256Hex(data: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function embeddedHash(path: string): Promise<string | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
  // latin1 keeps one character per byte, so the marker can be found with indexOf.
  const text = new TextDecoder("latin1").decode(bytes);
  const at = text.indexOf(MARKER);
  return at < 0 ? undefined : text.slice(at + MARKER.length, at + MARKER.length + 64);
}

/**
 * Compile `emulator/native/counter.c` into `libmcucount.so` against libunicorn, unless the
 * existing library was built from the same source (its SHA-256 is embedded in the library).
 * Throws {@link ToolchainError} naming `deno task setup` when the compiler or libunicorn is
 * missing, or with the compiler's stderr when the source does not compile.
 *
 * @example
 * ```ts
 * const { path, built } = await buildNativeHelper();
 * ```
 */
export async function buildNativeHelper(
  options: BuildNativeHelperOptions = {},
): Promise<NativeHelperBuild> {
  const output = options.output ?? NATIVE_HELPER_PATH;
  const source = await Deno.readFile(SOURCE);
  const hash = await sha256Hex(source);
  if (!options.force && (await embeddedHash(output)) === hash) {
    return { path: output, built: false, command: [] };
  }
  const cc = options.cc ?? "cc";
  const dir = output.slice(0, output.lastIndexOf("/")) || ".";
  const tmp = await Deno.makeTempFile({ dir, prefix: ".libmcucount-", suffix: ".so.tmp" });
  const args = [
    "-O2",
    "-fPIC",
    "-shared",
    "-Wall",
    "-Wextra",
    `-DMCUCOUNT_SOURCE_HASH="${hash}"`,
    "-o",
    tmp,
    SOURCE.pathname,
    "-lunicorn",
  ];
  const command = [cc, ...args];
  try {
    let out: Deno.CommandOutput;
    try {
      out = await new Deno.Command(cc, { args, stdout: "piped", stderr: "piped" }).output();
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        throw new ToolchainError(
          `Cannot build the native emulator helper: '${cc}' is not installed; ${SETUP_HINT}`,
          { cause: e, command },
        );
      }
      throw e;
    }
    const stderr = new TextDecoder().decode(out.stderr);
    if (!out.success) {
      const hint = /unicorn/.test(stderr) ? `; libunicorn seems to be missing: ${SETUP_HINT}` : "";
      throw new ToolchainError(
        `Cannot build the native emulator helper: ${cc} exited with code ${out.code}${hint}:\n${stderr}`,
        { stderr, command },
      );
    }
    await Deno.rename(tmp, output);
  } finally {
    await Deno.remove(tmp).catch(() => {});
  }
  return { path: output, built: true, command };
}
