/**
 * Receptive-field analysis for patch-based inference (MCUNetV2): which nodes form the patch stage
 * before a split tensor, and, for one output patch of that tensor, the region of every tensor of
 * the stage that patch needs, with the halo each window adds and the padding applied at the
 * image borders only.
 *
 * Regions are spatial (rows x columns of an NHWC tensor, every batch and channel). A tensor read
 * by several nodes of the stage (the input of a residual ADD) is computed over the bounding box
 * of what its readers need; each reader then takes its own crop of it.
 *
 * @module
 */
import type { Graph, Node } from "../ir/mod.ts";
import { convPadding } from "./shape.ts";

/** Patch-based inference cannot be applied as asked: says what and why. */
export class PatchPlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PatchPlanError";
  }
}

/** A half-open spatial box of an NHWC tensor: rows [top, bottom), columns [left, right). */
export interface Region {
  readonly top: number;
  readonly bottom: number;
  readonly left: number;
  readonly right: number;
}

/** Padding a windowed node applies to one patch: non-zero only where the patch meets a border. */
export interface BorderPadding {
  readonly top: number;
  readonly bottom: number;
  readonly left: number;
  readonly right: number;
}

/** The nodes that run patch by patch before a split tensor, and the split itself. */
export interface PatchStage {
  /** The split tensor (rank-4 NHWC activation) the stage writes patch by patch. */
  readonly split: number;
  /** Indices of the stage's nodes (every ancestor of the split), in execution order. */
  readonly nodes: readonly number[];
  /** Indices of the remaining nodes, run layer by layer after the stage, in execution order. */
  readonly rest: readonly number[];
}

/** What one node of the stage computes for one patch. */
export interface NodePatch {
  readonly node: number;
  /** Region of the node's output computed for this patch. */
  readonly output: Region;
  /**
   * Region read from each activation input, by input position (undefined for constants and
   * absent inputs), clipped to the tensor.
   */
  readonly inputs: readonly (Region | undefined)[];
  /**
   * For convolutions and pools: the padding applied to this patch (zero away from borders); for
   * PAD: the rows and columns of the output patch in the PAD's border.
   */
  readonly padding?: BorderPadding;
}

/** The receptive field of one patch of the split tensor. */
export interface PatchField {
  /** The patch of the split tensor. */
  readonly patch: Region;
  /** The region computed (or, for graph inputs, read) of every activation tensor of the stage. */
  readonly regions: ReadonlyMap<number, Region>;
  /** Per stage node, in execution order. */
  readonly nodes: readonly NodePatch[];
}

/** Operators that compute each output position from the same position of their inputs. */
const POINTWISE = new Set<Node["op"]>([
  "RELU",
  "RELU6",
  "RELU_N1_TO_1",
  "LEAKY_RELU",
  "TANH",
  "LOGISTIC",
  "HARD_SWISH",
  "QUANTIZE",
  "DEQUANTIZE",
  "ADD",
  "SUB",
  "MUL",
  "MAXIMUM",
  "MINIMUM",
  "CONCATENATION",
]);

/** Windowed operators (one definition of which ops slide a window over rows and columns). */
const WINDOWED = new Set<Node["op"]>([
  "CONV_2D",
  "DEPTHWISE_CONV_2D",
  "AVERAGE_POOL_2D",
  "MAX_POOL_2D",
]);

/** True for an empty region (no rows or no columns). */
export function isEmptyRegion(r: Region): boolean {
  return r.bottom <= r.top || r.right <= r.left;
}

/** Rows x columns of a region (0 when empty). */
export function regionArea(r: Region): number {
  return isEmptyRegion(r) ? 0 : (r.bottom - r.top) * (r.right - r.left);
}

/** The bounding box of two regions (an empty region adds nothing). */
export function unionRegion(a: Region | undefined, b: Region): Region {
  if (!a || isEmptyRegion(a)) return b;
  if (isEmptyRegion(b)) return a;
  return {
    top: Math.min(a.top, b.top),
    bottom: Math.max(a.bottom, b.bottom),
    left: Math.min(a.left, b.left),
    right: Math.max(a.right, b.right),
  };
}

/** The whole spatial extent of a rank-4 tensor. */
export function fullRegion(graph: Graph, tensor: number): Region {
  const shape = graph.tensors[tensor]?.shape ?? [];
  return { top: 0, bottom: shape[1] ?? 0, left: 0, right: shape[2] ?? 0 };
}

/**
 * Split the rows and columns of a tensor into a `rows` x `cols` grid of near-equal patches, in
 * row-major order (the first patches get the smaller share when the size does not divide).
 *
 * @example
 * ```ts
 * import { patchGrid } from "./receptive_field.ts";
 * const [first, second] = patchGrid(5, 4, 2, 1);
 * // first: rows 0..1, all 4 columns; second: rows 2..4
 * if (first!.bottom !== 2 || second!.bottom !== 5 || second!.right !== 4) throw new Error("unexpected");
 * ```
 */
export function patchGrid(height: number, width: number, rows: number, cols: number): Region[] {
  if (!(Number.isInteger(rows) && Number.isInteger(cols) && rows >= 1 && cols >= 1)) {
    throw new PatchPlanError(
      `Cannot make a ${rows}x${cols} patch grid: sizes must be integers >= 1`,
    );
  }
  if (rows > height || cols > width) {
    throw new PatchPlanError(
      `Cannot make a ${rows}x${cols} patch grid over ${height}x${width}: more patches than rows or columns`,
    );
  }
  const cut = (size: number, n: number, i: number) => Math.floor((i * size) / n);
  const out: Region[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      out.push({
        top: cut(height, rows, r),
        bottom: cut(height, rows, r + 1),
        left: cut(width, cols, c),
        right: cut(width, cols, c + 1),
      });
    }
  }
  return out;
}

function isActivation(graph: Graph, t: number): boolean {
  return t >= 0 && graph.tensors[t] !== undefined && graph.tensors[t]!.data === undefined;
}

function requireSpatial(graph: Graph, t: number, what: string): void {
  const shape = graph.tensors[t]?.shape;
  if (!shape || shape.length !== 4) {
    throw new PatchPlanError(
      `Cannot run ${what} patch by patch: tensor ${t} ('${
        graph.tensors[t]?.name ?? "?"
      }') has shape [${shape ?? []}], not NHWC`,
    );
  }
}

/**
 * The patch stage before `split`: every ancestor node of the split tensor. Throws a
 * {@link PatchPlanError} when the split cannot be run patch by patch: it is not a rank-4
 * activation produced by a node, a stage node mixes spatial positions (RESHAPE, FULLY_CONNECTED,
 * MEAN, ...), or a tensor of the stage other than the split is read after the stage or is a graph
 * output (it would have to be computed whole).
 */
export function patchStage(graph: Graph, split: number): PatchStage {
  const producer = graph.nodes.findIndex((n) => n.outputs.includes(split));
  if (producer < 0 || !isActivation(graph, split)) {
    throw new PatchPlanError(
      `Cannot split at tensor ${split}: it is not an activation produced by a node of '${graph.name}'`,
    );
  }
  requireSpatial(graph, split, `the split at tensor ${split}`);
  const needed = new Set<number>([split]);
  const inStage = new Set<number>();
  for (let i = producer; i >= 0; i--) {
    const node = graph.nodes[i]!;
    if (!node.outputs.some((t) => needed.has(t))) continue;
    inStage.add(i);
    for (const t of node.inputs) if (isActivation(graph, t)) needed.add(t);
  }
  const nodes = [...inStage].sort((a, b) => a - b);
  const rest = graph.nodes.map((_, i) => i).filter((i) => !inStage.has(i));
  const stageOutputs = new Set<number>();
  for (const i of nodes) {
    const node = graph.nodes[i]!;
    if (!POINTWISE.has(node.op) && !WINDOWED.has(node.op) && node.op !== "PAD") {
      throw new PatchPlanError(
        `Cannot run node ${i} (${node.op}) patch by patch: it does not map rows and columns to rows and columns`,
      );
    }
    for (const t of node.outputs) {
      requireSpatial(graph, t, `node ${i} (${node.op})`);
      if (t !== split) stageOutputs.add(t);
    }
  }
  for (const i of rest) {
    const t = graph.nodes[i]!.inputs.find((x) => stageOutputs.has(x));
    if (t !== undefined) {
      throw new PatchPlanError(
        `Cannot split at tensor ${split}: node ${i} (${
          graph.nodes[i]!.op
        }) after the stage reads tensor ${t}, which the stage computes only patch by patch`,
      );
    }
  }
  const out = graph.outputs.find((t) => stageOutputs.has(t));
  if (out !== undefined) {
    throw new PatchPlanError(
      `Cannot split at tensor ${split}: graph output ${out} is computed inside the patch stage`,
    );
  }
  return { split, nodes, rest };
}

/** The window of a convolution or pool node: kernel, stride, dilation along rows and columns. */
function windowOf(
  graph: Graph,
  node: Node,
): { kh: number; kw: number; sh: number; sw: number; dh: number; dw: number } {
  switch (node.op) {
    case "CONV_2D":
    case "DEPTHWISE_CONV_2D": {
      const f = graph.tensors[node.inputs[1]!]!.shape;
      const o = node.options;
      return {
        kh: f[1]!,
        kw: f[2]!,
        sh: o.strideH,
        sw: o.strideW,
        dh: o.dilationH,
        dw: o.dilationW,
      };
    }
    case "AVERAGE_POOL_2D":
    case "MAX_POOL_2D": {
      const o = node.options;
      return { kh: o.filterH, kw: o.filterW, sh: o.strideH, sw: o.strideW, dh: 1, dw: 1 };
    }
    default:
      throw new PatchPlanError(`Node ${node.op} has no window`);
  }
}

/** The input span one output span of a window reads, and the padding used on each side. */
function windowSpan(
  out0: number,
  out1: number,
  inSize: number,
  kernel: number,
  stride: number,
  dilation: number,
  padding: "SAME" | "VALID",
): { start: number; end: number; before: number; after: number } {
  const lead = convPadding(inSize, kernel, stride, padding, dilation).before;
  const from = out0 * stride - lead;
  const to = (out1 - 1) * stride - lead + (kernel - 1) * dilation + 1;
  const start = Math.max(from, 0);
  const end = Math.min(to, inSize);
  return { start, end, before: start - from, after: to - end };
}

/** The paddings constant of a PAD node, [before, after] per axis (int32 or int64). */
export function padAmounts(graph: Graph, tensor: number): number[] {
  const p = graph.tensors[tensor];
  if (!p?.data) throw new PatchPlanError(`PAD paddings tensor ${tensor} is not a constant`);
  const view = new DataView(p.data.buffer, p.data.byteOffset, p.data.byteLength);
  const wide = p.dtype === "int64";
  const n = p.data.byteLength / (wide ? 8 : 4);
  return Array.from(
    { length: n },
    (_, i) => wide ? Number(view.getBigInt64(8 * i, true)) : view.getInt32(4 * i, true),
  );
}

/** A constant or broadcast input an elementwise node reads whole (no spatial extent). */
function isWholeInput(graph: Graph, t: number): boolean {
  const shape = graph.tensors[t]!.shape;
  return shape.length < 4 || (shape[1] === 1 && shape[2] === 1);
}

/** Input regions (and padding) of one stage node computing `out` of its first output. */
function nodeInputs(graph: Graph, index: number, out: Region): NodePatch {
  const node = graph.nodes[index]!;
  const empty = isEmptyRegion(out);
  if (WINDOWED.has(node.op)) {
    const x = node.inputs[0]!;
    const [, inH, inW] = graph.tensors[x]!.shape as number[];
    const w = windowOf(graph, node);
    const padding = (node.options as { padding: "SAME" | "VALID" }).padding;
    if (empty) {
      return { node: index, output: out, inputs: [{ top: 0, bottom: 0, left: 0, right: 0 }] };
    }
    const rows = windowSpan(out.top, out.bottom, inH!, w.kh, w.sh, w.dh, padding);
    const cols = windowSpan(out.left, out.right, inW!, w.kw, w.sw, w.dw, padding);
    return {
      node: index,
      output: out,
      inputs: node.inputs.map((_t, i) =>
        i === 0
          ? { top: rows.start, bottom: rows.end, left: cols.start, right: cols.end }
          : undefined
      ),
      padding: { top: rows.before, bottom: rows.after, left: cols.before, right: cols.after },
    };
  }
  if (node.op === "PAD") {
    const x = node.inputs[0]!;
    const [, inH, inW] = graph.tensors[x]!.shape as number[];
    const pad = padAmounts(graph, node.inputs[1]!);
    if (pad[0] !== 0 || pad[1] !== 0) {
      throw new PatchPlanError(`Cannot run node ${index} (PAD) patch by patch: it pads the batch`);
    }
    const clip = (v: number, size: number) => Math.min(Math.max(v, 0), size);
    const region = {
      top: clip(out.top - pad[2]!, inH!),
      bottom: clip(out.bottom - pad[2]!, inH!),
      left: clip(out.left - pad[4]!, inW!),
      right: clip(out.right - pad[4]!, inW!),
    };
    if (empty) {
      return {
        node: index,
        output: out,
        inputs: [{ ...region, bottom: region.top }, undefined],
        padding: { top: 0, bottom: 0, left: 0, right: 0 },
      };
    }
    // The rows and columns of this output patch that lie in the PAD's own border.
    const rows = out.bottom - out.top;
    const cols = out.right - out.left;
    const top = clip(pad[2]! - out.top, rows);
    const left = clip(pad[4]! - out.left, cols);
    return {
      node: index,
      output: out,
      inputs: [region, undefined],
      padding: {
        top,
        bottom: rows - (region.bottom - region.top) - top,
        left,
        right: cols - (region.right - region.left) - left,
      },
    };
  }
  return {
    node: index,
    output: out,
    inputs: node.inputs.map((t) => {
      if (!isActivation(graph, t)) {
        if (t >= 0 && !isWholeInput(graph, t)) {
          throw new PatchPlanError(
            `Cannot run node ${index} (${node.op}) patch by patch: constant input ${t} varies over rows and columns`,
          );
        }
        return undefined;
      }
      if (isWholeInput(graph, t)) {
        throw new PatchPlanError(
          `Cannot run node ${index} (${node.op}) patch by patch: input ${t} is broadcast over rows and columns`,
        );
      }
      return out;
    }),
  };
}

/**
 * The receptive field of one patch of the split tensor: walking the stage backwards, the region
 * of every tensor the patch needs (halos included, clipped to the tensor) and, per windowed
 * node, the padding applied, which is non-zero only on the sides where the patch's field meets
 * the image border, so a patch-wise evaluation equals the layer-wise one bit for bit.
 *
 * @example
 * ```ts ignore
 * const stage = patchStage(graph, split);
 * const field = receptiveField(graph, stage, { top: 0, bottom: 4, left: 0, right: 4 });
 * field.regions.get(graph.inputs[0]!); // the input rows and columns that patch reads
 * ```
 */
export function receptiveField(graph: Graph, stage: PatchStage, patch: Region): PatchField {
  const regions = new Map<number, Region>([[stage.split, patch]]);
  const perNode: NodePatch[] = [];
  for (let k = stage.nodes.length - 1; k >= 0; k--) {
    const index = stage.nodes[k]!;
    const node = graph.nodes[index]!;
    const out = regions.get(node.outputs[0]!) ??
      { top: 0, bottom: 0, left: 0, right: 0 };
    const np = nodeInputs(graph, index, out);
    perNode.push(np);
    node.inputs.forEach((t, i) => {
      const r = np.inputs[i];
      if (r) regions.set(t, unionRegion(regions.get(t), r));
    });
  }
  // Walking backwards, every reader of a node's output has been seen when the node is reached,
  // so its output region is already the union of what they need.
  perNode.reverse();
  return { patch, regions, nodes: perNode };
}
