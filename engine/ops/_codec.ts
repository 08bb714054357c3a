/**
 * `.tflite` codecs of the common small options tables: none, or one number at slot 0.
 *
 * @module
 */
import type { OptionsTableKind, TfliteCodec } from "./op_def.ts";
import { f32, i32 } from "./tflite_options.ts";

/** The codec of an operator that writes the options table `options` with no fields. */
export function emptyOptions(
  code: number,
  options: OptionsTableKind,
): TfliteCodec<Record<never, never>> {
  return { code, options, read: () => ({}), write: () => [] };
}

/**
 * The codec of an operator whose options table holds one number at slot 0 (`field` is its
 * schema name, `key` the IR option; a missing table or field reads 0).
 */
export function oneNumberOption<K extends string>(
  code: number,
  options: OptionsTableKind,
  kind: "f32" | "i32",
  key: K,
  field: string,
): TfliteCodec<Record<K, number>> {
  return {
    code,
    options,
    read: (o) => ({ [key]: o?.[kind](0, field) ?? 0 }) as Record<K, number>,
    write: (o) => [(kind === "f32" ? f32 : i32)(0, o[key])],
  };
}
