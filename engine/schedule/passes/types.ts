/**
 * The lowered graph the tinyengine passes rewrite: the original Graph's tensors plus a list of
 * layers (one emitted kernel call each), tensor storage aliases and the model boundary.
 *
 * @module
 */
import type { Graph, Node, OpName, Quantization } from "../../ir/mod.ts";

/** Explicit spatial padding, in input pixels. */
export interface Padding4 {
  readonly top: number;
  readonly bottom: number;
  readonly left: number;
  readonly right: number;
}

/** An int8 clamp range in the output's quantized domain (fused activation). */
export interface Clamp {
  readonly min: number;
  readonly max: number;
}

/** One layer: an IR node after fusion. */
export interface Layer {
  readonly op: OpName;
  /** The node whose options the layer follows (inputs/outputs below are authoritative). */
  readonly node: Node;
  /** Indices of the original graph nodes this layer covers, ascending. */
  readonly from: readonly number[];
  /** Tensor indices (activations and constants); -1 marks an absent optional input. */
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  /** Explicit padding (conv, depthwise, pools) once computed. */
  readonly pad?: Padding4;
  /** The output overwrites input 0's storage (in-place depthwise or elementwise). */
  readonly inPlace?: boolean;
  /** Fused activation as an int8 clamp range. */
  readonly clamp?: Clamp;
  /**
   * A 1x1 expansion convolution fused in front of this depthwise layer: its output is never
   * stored whole, only streamed row by row into a ring buffer (see `fuseExpandDepthwise`).
   */
  readonly pre?: Layer;
}

/** A model input or output whose float side was folded away. */
export interface BoundaryTensor {
  /** The float tensor of the original graph. */
  readonly float: number;
  /** The int8 tensor the compiled model exposes instead. */
  readonly int8: number;
  readonly quant: Quantization;
}

/** The lowered graph. */
export interface Lowered {
  readonly graph: Graph;
  readonly layers: readonly Layer[];
  /** Per tensor: the tensor whose storage it shares (itself when it has its own buffer). */
  readonly alias: readonly number[];
  /**
   * Per tensor: the byte offset of its storage inside the tensor it aliases (a view of a band of
   * rows, see `contiguousViews`); absent or 0 for whole-tensor aliases.
   */
  readonly viewOffset?: readonly number[];
  /** Model inputs and outputs as the compiled firmware sees them (int8 tensors). */
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  /** Float boundary tensors folded by {@link Lowered}'s quantize pass. */
  readonly foldedInputs: readonly BoundaryTensor[];
  readonly foldedOutputs: readonly BoundaryTensor[];
}
