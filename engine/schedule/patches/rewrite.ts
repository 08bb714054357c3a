/**
 * Patch-based inference as a graph rewrite (issue #15, first executable form): the stage before
 * a split tensor is unrolled into one copy per patch of a grid, each on crops of its inputs
 * (STRIDED_SLICE), with its window's padding made explicit where the patch meets the image border
 * (PAD with the input zero point, which convolutions treat as zero, so the result is bit-exact),
 * every window then VALID; the patches of the split are joined by CONCATENATION and the rest of
 * the graph is unchanged. Any backend compiles the result, so the receptive-field analysis is
 * checked end to end on real kernels in firmware.
 *
 * This is not the memory-saving execution yet: a layer-by-layer planner keeps every patch's
 * split part live until the joins, and crops are copies. It is the functional reference for the
 * patch-stage code generation that writes patches in place.
 *
 * @module
 */
import type { Graph, Node, Tensor } from "../../ir/mod.ts";
import {
  isEmptyRegion,
  type NodePatch,
  padAmounts,
  patchGrid,
  PatchPlanError,
  patchStage,
  receptiveField,
  type Region,
} from "../../ops/mod.ts";

/** Where to split and how to tile the split tensor. */
export interface PatchSpec {
  /** The split tensor (index into `graph.tensors`). */
  readonly split: number;
  /** Rows of the patch grid over the split tensor. */
  readonly rows: number;
  /** Columns of the patch grid. */
  readonly cols: number;
}

const WINDOWED = new Set<Node["op"]>([
  "CONV_2D",
  "DEPTHWISE_CONV_2D",
  "AVERAGE_POOL_2D",
  "MAX_POOL_2D",
]);

interface Placed {
  readonly index: number;
  readonly region: Region;
}

class Builder {
  readonly tensors: Tensor[];
  readonly nodes: Node[] = [];
  constructor(readonly graph: Graph) {
    this.tensors = [...graph.tensors];
  }
  add(t: Tensor): number {
    this.tensors.push(t);
    return this.tensors.length - 1;
  }
  int32(name: string, values: readonly number[], shape: readonly number[]): number {
    const data = new Uint8Array(values.length * 4);
    const view = new DataView(data.buffer);
    values.forEach((v, i) => view.setInt32(4 * i, v, true));
    return this.add({ name, shape, dtype: "int32", data });
  }
  /** A tensor like `t` over `rows` x `cols`. */
  like(t: number, name: string, rows: number, cols: number): number {
    const x = this.graph.tensors[t]!;
    return this.add({ ...x, name, shape: [x.shape[0]!, rows, cols, x.shape[3]!] });
  }
  /** `from` cropped to `r` (the same tensor when it already covers exactly `r`). */
  crop(t: number, from: Placed, r: Region, tag: string): number {
    const f = from.region;
    if (f.top === r.top && f.bottom === r.bottom && f.left === r.left && f.right === r.right) {
      return from.index;
    }
    const [n, , , c] = this.graph.tensors[t]!.shape as number[];
    const y = this.like(
      t,
      `${this.graph.tensors[t]!.name}${tag}/crop`,
      r.bottom - r.top,
      r.right - r.left,
    );
    this.nodes.push({
      op: "STRIDED_SLICE",
      inputs: [
        from.index,
        this.int32(`${tag}/begin`, [0, r.top - f.top, r.left - f.left, 0], [4]),
        this.int32(`${tag}/end`, [n!, r.bottom - f.top, r.right - f.left, c!], [4]),
        this.int32(`${tag}/strides`, [1, 1, 1, 1], [4]),
      ],
      outputs: [y],
      options: { beginMask: 0, endMask: 0, shrinkAxisMask: 0, offset: false },
    });
    return y;
  }
}

/** One stage node of one patch, appended to `b`; returns the output tensor it wrote. */
function emitNodePatch(
  b: Builder,
  np: NodePatch,
  placed: Map<number, Placed>,
  tag: string,
): number {
  const graph = b.graph;
  const node = graph.nodes[np.node]!;
  const y = node.outputs[0]!;
  const out = np.output;
  if (isEmptyRegion(out)) {
    throw new PatchPlanError(
      `Cannot unroll node ${np.node} (${node.op}) for patch ${tag}: the patch needs none of its output`,
    );
  }
  const inputs = node.inputs.map((t, i) => {
    const r = np.inputs[i];
    return r ? b.crop(t, placed.get(t)!, r, `${tag}/n${np.node}/in${i}`) : t;
  });
  const yName = `${graph.tensors[y]!.name}${tag}`;
  const outY = b.like(y, yName, out.bottom - out.top, out.right - out.left);
  if (WINDOWED.has(node.op)) {
    const p = np.padding!;
    const padded = p.top + p.bottom + p.left + p.right > 0;
    if (padded && (node.op === "AVERAGE_POOL_2D" || node.op === "MAX_POOL_2D")) {
      throw new PatchPlanError(
        `Cannot unroll node ${np.node} (${node.op}) as a graph: a pool skips padded taps, which PAD cannot express`,
      );
    }
    let x = inputs[0]!;
    if (padded) {
      const r = np.inputs[0]!;
      const xp = b.like(
        node.inputs[0]!,
        `${yName}/pad`,
        r.bottom - r.top + p.top + p.bottom,
        r.right - r.left + p.left + p.right,
      );
      b.nodes.push({
        op: "PAD",
        inputs: [
          x,
          b.int32(`${yName}/paddings`, [0, 0, p.top, p.bottom, p.left, p.right, 0, 0], [4, 2]),
        ],
        outputs: [xp],
        options: {},
      });
      x = xp;
    }
    b.nodes.push({
      ...node,
      inputs: [x, ...inputs.slice(1)],
      outputs: [outY],
      options: { ...node.options, padding: "VALID" },
    } as Node);
    return outY;
  }
  if (node.op === "PAD") {
    const p = np.padding!;
    const whole = padAmounts(graph, node.inputs[1]!);
    const paddings = [0, 0, p.top, p.bottom, p.left, p.right, whole[6]!, whole[7]!];
    b.nodes.push({
      ...node,
      inputs: [inputs[0]!, b.int32(`${yName}/paddings`, paddings, [4, 2])],
      outputs: [outY],
    });
    return outY;
  }
  b.nodes.push({ ...node, inputs, outputs: [outY] } as Node);
  return outY;
}

/**
 * The graph with the stage before `spec.split` unrolled patch by patch over a `rows` x `cols`
 * grid (see the module comment). Its outputs equal the original graph's bit for bit.
 *
 * @throws {PatchPlanError} when the split cannot run patch by patch, a patch needs nothing of a
 *   stage tensor, or a pool in the stage meets the image border.
 */
export function patchRewrite(graph: Graph, spec: PatchSpec): Graph {
  const stage = patchStage(graph, spec.split);
  const split = graph.tensors[spec.split]!;
  const b = new Builder(graph);
  const grid = patchGrid(split.shape[1]!, split.shape[2]!, spec.rows, spec.cols);
  const parts: number[] = [];
  grid.forEach((patch, k) => {
    const field = receptiveField(graph, stage, patch);
    const placed = new Map<number, Placed>();
    for (const t of graph.inputs) {
      const s = graph.tensors[t]!.shape;
      placed.set(t, { index: t, region: { top: 0, bottom: s[1] ?? 0, left: 0, right: s[2] ?? 0 } });
    }
    for (const np of field.nodes) {
      const y = graph.nodes[np.node]!.outputs[0]!;
      placed.set(y, { index: emitNodePatch(b, np, placed, `@p${k}`), region: np.output });
    }
    parts.push(placed.get(spec.split)!.index);
  });
  // Join the patches: each grid row along columns, then the rows; the last join writes the split.
  const join = (inputs: number[], axis: number, out: number) =>
    b.nodes.push({
      op: "CONCATENATION",
      inputs,
      outputs: [out],
      options: { axis, activation: "NONE" },
    });
  const rowsOut: number[] = [];
  for (let r = 0; r < spec.rows; r++) {
    const row = parts.slice(r * spec.cols, (r + 1) * spec.cols);
    if (row.length === 1) {
      rowsOut.push(row[0]!);
      continue;
    }
    const g = grid[r * spec.cols]!;
    const out = spec.rows === 1
      ? spec.split
      : b.like(spec.split, `${split.name}@row${r}`, g.bottom - g.top, split.shape[2]!);
    join(row, 2, out);
    rowsOut.push(out);
  }
  if (spec.rows > 1) join(rowsOut, 1, spec.split);
  if (spec.rows === 1 && spec.cols === 1) {
    // One patch: it writes the split itself.
    const last = b.nodes[b.nodes.length - 1]!;
    b.nodes[b.nodes.length - 1] = { ...last, outputs: [spec.split] } as Node;
  }
  return {
    ...graph,
    name: `${graph.name}@patch${spec.rows}x${spec.cols}`,
    tensors: b.tensors,
    nodes: [...b.nodes, ...stage.rest.map((i) => graph.nodes[i]!)],
  };
}
