/**
 * Paths the user typed on a command line, resolved where they typed them.
 *
 * @module
 */
import { isAbsolute, resolve } from "node:path";

/**
 * A path the user typed, resolved against the directory they typed it in: `deno task` runs in
 * the repository root and passes the user's directory as `INIT_CWD`.
 *
 * @example
 * ```ts ignore
 * userPath("model.tflite"); // "/home/me/models/model.tflite" when run from ~/models
 * ```
 */
export function userPath(path: string): string {
  const base = Deno.env.get("INIT_CWD");
  return base && !isAbsolute(path) ? resolve(base, path) : path;
}
