/**
 * Graph rewrites that reproduce how real exporters write a network (PyTorch through ONNX to
 * TFLite): explicit PAD operators in front of convolutions instead of SAME padding.
 *
 * @module
 */
import type { Graph, Node, Tensor } from "../ir/mod.ts";
import { convPadding } from "../ops/mod.ts";

type Conv = Extract<Node, { op: "CONV_2D" | "DEPTHWISE_CONV_2D" }>;

/** The convolution with VALID padding reading `inputs`. */
function asValid(n: Conv, inputs: readonly number[]): Node {
  return n.op === "CONV_2D"
    ? { ...n, inputs, options: { ...n.options, padding: "VALID" } }
    : { ...n, inputs, options: { ...n.options, padding: "VALID" } };
}

/** Options of {@link withExplicitPads}. */
export interface ExplicitPadOptions {
  /** Element type of the paddings constant (PyTorch exports write int64). @default "int64" */
  readonly paddingType?: "int32" | "int64";
  /** Which operators get a PAD in front. @default both convolutions */
  readonly ops?: readonly ("CONV_2D" | "DEPTHWISE_CONV_2D")[];
}

/**
 * The graph as a PyTorch export has it: every SAME convolution (of the chosen kinds) whose
 * padding is not zero becomes an explicit PAD (zero point fill, the same amounts TFLite's SAME
 * rule gives, so every shape stays the same) followed by a VALID convolution.
 *
 * @example
 * ```ts
 * import { withExplicitPads } from "./export_style.ts";
 * import { buildModel } from "./registry.ts";
 * const g = withExplicitPads(buildModel("mbv2-w0.35-r64"));
 * if (!g.nodes.some((n) => n.op === "PAD")) throw new Error("unexpected");
 * ```
 */
export function withExplicitPads(g: Graph, options: ExplicitPadOptions = {}): Graph {
  const paddingType = options.paddingType ?? "int64";
  const kinds = new Set<string>(options.ops ?? ["CONV_2D", "DEPTHWISE_CONV_2D"]);
  const tensors: Tensor[] = [...g.tensors];
  const nodes: Node[] = [];
  for (const n of g.nodes) {
    if (
      !kinds.has(n.op) || (n.op !== "CONV_2D" && n.op !== "DEPTHWISE_CONV_2D") ||
      n.options.padding !== "SAME"
    ) {
      nodes.push(n);
      continue;
    }
    const x = tensors[n.inputs[0]!]!;
    const f = tensors[n.inputs[1]!]!.shape;
    const [batch, h, w, c] = x.shape as [number, number, number, number];
    const ph = convPadding(h, f[1]!, n.options.strideH, "SAME", n.options.dilationH);
    const pw = convPadding(w, f[2]!, n.options.strideW, "SAME", n.options.dilationW);
    if (ph.before + ph.after + pw.before + pw.after === 0) {
      nodes.push(asValid(n, n.inputs));
      continue;
    }
    const pads = [0, 0, ph.before, ph.after, pw.before, pw.after, 0, 0];
    const wide = paddingType === "int64";
    const data = new Uint8Array(pads.length * (wide ? 8 : 4));
    const view = new DataView(data.buffer);
    pads.forEach((p, i) =>
      wide ? view.setBigInt64(i * 8, BigInt(p), true) : view.setInt32(i * 4, p, true)
    );
    tensors.push({ name: `${x.name}_pads`, shape: [4, 2], dtype: paddingType, data });
    const padsIndex = tensors.length - 1;
    const padded = [batch, h + ph.before + ph.after, w + pw.before + pw.after, c];
    tensors.push({ ...x, name: `${x.name}_padded`, shape: padded });
    const paddedIndex = tensors.length - 1;
    nodes.push({
      op: "PAD",
      inputs: [n.inputs[0]!, padsIndex],
      outputs: [paddedIndex],
      options: {},
    });
    nodes.push(asValid(n, [paddedIndex, ...n.inputs.slice(1)]));
  }
  return { ...g, tensors, nodes };
}
