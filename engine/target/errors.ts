/**
 * Errors of the firmware build.
 *
 * @module
 */

/** Options for {@link ToolchainError}. */
export interface ToolchainErrorOptions {
  /** The tool's standard error output, when it ran. */
  readonly stderr?: string;
  /** The command that failed. */
  readonly command?: readonly string[];
  /** The underlying error, if any. */
  readonly cause?: unknown;
}

/**
 * A required tool (arm-none-eabi-gcc, the host cc, libunicorn) is missing or failed.
 * The message says what to run (usually `deno task setup`) or carries the tool's stderr.
 */
export class ToolchainError extends Error {
  /** The tool's standard error output ("" when it did not run). */
  readonly stderr: string;
  /** The command that failed ([] when none ran). */
  readonly command: readonly string[];

  /** `message` says what could not be done and what to run or what the tool said. */
  constructor(message: string, options: ToolchainErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ToolchainError";
    this.stderr = options.stderr ?? "";
    this.command = options.command ?? [];
  }
}
