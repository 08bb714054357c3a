/**
 * The helpers an operator's `check` uses: one node's tensors and the checks several operators
 * share (constant inputs, ranks, window geometry, bias length, broadcasting). Every failure is a
 * `ModelFormatError` naming the node, its index and what is wrong.
 *
 * @module
 */
import { elementCount, type Graph, ModelFormatError, type Node, type Tensor } from "../ir/mod.ts";

/** `[1, 2, 3]` as text. */
export function shapeText(s: readonly number[]): string {
  return `[${s.join(", ")}]`;
}

/** Equal dimension lists. */
export function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, k) => d === b[k]);
}

/** NumPy broadcasting of two shapes, or undefined when they are incompatible. */
export function broadcastShapes(
  a: readonly number[],
  b: readonly number[],
): number[] | undefined {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let k = 0; k < r; k++) {
    const x = a[a.length - r + k] ?? 1;
    const y = b[b.length - r + k] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return undefined;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** Output size of a convolution or pooling window along one dimension (0 when it does not fit). */
function outSize(
  inSize: number,
  kernel: number,
  stride: number,
  dilation: number,
  padding: "SAME" | "VALID",
): number {
  const effective = (kernel - 1) * dilation + 1;
  return padding === "SAME"
    ? Math.ceil(inSize / stride)
    : Math.max(0, Math.ceil((inSize - effective + 1) / stride));
}

/** Values of an int32 or int64 constant, or undefined for other types. */
function intValues(t: Tensor): number[] | undefined {
  const d = t.data!;
  const view = new DataView(d.buffer, d.byteOffset, d.byteLength);
  if (t.dtype === "int32") {
    return Array.from({ length: d.byteLength >> 2 }, (_, i) => view.getInt32(4 * i, true));
  }
  if (t.dtype === "int64") {
    return Array.from(
      { length: d.byteLength >> 3 },
      (_, i) => Number(view.getBigInt64(8 * i, true)),
    );
  }
  return undefined;
}

/** One node under validation: its tensors and the shared checks. */
export class CheckContext {
  /** Input 0. */
  readonly input: Tensor;
  /** Output 0. */
  readonly output: Tensor;
  /** Input 0's shape. */
  readonly inS: readonly number[];
  /** Output 0's shape. */
  readonly outS: readonly number[];

  constructor(readonly graph: Graph, readonly node: Node, readonly index: number) {
    this.input = this.tensor(0);
    this.output = graph.tensors[node.outputs[0]!]!;
    this.inS = this.input.shape;
    this.outS = this.output.shape;
  }

  /** Refuse the node: `Cannot validate node <index> (<op>): <what>`. */
  fail(what: string): never {
    throw new ModelFormatError(`Cannot validate node ${this.index} (${this.node.op}): ${what}`);
  }

  /** Input `k`'s tensor (the caller has checked that it exists). */
  tensor(k: number): Tensor {
    return this.graph.tensors[this.node.inputs[k] ?? -1]!;
  }

  /** Output `k`'s tensor. */
  outputTensor(k: number): Tensor {
    return this.graph.tensors[this.node.outputs[k] ?? -1]!;
  }

  /** Input `k`, which must be a constant. */
  constant(k: number, role: string): Tensor {
    const t = this.tensor(k);
    if (!t.data) this.fail(`${role} tensor ${this.node.inputs[k]} ('${t.name}') is not constant`);
    return t;
  }

  /** The values of constant int32 (or int64) input `k`. */
  ints(k: number, role: string): number[] {
    const t = this.constant(k, role);
    return intValues(t) ?? this.fail(`${role} tensor has type ${t.dtype}, expected int32`);
  }

  /** `t` has rank `r`. */
  rank(t: Tensor, r: number, role: string): void {
    if (t.shape.length !== r) this.fail(`${role} has rank ${t.shape.length}, expected ${r}`);
  }

  /** Output 0 has input 0's shape. */
  sameShape(): void {
    if (!sameDims(this.inS, this.outS)) {
      this.fail(
        `output shape ${shapeText(this.outS)} differs from input shape ${shapeText(this.inS)}`,
      );
    }
  }

  /** `value` is an integer of at least 1. */
  positive(value: number, what: string): void {
    if (!Number.isInteger(value) || value < 1) {
      this.fail(`${what} is ${value}, expected at least 1`);
    }
  }

  /** The optional bias (input 2), when present, is a constant vector of `channels`. */
  bias(channels: number): void {
    if (this.node.inputs.length < 3 || this.node.inputs[2] === -1) return;
    const b = this.constant(2, "bias");
    if (elementCount(b.shape) !== channels || b.shape.length !== 1) {
      this.fail(`bias shape ${shapeText(b.shape)} does not match ${channels} output channels`);
    }
  }

  /** Per-channel quantization of `w`, if any, is along `axis`. */
  perChannel(w: Tensor, axis: number, role: string): void {
    if (w.quant && w.quant.scale.length > 1 && w.quant.axis !== axis) {
      this.fail(
        `${role} is quantized per channel along dimension ${w.quant.axis}, expected ${axis}`,
      );
    }
  }

  /** Output 0's height and width follow from input 0's, the window and the padding. */
  spatial(
    o: { padding: "SAME" | "VALID"; strideH: number; strideW: number },
    kh: number,
    kw: number,
    dh: number,
    dw: number,
  ): void {
    const { inS, outS } = this;
    this.positive(o.strideH, "stride height");
    this.positive(o.strideW, "stride width");
    this.positive(dh, "dilation height");
    this.positive(dw, "dilation width");
    const expH = outSize(inS[1]!, kh, o.strideH, dh, o.padding);
    const expW = outSize(inS[2]!, kw, o.strideW, dw, o.padding);
    if (outS[1] !== expH || outS[2] !== expW) {
      this.fail(
        `output size ${outS[1]}x${outS[2]} does not match ${expH}x${expW} expected from input ${
          inS[1]
        }x${
          inS[2]
        }, kernel ${kh}x${kw}, stride ${o.strideH}x${o.strideW}, dilation ${dh}x${dw} and ${o.padding} padding`,
      );
    }
    if (outS[0] !== inS[0]) this.fail(`output batch ${outS[0]} differs from input batch ${inS[0]}`);
  }

  /** Output `k` has the `expected` shape (`what` names how it was derived). */
  expectShape(expected: readonly number[], what: string, k = 0): void {
    const s = this.outputTensor(k).shape;
    if (!sameDims(expected, s)) {
      this.fail(
        `output${k === 0 ? "" : ` ${k}`} shape ${shapeText(s)} differs from ${what} ${
          shapeText(expected)
        }`,
      );
    }
  }
}
