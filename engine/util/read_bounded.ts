/**
 * Read a whole file whose size is checked first: a device (`/dev/zero`), a pipe or a symlink to
 * one has no size to check and would be read without bound, so only regular files are read, and
 * only up to a limit.
 *
 * @module
 */

/**
 * The bytes of `path`, or a TypeError saying why it is not read (`what` names the file in the
 * message, e.g. "input file").
 *
 * @example
 * ```ts ignore
 * const bytes = await readBoundedFile("input.bin", 64 << 20, "input file");
 * ```
 */
export async function readBoundedFile(
  path: string | URL,
  maxBytes: number,
  what: string,
): Promise<Uint8Array> {
  const shown = path instanceof URL ? path.href : path;
  const info = await Deno.stat(path); // follows symlinks: a link to /dev/zero is a device
  if (!info.isFile) {
    throw new TypeError(
      `Cannot read ${what} '${shown}': it is not a regular file (a ${
        info.isDirectory ? "directory" : "device, pipe or socket"
      } has no size to check)`,
    );
  }
  if (info.size > maxBytes) {
    throw new TypeError(
      `Cannot read ${what} '${shown}': it has ${info.size} bytes, more than the ${maxBytes} accepted`,
    );
  }
  const bytes = await Deno.readFile(path);
  if (bytes.byteLength > maxBytes) {
    throw new TypeError(`Cannot read ${what} '${shown}': it grew past ${maxBytes} bytes`);
  }
  return bytes;
}
