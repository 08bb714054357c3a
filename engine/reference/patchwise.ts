/**
 * Patch-wise reference evaluation (MCUNetV2): the nodes before a split tensor run patch by patch
 * into that tensor, each patch on the crops its receptive field needs (halos recomputed), the rest
 * of the graph layer by layer. Every node runs the same reference kernel as {@link interpret},
 * on crops, with its window's padding applied only where a patch meets the image border, so the
 * outputs equal the layer-wise ones bit for bit: this is the oracle for patch-based firmware.
 *
 * @module
 */

import { DTYPE_BYTES, type Graph, type Tensor, tensorBytes } from "../ir/mod.ts";
import {
  fullRegion,
  isEmptyRegion,
  type NodePatch,
  padAmounts,
  type PatchField,
  patchGrid,
  patchStage,
  receptiveField,
  type Region,
} from "../ops/mod.ts";
import { runKernel } from "./dispatch.ts";
import { interpret, type InterpretResult } from "./interpret.ts";

/** Where to split and how to tile the split tensor. */
export interface PatchwiseOptions {
  /** The split tensor: the stage of its ancestors runs patch by patch. */
  readonly split: number;
  /** Patch rows of the split tensor's grid. */
  readonly rows: number;
  /** Patch columns of the split tensor's grid. */
  readonly cols: number;
  /**
   * Called after each patch with its receptive field and the bytes computed for every stage
   * tensor over its region (for tests and analysis).
   */
  readonly onPatch?: (field: PatchField, values: ReadonlyMap<number, Uint8Array>) => void;
}

/** A tensor's bytes over a region of it. */
interface Crop {
  readonly region: Region;
  readonly bytes: Uint8Array;
}

/** Shape [batches, rows, cols, channels] of `t` over `r`. */
function croppedShape(t: Tensor, r: Region): number[] {
  const rows = Math.max(r.bottom - r.top, 0);
  const cols = Math.max(r.right - r.left, 0);
  return [t.shape[0]!, rows, cols, t.shape[3]!];
}

/** The bytes of `part` (inside `from.region`) of an NHWC tensor `t`. */
function crop(t: Tensor, from: Crop, part: Region): Uint8Array {
  const shape = croppedShape(t, part);
  const out = new Uint8Array(shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[t.dtype]);
  if (out.length === 0) return out;
  const pixel = t.shape[3]! * DTYPE_BYTES[t.dtype];
  const srcW = from.region.right - from.region.left;
  const srcH = from.region.bottom - from.region.top;
  const rowBytes = shape[2]! * pixel;
  let o = 0;
  for (let b = 0; b < shape[0]!; b++) {
    for (let y = part.top; y < part.bottom; y++) {
      const s = ((b * srcH + y - from.region.top) * srcW + part.left - from.region.left) * pixel;
      out.set(from.bytes.subarray(s, s + rowBytes), o);
      o += rowBytes;
    }
  }
  return out;
}

/** Write `part` into the whole tensor `dst` of `t`. */
function paste(t: Tensor, dst: Uint8Array, part: Crop): void {
  const pixel = t.shape[3]! * DTYPE_BYTES[t.dtype];
  const [batches, h, w] = [t.shape[0]!, t.shape[1]!, t.shape[2]!];
  const r = part.region;
  const rowBytes = (r.right - r.left) * pixel;
  let s = 0;
  for (let b = 0; b < batches; b++) {
    for (let y = r.top; y < r.bottom; y++) {
      dst.set(part.bytes.subarray(s, s + rowBytes), ((b * h + y) * w + r.left) * pixel);
      s += rowBytes;
    }
  }
}

/** PAD's paddings for one crop: its spatial border rows and columns, the channel padding whole. */
function cropPaddings(graph: Graph, np: NodePatch): Uint8Array {
  const node = graph.nodes[np.node]!;
  const whole = padAmounts(graph, node.inputs[1]!);
  const p = np.padding!;
  const values = [0, 0, p.top, p.bottom, p.left, p.right, whole[6]!, whole[7]!];
  const bytes = new Uint8Array(32);
  const dv = new DataView(bytes.buffer);
  values.forEach((v, i) => dv.setInt32(4 * i, v, true));
  return bytes;
}

/** Run one stage node of one patch on crops of its inputs. */
function runNodePatch(
  graph: Graph,
  np: NodePatch,
  computed: ReadonlyMap<number, Crop>,
  constant: (t: number) => Uint8Array | undefined,
): Crop {
  const node = graph.nodes[np.node]!;
  const y = node.outputs[0]!;
  const yTensor = graph.tensors[y]!;
  const tensors = [...graph.tensors];
  const inputs = node.inputs.map((t, i) => {
    const r = np.inputs[i];
    if (node.op === "PAD" && i === 1) {
      const bytes = cropPaddings(graph, np);
      tensors[t] = { ...graph.tensors[t]!, dtype: "int32", shape: [4, 2], data: bytes };
      return bytes;
    }
    if (!r) return constant(t);
    const x = graph.tensors[t]!;
    tensors[t] = { ...x, shape: croppedShape(x, r) };
    return crop(x, computed.get(t)!, r);
  });
  tensors[y] = { ...yTensor, shape: croppedShape(yTensor, np.output) };
  const output = new Uint8Array(tensorBytes(tensors[y]!));
  if (output.length > 0) {
    const window = np.padding && node.op !== "PAD"
      ? {
        outH: np.output.bottom - np.output.top,
        outW: np.output.right - np.output.left,
        padTop: np.padding.top,
        padLeft: np.padding.left,
      }
      : undefined;
    runKernel({
      graph: { ...graph, tensors },
      node,
      index: np.node,
      inputs,
      outputs: [output],
      ...(window ? { window } : {}),
    });
  }
  return { region: np.output, bytes: output };
}

/**
 * Run `graph` with the stage before `options.split` patch by patch over a `rows` x `cols` grid of
 * the split tensor, the rest layer by layer; returns the outputs as {@link interpret} does (and
 * they must be equal to its, byte for byte).
 *
 * @throws {PatchPlanError} when the split cannot be run patch by patch (see `patchStage`).
 *
 * @example
 * ```ts ignore
 * const { outputs } = interpretPatchwise(graph, [image], { split: 5, rows: 3, cols: 3 });
 * ```
 */
export function interpretPatchwise(
  graph: Graph,
  inputs: readonly Uint8Array[] | readonly Int8Array[],
  options: PatchwiseOptions,
): InterpretResult {
  const stage = patchStage(graph, options.split);
  const split = graph.tensors[options.split]!;
  const given = new Map<number, Crop>();
  graph.inputs.forEach((t, i) => {
    const x = inputs[i];
    if (!x || x.byteLength !== tensorBytes(graph.tensors[t]!)) {
      throw new RangeError(
        `Cannot interpret graph '${graph.name}' patch-wise: input ${i} needs ${
          tensorBytes(graph.tensors[t]!)
        } bytes`,
      );
    }
    const bytes = new Uint8Array(x.buffer, x.byteOffset, x.byteLength).slice();
    given.set(t, { region: fullRegion(graph, t), bytes });
  });
  const constants = new Map<number, Uint8Array>();
  const constant = (t: number) => {
    if (t < 0) return undefined;
    let c = constants.get(t);
    if (!c) {
      c = graph.tensors[t]!.data!.slice();
      constants.set(t, c);
    }
    return c;
  };
  const splitBytes = new Uint8Array(tensorBytes(split));
  const grid = patchGrid(split.shape[1]!, split.shape[2]!, options.rows, options.cols);
  for (const patch of grid) {
    const field = receptiveField(graph, stage, patch);
    const computed = new Map<number, Crop>(given);
    for (const np of field.nodes) {
      const y = graph.nodes[np.node]!.outputs[0]!;
      computed.set(y, runNodePatch(graph, np, computed, constant));
    }
    const part = computed.get(options.split)!;
    if (!isEmptyRegion(part.region)) paste(split, splitBytes, part);
    if (options.onPatch) {
      const values = new Map<number, Uint8Array>();
      for (const [t, c] of computed) if (!given.has(t)) values.set(t, c.bytes);
      options.onPatch(field, values);
    }
  }
  const rest: Graph = {
    ...graph,
    nodes: stage.rest.map((i) => graph.nodes[i]!),
    inputs: [options.split, ...graph.inputs],
  };
  const restInputs = [splitBytes, ...graph.inputs.map((t) => given.get(t)!.bytes)];
  return interpret(rest, restInputs);
}
