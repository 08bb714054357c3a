/**
 * What kernel templates receive and return.
 *
 * @module
 */
import type { Layer, Lowered } from "../../../schedule/mod.ts";
import type { ConstScope } from "../const_pool.ts";

/** Everything a layer's emitter may use. */
export interface EmitContext {
  readonly lowered: Lowered;
  /** The layer's constant tables, each a named symbol. */
  readonly consts: ConstScope;
  /** C expression (`int8_t *`) of a tensor's storage in the arena. */
  ptr(tensor: number): string;
  /** C expression (`int8_t *`) of the shared scratch region. */
  readonly scratch: string;
  /**
   * Register a kernel function under a key (one function per distinct key) and return its name;
   * `code` receives the name and returns the C definition.
   */
  kernel(key: string, code: (name: string) => string): string;
}

/** A layer ready to emit: its scratch need (known before planning) and its code. */
export interface LayerKernel {
  /** Bytes of the shared scratch region this layer needs. */
  readonly scratchBytes: number;
  /** Short description of the specialization (for reports). */
  readonly variant: string;
  /** The C statements of the call (after planning). */
  emit(ctx: EmitContext): string;
}

/** A kernel template for one layer. */
export type LayerTemplate = (lowered: Lowered, layer: Layer) => LayerKernel;
