/**
 * Reader of the published ProxylessNAS-style network configs (MCUNet, scaled MobileNetV2,
 * ProxylessNAS) in `../shared/mcunet-configs/`, into {@link MbconvArch} records.
 *
 * @module
 */
import { ModelFormatError } from "../ir/mod.ts";
import type { MbconvArch, MbconvBlock } from "./mbconv.ts";
import { sharedConfigsDir } from "../util/mod.ts";

/** Input resolutions from the MCUNet README tables (the MANIFEST repeats them). */
const BUILTIN_RESOLUTIONS: Readonly<Record<string, number>> = {
  "mbv2-w0.3-r80": 80,
  "mbv2-w0.35-r144": 144,
  "mcunet-10fps": 48,
  "mcunet-256kb-1mb-int4": 160,
  "mcunet-256kb-1mb": 160,
  "mcunet-320kb-1mb-int4": 176,
  "mcunet-320kb-1mb": 176,
  "mcunet-512kb-2mb-int4": 192,
  "mcunet-512kb-2mb": 160,
  "mcunet-5fps": 96,
  "proxyless-w0.25-r112": 112,
  "proxyless-w0.3-r176": 176,
  "proxyless_mobile": 224,
};

/** A published config read into an architecture. */
export interface McunetConfig {
  /** The config's short name, e.g. `mcunet-320kb-1mb` (file stem without `_imagenet`). */
  readonly name: string;
  /** The file it was read from. */
  readonly path: string;
  readonly arch: MbconvArch;
  /** Deviations from the published network, e.g. int4 weights built as int8. */
  readonly notes: readonly string[];
}

/** Options of {@link loadMcunetConfig}. */
export interface LoadConfigOptions {
  /**
   * Folder of the config files.
   * @default env MCU_CONFIGS_DIR, else ../shared/mcunet-configs relative to the repository root
   */
  readonly configsDir?: string;
  /** Input resolution overriding the published one. */
  readonly resolution?: number;
}

/**
 * The folder of the published configs: `MCU_CONFIGS_DIR` if set, else `../shared/mcunet-configs`
 * next to the repository.
 *
 * @example
 * ```ts
 * import { defaultConfigsDir } from "./mcunet_config.ts";
 * const dir = defaultConfigsDir();
 * ```
 */
export function defaultConfigsDir(): string {
  return sharedConfigsDir();
}

function stemOf(file: string): string {
  const base = file.split("/").pop() ?? file;
  return base.replace(/\.json$/, "").replace(/_imagenet$/, "");
}

/**
 * Short names of the configs available in a folder (sorted), e.g. `mcunet-320kb-1mb`.
 *
 * @example
 * ```ts ignore
 * import { listMcunetConfigs } from "./mcunet_config.ts";
 * listMcunetConfigs(); // ["mbv2-w0.3-r80", ..., "proxyless_mobile"]
 * ```
 */
export function listMcunetConfigs(configsDir: string = defaultConfigsDir()): string[] {
  const names: string[] = [];
  try {
    for (const e of Deno.readDirSync(configsDir)) {
      if (e.isFile && e.name.endsWith(".json")) names.push(stemOf(e.name));
    }
  } catch {
    return [];
  }
  return names.sort();
}

function resolvePath(nameOrPath: string, dir: string): string {
  if (nameOrPath.endsWith(".json") || nameOrPath.includes("/")) return nameOrPath;
  const names = listMcunetConfigs(dir);
  const fileOf = (stem: string) => {
    for (const f of [`${stem}_imagenet.json`, `${stem}.json`]) {
      try {
        if (Deno.statSync(`${dir}/${f}`).isFile) return `${dir}/${f}`;
      } catch { /* try the next spelling */ }
    }
    return undefined;
  };
  if (names.includes(nameOrPath)) {
    const f = fileOf(nameOrPath);
    if (f) return f;
  }
  // A unique prefix at a '-' boundary, preferring int8 configs: "mcunet-320kb" -> "mcunet-320kb-1mb".
  const matches = names.filter((n) => n.startsWith(`${nameOrPath}-`) && !n.endsWith("-int4"));
  if (matches.length === 1) {
    const f = fileOf(matches[0]!);
    if (f) return f;
  }
  const known = names.length > 0 ? names.join(", ") : `none found in ${dir}`;
  throw new RangeError(
    `Cannot find the network config '${nameOrPath}'${
      matches.length > 1 ? `: it matches ${matches.join(", ")}` : ""
    }: known configs are ${known}`,
  );
}

function manifestResolution(dir: string, stem: string): number | undefined {
  let text: string;
  try {
    text = Deno.readTextFileSync(`${dir}/MANIFEST.md`);
  } catch {
    return undefined;
  }
  for (const line of text.split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    if (cells[1] !== undefined && stemOf(cells[1]) === stem && /^\d+$/.test(cells[2] ?? "")) {
      return Number(cells[2]);
    }
  }
  return undefined;
}

type Json = Record<string, unknown>;

function obj(v: unknown, where: string): Json {
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new ModelFormatError(`Cannot read the network config: ${where} must be an object`);
  }
  return v as Json;
}

function int(o: Json, key: string, where: string): number {
  const v = o[key];
  if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) {
    throw new ModelFormatError(
      `Cannot read the network config: ${where}.${key} must be a positive integer: got ${
        JSON.stringify(v)
      }`,
    );
  }
  return v;
}

/**
 * Converts a parsed ProxylessNAS-style config (`first_conv`, `blocks` of
 * `MobileInvertedResidualBlock` with `mobile_inverted_conv` and `shortcut`,
 * `feature_mix_layer`, `classifier`) into an {@link MbconvArch}. Blocks whose conv is a
 * `ZeroLayer` with an identity shortcut are identities and are dropped.
 *
 * @example
 * ```ts ignore
 * import { parseMcunetConfig } from "./mcunet_config.ts";
 * const arch = parseMcunetConfig(JSON.parse(text), 176);
 * ```
 */
export function parseMcunetConfig(config: unknown, resolution: number): MbconvArch {
  const root = obj(config, "the file");
  const first = obj(root.first_conv, "first_conv");
  if (first.kernel_size !== 3 || first.stride !== 2) {
    throw new ModelFormatError(
      `Cannot read the network config: first_conv must be 3x3 stride 2: got kernel ${first.kernel_size}, stride ${first.stride}`,
    );
  }
  const inputChannels = int(first, "in_channels", "first_conv");
  let channels = int(first, "out_channels", "first_conv");
  const firstOut = channels;
  if (!Array.isArray(root.blocks)) {
    throw new ModelFormatError("Cannot read the network config: blocks must be an array");
  }
  const blocks: MbconvBlock[] = [];
  root.blocks.forEach((raw, i) => {
    const where = `blocks[${i}]`;
    const block = obj(raw, where);
    const conv = block.mobile_inverted_conv === null
      ? null
      : obj(block.mobile_inverted_conv, `${where}.mobile_inverted_conv`);
    const shortcut = block.shortcut === null || block.shortcut === undefined
      ? null
      : obj(block.shortcut, `${where}.shortcut`);
    if (conv === null || conv.name === "ZeroLayer") {
      if (shortcut?.name === "IdentityLayer") return; // identity block
      throw new ModelFormatError(
        `Cannot read the network config: ${where} has no convolution and no identity shortcut`,
      );
    }
    if (conv.name !== "MBInvertedConvLayer") {
      throw new ModelFormatError(
        `Cannot read the network config: ${where} is ${
          JSON.stringify(conv.name)
        }, expected MBInvertedConvLayer`,
      );
    }
    if (conv.use_se === true) {
      throw new ModelFormatError(
        `Cannot read the network config: ${where} uses squeeze-excitation, which is not supported`,
      );
    }
    if (conv.act_func !== undefined && conv.act_func !== "relu6") {
      throw new ModelFormatError(
        `Cannot read the network config: ${where} uses activation ${
          JSON.stringify(conv.act_func)
        }, only relu6 is supported`,
      );
    }
    const inC = int(conv, "in_channels", `${where}.mobile_inverted_conv`);
    if (inC !== channels) {
      throw new ModelFormatError(
        `Cannot read the network config: ${where} takes ${inC} channels but the previous layer gives ${channels}`,
      );
    }
    const expand = conv.expand_ratio;
    if (typeof expand !== "number" || !(expand >= 1)) {
      throw new ModelFormatError(
        `Cannot read the network config: ${where}.expand_ratio must be a number >= 1: got ${
          JSON.stringify(expand)
        }`,
      );
    }
    const out = int(conv, "out_channels", `${where}.mobile_inverted_conv`);
    const stride = int(conv, "stride", `${where}.mobile_inverted_conv`);
    const entry: {
      kernel: number;
      expand: number;
      stride: number;
      outChannels: number;
      midChannels?: number;
      residual?: boolean;
    } = {
      kernel: int(conv, "kernel_size", `${where}.mobile_inverted_conv`),
      expand,
      stride,
      outChannels: out,
    };
    if (typeof conv.mid_channels === "number" && expand !== 1) {
      entry.midChannels = conv.mid_channels;
    }
    const residual = shortcut !== null && shortcut.name === "IdentityLayer";
    if (residual !== (stride === 1 && inC === out)) entry.residual = residual;
    if (residual && (stride !== 1 || inC !== out)) {
      throw new ModelFormatError(
        `Cannot read the network config: ${where} has an identity shortcut but changes the shape`,
      );
    }
    blocks.push(entry);
    channels = out;
  });
  let featureMix: { outChannels: number } | undefined;
  if (root.feature_mix_layer !== undefined && root.feature_mix_layer !== null) {
    const fm = obj(root.feature_mix_layer, "feature_mix_layer");
    if (int(fm, "in_channels", "feature_mix_layer") !== channels || fm.kernel_size !== 1) {
      throw new ModelFormatError(
        `Cannot read the network config: feature_mix_layer must be a 1x1 conv on ${channels} channels`,
      );
    }
    channels = int(fm, "out_channels", "feature_mix_layer");
    featureMix = { outChannels: channels };
  }
  const classifier = obj(root.classifier, "classifier");
  if (int(classifier, "in_features", "classifier") !== channels) {
    throw new ModelFormatError(
      `Cannot read the network config: classifier takes ${classifier.in_features} features but the previous layer gives ${channels}`,
    );
  }
  return {
    resolution,
    inputChannels,
    classes: int(classifier, "out_features", "classifier"),
    firstConv: { outChannels: firstOut },
    blocks,
    ...(featureMix ? { featureMix } : {}),
  };
}

/**
 * Loads a published config by short name (`mcunet-320kb-1mb`, a unique prefix such as
 * `mcunet-320kb`, `proxyless-w0.25-r112`) or by path, and reads its input resolution from the
 * JSON's `resolution` field, the MANIFEST table or a built-in table of the published files.
 * `*-int4` configs are built with int8 weights (noted in `notes`).
 *
 * @example
 * ```ts
 * import { loadMcunetConfig } from "./mcunet_config.ts";
 * const { name, arch } = loadMcunetConfig("mcunet-320kb");
 * if (name !== "mcunet-320kb-1mb" || arch.resolution !== 176) throw new Error("unexpected");
 * ```
 */
export function loadMcunetConfig(
  nameOrPath: string,
  options: LoadConfigOptions = {},
): McunetConfig {
  const dir = options.configsDir ?? defaultConfigsDir();
  const path = resolvePath(nameOrPath, dir);
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (e) {
    throw new ModelFormatError(
      `Cannot read the network config ${path}: ${e instanceof Error ? e.message : String(e)}`,
      { cause: e },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ModelFormatError(`Cannot parse the network config ${path}: ${String(e)}`, {
      cause: e,
    });
  }
  const name = stemOf(path);
  const fileDir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : ".";
  const published = (json as Json | null)?.resolution;
  const resolution = options.resolution ??
    (typeof published === "number" ? published : undefined) ??
    manifestResolution(fileDir, name) ?? BUILTIN_RESOLUTIONS[name];
  if (resolution === undefined) {
    throw new ModelFormatError(
      `Cannot determine the input resolution of ${path}: pass one (e.g. a -r<N> suffix)`,
    );
  }
  const notes: string[] = [];
  if (name.endsWith("-int4")) notes.push("int4 weights are built as int8 (int4 is not supported)");
  return { name, path, arch: parseMcunetConfig(json, resolution), notes };
}
