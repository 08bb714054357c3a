/**
 * Builder registry: model names such as `mbv2-w0.35-r144` or `mcunet-320kb` to Graphs.
 *
 * @module
 */
import type { Graph } from "../ir/mod.ts";
import { buildMbconv, type MbconvArch } from "./mbconv.ts";
import { defaultConfigsDir, listMcunetConfigs, loadMcunetConfig } from "./mcunet_config.ts";
import { mobileNetV2Arch } from "./mobilenet_v2.ts";
import { proxylessMobileArch } from "./proxyless.ts";
import { buildMobileNetV1 } from "./mobilenet_v1.ts";
import { buildResNet } from "./resnet.ts";

/** The name patterns {@link buildModel} understands, with what they build. */
export const MODEL_PATTERNS: readonly { readonly pattern: string; readonly builds: string }[] = [
  { pattern: "mbv2-w<width>-r<res>[-c<classes>]", builds: "MobileNetV2 (MCUNet channel rule)" },
  {
    pattern: "mbv2-w<width>-d<depth>-r<res>[-c<classes>]",
    builds: "MobileNetV2 with ceil(n * depth) blocks per stage (depth-scaled variant)",
  },
  { pattern: "mbv1-w<width>-r<res>[-c<classes>]", builds: "MobileNetV1 (Keras alpha rule)" },
  {
    pattern: "proxyless-w<width>-r<res>[-c<classes>]",
    builds: "ProxylessNAS-Mobile: the published config of that width, else its block list scaled",
  },
  {
    pattern: "proxyless-w<width>-d<depth>-r<res>[-c<classes>]",
    builds: "ProxylessNAS-Mobile with ceil(n * depth) blocks per stage (depth-scaled variant)",
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

function throwNoDepth(spec: string, dir: string): never {
  throw unknownModel(spec, dir, "MobileNetV1 has no depth-scaled variant");
}

function withOverrides(arch: MbconvArch, s: Suffixes): MbconvArch {
  return {
    ...arch,
    ...(s.resolution !== undefined ? { resolution: s.resolution } : {}),
    ...(s.classes !== undefined ? { classes: s.classes } : {}),
  };
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
  const family = /^(mbv2|mbv1|proxyless)-w(\d*\.?\d+)(?:-d(\d*\.?\d+))?$/.exec(s.base);
  if (family) {
    const width = Number(family[2]);
    if (s.resolution === undefined) throw unknownModel(spec, dir, "it needs a -r<resolution>");
    if (family[1] === "mbv1") return family[3] === undefined ? undefined : throwNoDepth(spec, dir);
    const depth = family[3] === undefined ? 1 : Number(family[3]);
    if (!(depth > 0 && depth <= 1)) {
      throw unknownModel(spec, dir, `its depth multiplier must be in (0, 1]: got ${family[3]}`);
    }
    const options = {
      width,
      depth,
      resolution: s.resolution,
      ...(s.classes !== undefined ? { classes: s.classes } : {}),
    };
    if (family[1] === "mbv2") return mobileNetV2Arch(options);
    // MCUNet's published ProxylessNAS baselines round some widths differently (w0.3's
    // 192-channel stage has 64 channels, not 56): a published width at full depth is read as is.
    const published = depth === 1 && listMcunetConfigs(dir).find((n) => {
      const m = /^proxyless-w([\d.]+)-r\d+$/.exec(n);
      return m !== null && Number(m[1]) === width;
    });
    if (published) return withOverrides(loadMcunetConfig(published, { configsDir: dir }).arch, s);
    return proxylessMobileArch(options);
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
