/**
 * Bench suites as data: which networks, from which source, on which boards.
 *
 * - `paper`: the networks of the MCUNet tables from the published configurations (or the
 *   builders' equivalents when `../shared/mcunet-configs` is absent), plus MbV2 w0.35-r64 and
 *   Proxyless w0.3-r64 from the builders. Boards: where each published number was measured, plus
 *   the STM32F746.
 * - `mlperf`: the MLPerf Tiny models in `MCU_MODELS_DIR` (default `../shared/models`).
 * - `real`: patterns of real exported MCU models (bench/real_models.ts: float I/O, explicit
 *   PADs, hostile weight scales, several outputs) plus every other model in `MCU_MODELS_DIR`.
 * - `external`: every `.tflite` file of a directory (`--models DIR`).
 * - `gate`: a small fixed suite for `deno task gate` (one M7 and one M4 board).
 *
 * @module
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { loadAnchors, publishedBoards } from "./anchors.ts";
import type { BenchCase } from "./types.ts";
import { hasFloatBoundary, UnsupportedOpError } from "../engine/ir/mod.ts";
import { REAL_MODELS } from "./real_models.ts";
import { readTflite } from "../engine/tflite/mod.ts";
import { sharedConfigsDir, sharedModelsDir } from "../engine/util/mod.ts";

/** Suite names, in report order. */
export const SUITES: readonly string[] = ["paper", "mlperf", "real", "external", "gate"];

/** The board every case is also measured on (the MCUNet paper's board). */
export const REFERENCE_BOARD = "stm32f746";

/** One network of the paper suite. */
interface PaperNetwork {
  readonly id: string;
  readonly label: string;
  /** File in mcunet-configs, or absent when the network only comes from the builders. */
  readonly config?: string;
  /**
   * The builders make it without ../shared/mcunet-configs (MobileNetV2 is defined in code; the
   * ProxylessNAS builder scales a published config, so it needs the folder).
   */
  readonly standalone?: boolean;
}

/** The networks of the MCUNet tables (ANCHORS.md), in table order. */
const PAPER_NETWORKS: readonly PaperNetwork[] = [
  { id: "mcunet-256kb-1mb", label: "MCUNet 256kB/1MB", config: "mcunet-256kb-1mb_imagenet.json" },
  { id: "mcunet-320kb-1mb", label: "MCUNet 320kB/1MB", config: "mcunet-320kb-1mb_imagenet.json" },
  { id: "mcunet-512kb-2mb", label: "MCUNet 512kB/2MB", config: "mcunet-512kb-2mb_imagenet.json" },
  { id: "mcunet-5fps", label: "MCUNet 5FPS", config: "mcunet-5fps_imagenet.json" },
  { id: "mcunet-10fps", label: "MCUNet 10FPS", config: "mcunet-10fps_imagenet.json" },
  {
    id: "mbv2-w0.3-r80",
    label: "MbV2 w0.3-r80",
    config: "mbv2-w0.3-r80_imagenet.json",
    standalone: true,
  },
  {
    id: "mbv2-w0.35-r144",
    label: "MbV2 w0.35-r144",
    config: "mbv2-w0.35-r144_imagenet.json",
    standalone: true,
  },
  {
    id: "proxyless-w0.25-r112",
    label: "Proxyless w0.25-r112",
    config: "proxyless-w0.25-r112_imagenet.json",
  },
  {
    id: "proxyless-w0.3-r176",
    label: "Proxyless w0.3-r176",
    config: "proxyless-w0.3-r176_imagenet.json",
  },
  { id: "mbv2-w0.35-r64", label: "MbV2 w0.35-r64", standalone: true },
  { id: "proxyless-w0.3-r64", label: "Proxyless w0.3-r64" },
];

/** One MLPerf Tiny model file. */
interface MlperfModel {
  readonly id: string;
  readonly label: string;
  readonly file: string;
}

/** The MLPerf Tiny models of ../shared/models (MANIFEST.md), the four benchmark models first. */
const MLPERF_MODELS: readonly MlperfModel[] = [
  {
    id: "mlperf-vww",
    label: "MLPerf VWW (MbV1 0.25, 96x96)",
    file: "mlperftiny_vww_mbv1_96_int8.tflite",
  },
  { id: "mlperf-ic", label: "MLPerf IC (ResNet-8)", file: "mlperftiny_ic_resnet8_int8.tflite" },
  { id: "mlperf-kws", label: "MLPerf KWS (DS-CNN)", file: "mlperftiny_kws_dscnn_int8.tflite" },
  {
    id: "mlperf-ad",
    label: "MLPerf AD (FC autoencoder)",
    file: "mlperftiny_ad_fc_autoencoder_int8.tflite",
  },
  {
    id: "mlperf-ad-toycar",
    label: "MLPerf AD ToyCar (float IO)",
    file: "mlperftiny_ad_toycar_fullint_floatio.tflite",
  },
  {
    id: "mlperf-sww",
    label: "MLPerf streaming wake word",
    file: "mlperftiny_sww_streaming_wakeword_int8.tflite",
  },
];

/** The gate suite's boards: one Cortex-M7 and one Cortex-M4. */
export const GATE_BOARDS: readonly string[] = ["stm32f746", "stm32f412"];

/** Where suites find their inputs. */
export interface SuiteOptions {
  /** Published configurations. @default env MCU_CONFIGS_DIR, else ../shared/mcunet-configs */
  readonly configsDir?: string;
  /** Third-party models. @default env MCU_MODELS_DIR, else ../shared/models */
  readonly modelsDir?: string;
  /** Directory of `.tflite` files for the `external` suite (`--models DIR`). */
  readonly externalDir?: string;
}

/** The cases of a suite, and lines to show the reader (e.g. why something was skipped). */
export interface ResolvedSuite {
  /** Suite name. */
  readonly name: string;
  /** Cases, in suite order. */
  readonly cases: readonly BenchCase[];
  /** Lines for the reader. */
  readonly notes: readonly string[];
}

/** Repository root (the parent of bench/). */
export function repoRoot(): string {
  return resolve(new URL(".", import.meta.url).pathname, "..");
}

function dirs(options: SuiteOptions): { configs: string; models: string } {
  return {
    configs: options.configsDir ?? sharedConfigsDir(),
    models: options.modelsDir ?? sharedModelsDir(),
  };
}

function withReference(boards: readonly string[]): string[] {
  return boards.includes(REFERENCE_BOARD) ? [...boards] : [...boards, REFERENCE_BOARD];
}

function paperSuite(options: SuiteOptions): ResolvedSuite {
  const { configs } = dirs(options);
  const anchors = loadAnchors();
  const haveConfigs = existsSync(configs);
  const notes: string[] = [];
  const cases: BenchCase[] = [];
  for (const n of PAPER_NETWORKS) {
    const boards = withReference(publishedBoards(anchors, n.id));
    const path = n.config === undefined ? undefined : join(configs, n.config);
    if (path !== undefined && haveConfigs && existsSync(path)) {
      const source = { kind: "config" as const, name: n.id, path };
      cases.push({ id: n.id, suite: "paper", label: n.label, source, boards });
    } else if (n.standalone || (n.config === undefined && haveConfigs)) {
      const source = { kind: "builder" as const, spec: n.id };
      cases.push({ id: n.id, suite: "paper", label: n.label, source, boards });
    } else {
      notes.push(`paper: skipped ${n.id}, it needs ${path ?? configs} (set MCU_CONFIGS_DIR)`);
    }
  }
  return { name: "paper", cases, notes };
}

/**
 * The `--io int8` twin of a float-I/O `.tflite` case (id suffix `-int8io`): the same model with
 * its boundary QUANTIZE/DEQUANTIZE dropped, so the bench shows both. None for an int8-I/O model
 * or one that cannot be read (its own case reports why).
 */
function int8IoTwin(c: BenchCase): BenchCase[] {
  if (c.source.kind !== "tflite") return [];
  try {
    if (!hasFloatBoundary(readTflite(readFileSync(c.source.path)))) return [];
  } catch {
    return [];
  }
  return [{
    ...c,
    id: `${c.id}-int8io`,
    label: `${c.label}, int8 I/O`,
    source: { ...c.source, io: "int8" },
  }];
}

function mlperfSuite(options: SuiteOptions): ResolvedSuite {
  const { models } = dirs(options);
  if (!existsSync(models)) {
    return {
      name: "mlperf",
      cases: [],
      notes: [
        `mlperf: skipped, ${models} is absent (set MCU_MODELS_DIR to the MLPerf Tiny models)`,
      ],
    };
  }
  const anchors = loadAnchors();
  const notes: string[] = [];
  const cases: BenchCase[] = [];
  for (const m of MLPERF_MODELS) {
    const path = join(models, m.file);
    if (!existsSync(path)) {
      notes.push(`mlperf: skipped ${m.id}, ${path} is absent`);
      continue;
    }
    const published = publishedBoards(anchors, m.id).filter((b) => b !== REFERENCE_BOARD);
    const boards = withReference(published.length > 0 ? published : ["nucleo-l4r5zi"]);
    const c: BenchCase = {
      id: m.id,
      suite: "mlperf",
      label: m.label,
      source: { kind: "tflite", path },
      boards,
    };
    cases.push(c, ...int8IoTwin(c));
  }
  return { name: "mlperf", cases, notes };
}

/**
 * The `real` suite: the generated export-pattern models (a pending operator's slot is a note),
 * then every `.tflite` of the models folder that the `mlperf` suite does not already measure
 * (a model whose operators are not supported yet is a note naming the operator).
 */
function realSuite(options: SuiteOptions): ResolvedSuite {
  const notes: string[] = [];
  const cases: BenchCase[] = [];
  for (const m of REAL_MODELS) {
    if (typeof m.network !== "function") {
      notes.push(`real: slot ${m.id} (${m.label}) is empty: ${m.network.pending}`);
      continue;
    }
    const source = { kind: "generated" as const, name: m.id };
    cases.push({ id: m.id, suite: "real", label: m.label, source, boards: m.boards });
  }
  const { models } = dirs(options);
  if (!existsSync(models)) {
    notes.push(`real: skipped the shared models, ${models} is absent (set MCU_MODELS_DIR)`);
    return { name: "real", cases, notes };
  }
  const inMlperf = new Set(MLPERF_MODELS.map((m) => m.file));
  const files = readdirSync(models).filter((f) => f.endsWith(".tflite") && !inMlperf.has(f));
  for (const f of files.sort()) {
    const path = join(models, f);
    try {
      readTflite(readFileSync(path));
    } catch (e) {
      if (!(e instanceof UnsupportedOpError)) throw e;
      notes.push(`real: skipped ${f}: ${e.message}`);
      continue;
    }
    const id = basename(f, ".tflite");
    const c: BenchCase = {
      id,
      suite: "real",
      label: id,
      source: { kind: "tflite", path },
      boards: [REFERENCE_BOARD],
    };
    cases.push(c, ...int8IoTwin(c));
  }
  return { name: "real", cases, notes };
}

function externalSuite(options: SuiteOptions): ResolvedSuite {
  const dir = options.externalDir;
  if (dir === undefined) {
    return { name: "external", cases: [], notes: ["external: skipped, no --models DIR given"] };
  }
  if (!existsSync(dir)) {
    throw new RangeError(`Cannot read the external suite: directory '${dir}' does not exist`);
  }
  const files = readdirSync(dir).filter((f) => f.endsWith(".tflite")).sort();
  const cases = files.flatMap((f): BenchCase[] => {
    const id = basename(f, ".tflite");
    const c: BenchCase = {
      id,
      suite: "external",
      label: id,
      source: { kind: "tflite", path: resolve(dir, f) },
      boards: [REFERENCE_BOARD],
    };
    return [c, ...int8IoTwin(c)];
  });
  const notes = cases.length === 0 ? [`external: no .tflite files in ${dir}`] : [];
  return { name: "external", cases, notes };
}

/** Builder models of the gate suite: need nothing from ../shared, so every machine gates them. */
const GATE_BUILDER_MODELS: readonly { readonly spec: string; readonly label: string }[] = [
  { spec: "mbv2-w0.35-r64", label: "MbV2 w0.35-r64" },
  { spec: "mbv1-w0.25-r96-c2", label: "MbV1 w0.25-r96, 2 classes (VWW-like)" },
];

/** Generated `real` models in the gate: the export patterns at a size CI runs in seconds. */
const GATE_REAL_MODELS: readonly string[] = ["real-cls-48", "real-det-64x80", "real-attention"];

function gateSuite(options: SuiteOptions): ResolvedSuite {
  const { configs, models } = dirs(options);
  const notes: string[] = [];
  const cases: BenchCase[] = GATE_BUILDER_MODELS.map((m) => ({
    id: m.spec,
    suite: "gate",
    label: m.label,
    source: { kind: "builder", spec: m.spec },
    boards: GATE_BOARDS,
  }));
  const tenFps = join(configs, "mcunet-10fps_imagenet.json");
  if (existsSync(tenFps)) {
    cases.push({
      id: "mcunet-10fps",
      suite: "gate",
      label: "MCUNet 10FPS",
      source: { kind: "config", name: "mcunet-10fps", path: tenFps },
      boards: GATE_BOARDS,
    });
  } else {
    notes.push(`gate: skipped mcunet-10fps, ${tenFps} is absent`);
  }
  for (const id of GATE_REAL_MODELS) {
    const source = { kind: "generated" as const, name: id };
    cases.push({ id, suite: "gate", label: id, source, boards: GATE_BOARDS });
  }
  for (const m of MLPERF_MODELS.filter((x) => x.id === "mlperf-kws" || x.id === "mlperf-ad")) {
    const path = join(models, m.file);
    if (existsSync(path)) {
      cases.push({
        id: m.id,
        suite: "gate",
        label: m.label,
        source: { kind: "tflite", path },
        boards: GATE_BOARDS,
      });
    } else {
      notes.push(`gate: skipped ${m.id}, ${path} is absent`);
    }
  }
  return { name: "gate", cases, notes };
}

/**
 * Resolve a suite by name into cases.
 *
 * @example
 * ```ts
 * const { cases, notes } = resolveSuite("paper");
 * // cases[0].id === "mcunet-256kb-1mb", cases[0].boards === ["stm32h743", "stm32f412", "stm32f746"]
 * ```
 */
export function resolveSuite(name: string, options: SuiteOptions = {}): ResolvedSuite {
  switch (name) {
    case "paper":
      return paperSuite(options);
    case "mlperf":
      return mlperfSuite(options);
    case "real":
      return realSuite(options);
    case "external":
      return externalSuite(options);
    case "gate":
      return gateSuite(options);
    default:
      throw new RangeError(`Cannot find suite '${name}': known suites are ${SUITES.join(", ")}`);
  }
}

/**
 * The suites a plain `deno task bench` runs: `paper`, `mlperf` and `real` (each skips what is
 * absent), plus `external` when `--models DIR` is given.
 */
export function defaultSuites(options: SuiteOptions = {}): string[] {
  const out = ["paper", "mlperf", "real"];
  if (options.externalDir !== undefined) out.push("external");
  return out;
}
