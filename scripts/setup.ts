/**
 * `deno task setup`: idempotent toolchain installation and native helper build.
 *
 * Checks the Debian packages the project needs (arm-none-eabi-gcc, newlib, Unicorn; PyTorch and
 * Fashion-MNIST for training), installs the
 * missing ones when it can (root on Debian), builds the native emulator helper with the host `cc`,
 * and prints exactly what it did, or exactly what the user must run.
 *
 * Flags: `--quiet` prints nothing when there is nothing to do; `--check` only reports; `--soft`
 * only builds the native helper, and only when the toolchain is present (never fails).
 *
 * @module
 */
// deno-lint-ignore-file no-console

/** Debian packages and how to tell each one is usable. */
const PACKAGES: readonly { name: string; probe: () => boolean; training?: boolean }[] = [
  { name: "gcc-arm-none-eabi", probe: () => commandWorks("arm-none-eabi-gcc", ["--version"]) },
  {
    name: "binutils-arm-none-eabi",
    probe: () => commandWorks("arm-none-eabi-objcopy", ["--version"]),
  },
  { name: "libnewlib-arm-none-eabi", probe: () => dpkgInstalled("libnewlib-arm-none-eabi") },
  { name: "libunicorn2", probe: () => unicornLibraryPath() !== undefined },
  { name: "libunicorn-dev", probe: () => fileExists("/usr/include/unicorn/unicorn.h") },
  // Training (`mcu train`): Debian's PyTorch for /usr/bin/python3 and the Fashion-MNIST IDX files.
  {
    name: "python3-torch",
    probe: () => commandWorks("/usr/bin/python3", ["-c", "import torch"]),
    training: true,
  },
  {
    name: "dataset-fashion-mnist",
    probe: () => fileExists("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz"),
    training: true,
  },
];

function commandWorks(cmd: string, args: string[]): boolean {
  try {
    return new Deno.Command(cmd, { args, stdout: "null", stderr: "null" }).outputSync().success;
  } catch {
    return false;
  }
}

function fileExists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

function dpkgInstalled(pkg: string): boolean {
  try {
    const out = new Deno.Command("dpkg-query", {
      args: ["-W", "-f=${Status}", pkg],
      stdout: "piped",
      stderr: "null",
    }).outputSync();
    return out.success && new TextDecoder().decode(out.stdout).includes("install ok installed");
  } catch {
    return false;
  }
}

function unicornLibraryPath(): string | undefined {
  const candidates = [
    Deno.env.get("LIBUNICORN_PATH") ?? "",
    "/usr/lib/x86_64-linux-gnu/libunicorn.so.2",
    "/usr/lib/aarch64-linux-gnu/libunicorn.so.2",
    "/usr/lib/libunicorn.so.2",
    "/usr/local/lib/libunicorn.so.2",
  ];
  return candidates.find((p) => p !== "" && fileExists(p));
}

function isRoot(): boolean {
  try {
    return Deno.uid() === 0;
  } catch {
    return false;
  }
}

function run(cmd: string, args: string[]): boolean {
  const status = new Deno.Command(cmd, {
    args,
    stdout: "inherit",
    stderr: "inherit",
    env: { DEBIAN_FRONTEND: "noninteractive" },
  }).outputSync();
  return status.success;
}

/** Install missing Debian packages; returns the names installed, or exits with instructions. */
function ensurePackages(check: boolean, quiet: boolean): string[] {
  const missing = PACKAGES.filter((p) => !p.probe()).map((p) => p.name);
  if (missing.length === 0) {
    if (!quiet) {
      console.log(
        "setup: toolchain present (arm-none-eabi-gcc, newlib, Unicorn 2, PyTorch, Fashion-MNIST)",
      );
    }
    return [];
  }
  const command = `apt-get update && apt-get install -y --no-install-recommends ${
    missing.join(" ")
  }`;
  if (check) {
    console.error(`setup: missing packages: ${missing.join(", ")}\n  install with: ${command}`);
    Deno.exit(1);
  }
  if (!isRoot() || !commandWorks("apt-get", ["--version"])) {
    console.error(
      `setup: cannot install the missing packages ${missing.join(", ")} ` +
        `(${isRoot() ? "apt-get is not available" : "not running as root"}).\n` +
        `  run as root on Debian/Ubuntu: ${command}`,
    );
    Deno.exit(1);
  }
  console.error(`setup: installing ${missing.join(", ")} with apt-get`);
  if (!run("apt-get", ["update", "-q"])) {
    console.error("setup: apt-get update failed");
    Deno.exit(1);
  }
  if (!run("apt-get", ["install", "-y", "-q", "--no-install-recommends", ...missing])) {
    console.error(`setup: apt-get install failed; run by hand: ${command}`);
    Deno.exit(1);
  }
  const still = PACKAGES.filter((p) => !p.probe()).map((p) => p.name);
  if (still.length > 0) {
    console.error(`setup: still missing after install: ${still.join(", ")}`);
    Deno.exit(1);
  }
  console.error(`setup: installed ${missing.join(", ")}`);
  return missing;
}

async function ensureNativeHelper(quiet: boolean): Promise<void> {
  const { buildNativeHelper } = await import("../emulator/native/build.ts");
  const result = await buildNativeHelper();
  if (result.built) console.error(`setup: built native emulator helper ${result.path}`);
  else if (!quiet) console.log(`setup: native emulator helper up to date (${result.path})`);
}

if (import.meta.main) {
  const quiet = Deno.args.includes("--quiet");
  const check = Deno.args.includes("--check");
  if (Deno.args.includes("--soft")) {
    // Before `deno task mcu`: build the native helper when the toolchain is there, else do
    // nothing (no apt-get behind a user's back; the commands that need the toolchain say so).
    if (PACKAGES.every((p) => p.training || p.probe())) {
      try {
        await ensureNativeHelper(true);
      } catch (e) {
        console.error(`setup: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    Deno.exit(0);
  }
  ensurePackages(check, quiet);
  try {
    await ensureNativeHelper(quiet);
  } catch (e) {
    console.error(`setup: ${e instanceof Error ? e.message : String(e)}`);
    Deno.exit(1);
  }
}
