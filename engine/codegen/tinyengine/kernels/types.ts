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
  /** C expression (`int8_t *`) of a tensor's storage in the arena: its named buffer macro. */
  ptr(tensor: number): string;
  /** C expression (`int8_t *`) of the shared scratch region: the layer's named scratch macro. */
  readonly scratch: string;
  /**
   * A named scalar argument of the layer's call (zero point, clamp bound, element count): defined
   * once as `#define <layer>_<role> <value>` in the layer's block, with `note` as its comment;
   * returns the name.
   */
  param(role: string, value: number, note?: string): string;
  /**
   * Register a kernel function under a key (one function per distinct key) and return its name;
   * `code` receives the name and returns the C definition.
   */
  kernel(key: string, code: (name: string) => string): string;
}

/** One kernel call: it stays inline in `te_invoke()`, whose own code is then only calls. */
export interface KernelCall {
  /** The kernel function (registered with {@link EmitContext.kernel}). */
  readonly fn: string;
  /** C expressions of the arguments, in order. */
  readonly args: readonly string[];
}

/**
 * What a layer's emitter returns: one kernel call, or C statements (an inline loop with its
 * constants baked in), which the compiler wraps in a `TE_KERNEL` function of the layer's own so
 * that their machine code does not depend on the rest of `te_invoke()`.
 */
export type LayerCode = KernelCall | string;

/**
 * The usual kernel call: `fn(input, output, ...rest)` with the layer's first input and first
 * output tensors.
 */
export function layerCall(
  ctx: EmitContext,
  layer: { readonly inputs: readonly number[]; readonly outputs: readonly number[] },
  fn: string,
  ...rest: string[]
): KernelCall {
  return { fn, args: [ctx.ptr(layer.inputs[0]!), ctx.ptr(layer.outputs[0]!), ...rest] };
}

/** The C text of a kernel call statement. */
export function callText(call: KernelCall): string {
  return `${call.fn}(${call.args.join(", ")});`;
}

/** A layer ready to emit: its scratch need (known before planning) and its code. */
export interface LayerKernel {
  /** Bytes of the shared scratch region this layer needs. */
  readonly scratchBytes: number;
  /** Short description of the specialization (for reports). */
  readonly variant: string;
  /** The layer's code (after planning). */
  emit(ctx: EmitContext): LayerCode;
}

/** A kernel template for one layer. */
export type LayerTemplate = (lowered: Lowered, layer: Layer) => LayerKernel;
