/**
 * Domain errors of model import and validation; callers (the CLI, bench) catch these and print
 * their message without a stack trace.
 *
 * @module
 */

/** A `.tflite` file (or a Graph) is malformed: says what is wrong and where. */
export class ModelFormatError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ModelFormatError";
  }
}

/** An operator the project does not support, named with its index in the model. */
export class UnsupportedOpError extends Error {
  readonly opName: string;
  readonly opIndex: number;
  constructor(opName: string, opIndex: number, detail = "") {
    super(
      `Cannot import operator ${opIndex} (${opName}): it is not supported${
        detail ? `: ${detail}` : ""
      }`,
    );
    this.name = "UnsupportedOpError";
    this.opName = opName;
    this.opIndex = opIndex;
  }
}
