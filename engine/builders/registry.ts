/**
 * Builder registry: model names such as `mbv2-w0.35-r144` or `mcunet-320kb` to Graphs.
 *
 * @module
 */
import type { Graph } from "../ir/mod.ts";
import { buildMbconv, type MbconvArch } from "./mbconv.ts";
import { makeDivisible } from "./make_divisible.ts";
import { defaultConfigsDir, listMcunetConfigs, loadMcunetConfig } from "./mcunet_config.ts";
import { mobileNetV2Arch } from "./mobilenet_v2.ts";
import { buildMobileNetV1 } from "./mobilenet_v1.ts";
import { buildResNet } from "./resnet.ts";

/** The name patterns {@link buildModel} understands, with what they build. */
export const MODEL_PATTERNS: readonly { readonly pattern: string; readonly builds: string }[] = [
  { pattern: "mbv2-w<width>-r<res>[-c<classes>]", builds: "MobileNetV2 (MCUNet channel rule)" },
  { pattern: "mbv1-w<width>-r<res>[-c<classes>]", builds: "MobileNetV1 (Keras alpha rule)" },
  {
    pattern: "proxyless-w<width>-r<res>[-c<classes>]",
    builds: "ProxylessNAS-Mobile: the published config of that width, else proxyless_mobile scaled",
  },
  { pattern: "resnet8[-r<res>][-c<classes>]", builds: "MLPerf Tiny ResNet-8 (CIFAR-10)" },
  {
    pattern: "<config>[-r<res>][-c<classes>]",
    builds: "a published config (e.g. mcunet-320kb, mcunet-5fps) or a path to one (.json)",
  },
];

/** Example names, all buildable. */
export const MODEL_EXAMPLES: readonly string[] = [
  "mbv2-w0.35-r144",
  "mbv2-w0.3-r80",
  "mbv2-w1.0-r224",
  "mbv1-w0.25-r96",
  "resnet8",
  "proxyless-w0.3-r64",
  "proxyless-w0.25-r112",
  "proxyless-w0.3-r176",
  "mcunet-320kb",
  "mcunet-256kb",
  "mcunet-512kb",
  "mcunet-5fps",
  "mcunet-10fps",
];

/** Options of {@link buildModel} and {@link modelArch}. */
export interface BuildModelOptions {
  /** Seed of the synthetic weights. @default 0 */
  readonly seed?: number;
  /** Folder of the published configs. @default see {@link defaultConfigsDir} */
  readonly configsDir?: string;
}

interface Suffixes {
  readonly base: string;
  readonly resolution?: number;
  readonly classes?: number;
}

function splitSuffixes(spec: string): Suffixes {
  let base = spec;
  let resolution: number | undefined;
  let classes: number | undefined;
  const c = /-c(\d+)$/.exec(base);
  if (c) {
    classes = Number(c[1]);
    base = base.slice(0, c.index);
  }
  const r = /-r(\d+)$/.exec(base);
  if (r) {
    resolution = Number(r[1]);
    base = base.slice(0, r.index);
  }
  return {
    base,
    ...(resolution !== undefined ? { resolution } : {}),
    ...(classes !== undefined ? { classes } : {}),
  };
}

function unknownModel(spec: string, dir: string, detail?: string): RangeError {
  const configs = listMcunetConfigs(dir);
  return new RangeError(
    `Cannot build model '${spec}'${detail ? `: ${detail}` : ""}: known names are ${
      MODEL_PATTERNS.map((p) => p.pattern).join(", ")
    }; e.g. ${MODEL_EXAMPLES.join(", ")}${
      configs.length > 0 ? `; published configs: ${configs.join(", ")}` : ""
    }`,
  );
}

function withOverrides(arch: MbconvArch, s: Suffixes): MbconvArch {
  return {
    ...arch,
    ...(s.resolution !== undefined ? { resolution: s.resolution } : {}),
    ...(s.classes !== undefined ? { classes: s.classes } : {}),
  };
}

function proxylessArch(width: number, s: Suffixes, dir: string): MbconvArch {
  const published = listMcunetConfigs(dir).find((n) => {
    const m = /^proxyless-w([\d.]+)-r\d+$/.exec(n);
    return m !== null && Number(m[1]) === width;
  });
  if (published) return withOverrides(loadMcunetConfig(published, { configsDir: dir }).arch, s);
  const base = loadMcunetConfig("proxyless_mobile", { configsDir: dir }).arch;
  // Scaling can make a stage's first block shape-preserving: keep the published shortcuts.
  let inC = base.firstConv.outChannels;
  let scaledIn = makeDivisible(inC * width);
  const blocks = base.blocks.map((b) => {
    const outChannels = makeDivisible(b.outChannels * width);
    const residual = b.residual ?? (b.stride === 1 && inC === b.outChannels);
    const scaledDefault = b.stride === 1 && scaledIn === outChannels;
    inC = b.outChannels;
    scaledIn = outChannels;
    return {
      kernel: b.kernel,
      expand: b.expand,
      stride: b.stride,
      outChannels,
      ...(residual !== scaledDefault ? { residual } : {}),
    };
  });
  const scaled: MbconvArch = {
    ...base,
    firstConv: { outChannels: makeDivisible(base.firstConv.outChannels * width) },
    blocks,
    ...(base.featureMix
      ? { featureMix: { outChannels: makeDivisible(base.featureMix.outChannels * width) } }
      : {}),
  };
  return withOverrides(scaled, s);
}

/**
 * The MBConv architecture behind an MBConv-family name (`mbv2-*`, `proxyless-*`, configs), or
 * undefined for other families (MobileNetV1, ResNet). The search and bench use it to vary one.
 *
 * @example
 * ```ts
 * import { modelArch } from "./registry.ts";
 * const arch = modelArch("mcunet-320kb-r160");
 * if (arch?.resolution !== 160) throw new Error("unexpected");
 * ```
 */
export function modelArch(spec: string, options: BuildModelOptions = {}): MbconvArch | undefined {
  const dir = options.configsDir ?? defaultConfigsDir();
  if (spec.endsWith(".json")) return loadMcunetConfig(spec, { configsDir: dir }).arch;
  const s = splitSuffixes(spec);
  const family = /^(mbv2|mbv1|proxyless)-w(\d*\.?\d+)$/.exec(s.base);
  if (family) {
    const width = Number(family[2]);
    if (s.resolution === undefined) throw unknownModel(spec, dir, "it needs a -r<resolution>");
    if (family[1] === "mbv1") return undefined;
    if (family[1] === "mbv2") {
      return mobileNetV2Arch({
        width,
        resolution: s.resolution,
        ...(s.classes !== undefined ? { classes: s.classes } : {}),
      });
    }
    return proxylessArch(width, s, dir);
  }
  if (s.base === "resnet8") return undefined;
  try {
    return withOverrides(loadMcunetConfig(s.base, { configsDir: dir }).arch, s);
  } catch (e) {
    if (e instanceof RangeError) {
      // Names like "mbv2-w0.35-r144" whose -r is part of the config name.
      try {
        return withOverrides(loadMcunetConfig(spec, { configsDir: dir }).arch, {
          base: spec,
        });
      } catch {
        const ambiguous = /: it matches ([^:]+):/.exec(e.message);
        throw unknownModel(spec, dir, ambiguous ? `it matches ${ambiguous[1]}` : undefined);
      }
    }
    throw e;
  }
}

/**
 * Builds a quantized int8 Graph with deterministic synthetic weights from a model name, e.g.
 * `mbv2-w0.35-r144`, `mbv1-w0.25-r96-c2`, `resnet8`, `proxyless-w0.3-r64`, `mcunet-320kb`
 * (a published config; `-r<res>` overrides its resolution) or a path to a config `.json`.
 * The same name and seed always give byte-identical graphs. Unknown names throw a RangeError
 * that lists the known ones.
 *
 * @example
 * ```ts
 * import { buildModel } from "./registry.ts";
 * const graph = buildModel("mbv2-w0.35-r144");
 * if (graph.nodes.length !== 65) throw new Error("unexpected");
 * ```
 */
export function buildModel(spec: string, options: BuildModelOptions = {}): Graph {
  const seed = options.seed ?? 0;
  const dir = options.configsDir ?? defaultConfigsDir();
  const s = splitSuffixes(spec);
  const v1 = /^mbv1-w(\d*\.?\d+)$/.exec(s.base);
  if (v1) {
    if (s.resolution === undefined) throw unknownModel(spec, dir, "it needs a -r<resolution>");
    return buildMobileNetV1({
      width: Number(v1[1]),
      resolution: s.resolution,
      ...(s.classes !== undefined ? { classes: s.classes } : {}),
    }, { name: spec, seed });
  }
  if (s.base === "resnet8") {
    return buildResNet({
      ...(s.resolution !== undefined ? { resolution: s.resolution } : {}),
      ...(s.classes !== undefined ? { classes: s.classes } : {}),
    }, { name: spec, seed });
  }
  const arch = modelArch(spec, { configsDir: dir });
  if (!arch) throw unknownModel(spec, dir);
  return buildMbconv(arch, { name: spec, seed });
}
