/**
 * "The best member of a family that fits": the member with the most MACs whose measured
 * tinyengine peak SRAM and Flash fit a budget, picked by measurement (a real compile, gcc build
 * and emulated inference of each candidate, synthetic weights), over widths, depth multipliers
 * and input resolutions from 28 upward. Candidates are tried in decreasing MACs, so the first
 * one that fits is the answer; cheap lower bounds (constant bytes against Flash, the planned
 * arena against SRAM) and monotonicity in resolution skip the hopeless ones without a build.
 *
 * @module
 */
// deno-lint-ignore-file no-console
import { buildMbconv, modelArch } from "../engine/builders/mod.ts";
import { graphCost } from "../engine/ops/mod.ts";
import type { Board } from "../engine/target/mod.ts";
import { archLayers, layerMacs, layerWeights } from "../search/mod.ts";
import { compileModel, runModel } from "../pipeline/mod.ts";
import { budgetBoard, getBudget } from "./budgets.ts";
import { FASHION_MNIST } from "./dataset.ts";
import type { DataHead } from "./target.ts";

/** A scaled family: how a (width, depth, resolution) point is named. */
export interface ScaledFamily {
  /** Shown in tables ("MbV2", "MbV2 depth-scaled", "ProxylessNAS"). */
  readonly label: string;
  readonly widths: readonly number[];
  /** Depth multipliers; 1 is the family itself, below 1 the depth-scaled variant. */
  readonly depths: readonly number[];
  /** The model name of a point (`mbv2-w0.35-r32`, `mbv2-w0.1-d0.5-r28`). */
  readonly name: (width: number, depth: number, resolution: number) => string;
}

/** Input resolutions tried: from 28 (Fashion-MNIST's own) upward. */
export const FIT_RESOLUTIONS: readonly number[] = [
  28,
  32,
  36,
  40,
  44,
  48,
  56,
  64,
  72,
  80,
  96,
  112,
  128,
  144,
  160,
  176,
  192,
  224,
];

const WIDTHS = [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.75, 1];

function familyName(prefix: string) {
  return (w: number, d: number, r: number) =>
    d === 1 ? `${prefix}-w${w}-r${r}` : `${prefix}-w${w}-d${d}-r${r}`;
}

/**
 * The baseline families of the accuracy table: scaled MobileNetV2 and ProxylessNAS-Mobile
 * (MCUNet's width rule, head scaled with the width), each with its depth-scaled variant
 * (`-d<depth>`: `ceil(n * depth)` blocks per stage) for budgets the full depth cannot fit.
 */
export const SCALED_FAMILIES: Readonly<Record<string, ScaledFamily>> = {
  mbv2: { label: "MbV2", widths: WIDTHS, depths: [1], name: familyName("mbv2") },
  "mbv2-depth": {
    label: "MbV2 depth-scaled",
    widths: WIDTHS,
    depths: [0.75, 0.5, 0.25],
    name: familyName("mbv2"),
  },
  proxyless: { label: "ProxylessNAS", widths: WIDTHS, depths: [1], name: familyName("proxyless") },
  "proxyless-depth": {
    label: "ProxylessNAS depth-scaled",
    widths: WIDTHS,
    depths: [0.75, 0.5, 0.25],
    name: familyName("proxyless"),
  },
};

/** One measured candidate. */
export interface FitMeasurement {
  readonly spec: string;
  readonly macs: number;
  readonly peakSramBytes: number;
  readonly flashBytes: number;
  readonly fits: boolean;
}

/** What {@link bestThatFits} found, with every measurement it made. */
export interface FitResult {
  readonly best?: FitMeasurement;
  readonly measured: readonly FitMeasurement[];
  /** Candidates skipped by a lower bound or by monotonicity, without a build. */
  readonly skipped: number;
}

/** Options of {@link bestThatFits}. */
export interface FitOptions {
  readonly head: DataHead;
  /** Firmware build cache. @default none */
  readonly cacheDir?: string;
  /** Called after every measurement. @default ignored */
  readonly onMeasure?: (m: FitMeasurement) => void;
  /** @default FIT_RESOLUTIONS */
  readonly resolutions?: readonly number[];
  /**
   * Fraction of the Flash budget kept free for trained weights: the synthetic weights give
   * every layer the same requantization tables, which the constant pool stores once, while a
   * trained network's differ (measured: mbv2-w0.05-d0.5-r40 has 62,100 B of Flash synthetic and
   * 67,156 B trained, 8.1% more). @default 0
   */
  readonly flashMargin?: number;
}

/**
 * The member of `family` with the most MACs whose measured tinyengine peak SRAM and Flash fit
 * `board` (whose memory sizes are the budget), or no `best` when none fits.
 *
 * @example
 * ```ts ignore
 * const board = { ...getBoard("stm32f412"), sram: { ...b.sram, size: 16384 } };
 * const { best } = await bestThatFits(SCALED_FAMILIES["mbv2-depth"]!, board, { head });
 * ```
 */
export async function bestThatFits(
  family: ScaledFamily,
  board: Board,
  options: FitOptions,
): Promise<FitResult> {
  const candidates = family.widths.flatMap((width) =>
    family.depths.flatMap((depth) =>
      (options.resolutions ?? FIT_RESOLUTIONS).map((resolution) => {
        const spec = family.name(width, depth, resolution);
        const arch = { ...modelArch(spec)!, ...options.head };
        const layers = archLayers(arch);
        const macs = layers.reduce((n, l) => n + layerMacs(l), 0);
        const weightBytes = layers.reduce((n, l) => n + layerWeights(l), 0);
        return {
          spec,
          width,
          depth,
          group: `${width}/${depth}`,
          resolution,
          arch,
          macs,
          weightBytes,
        };
      })
    )
  ).sort((a, b) => b.macs - a.macs || a.spec.localeCompare(b.spec));
  // Resolution at and above which a (width, depth) group is known not to fit SRAM, and the
  // (width, depth) points known not to fit Flash: constants and code barely change with the
  // resolution and only grow with width and depth, so every wider and deeper point is out too.
  const sramFloor = new Map<string, number>();
  const flashOutPoints: { width: number; depth: number }[] = [];
  const flashOut = {
    add: (c: { width: number; depth: number }) => flashOutPoints.push(c),
    has: (c: { width: number; depth: number }) =>
      flashOutPoints.some((p) => p.width <= c.width && p.depth <= c.depth),
  };
  const measured: FitMeasurement[] = [];
  let skipped = 0;
  const flashLimit = Math.floor(board.flash.size * (1 - (options.flashMargin ?? 0)));
  for (const c of candidates) {
    const floor = sramFloor.get(c.group);
    if (flashOut.has(c) || (floor !== undefined && c.resolution >= floor)) {
      skipped++;
      continue;
    }
    // int8 weights alone (one byte each) are a lower bound on the Flash.
    if (c.weightBytes > flashLimit) {
      flashOut.add(c);
      skipped++;
      continue;
    }
    const graph = buildMbconv(c.arch, { name: c.spec });
    const compiled = compileModel(graph, { engine: "tinyengine", board });
    if (compiled.plan.arenaBytes > board.sram.size) {
      sramFloor.set(c.group, Math.min(floor ?? Infinity, c.resolution));
      skipped++;
      continue;
    }
    const run = await runModel(graph, {
      engine: "tinyengine",
      board,
      compiled,
      ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
    });
    const m: FitMeasurement = {
      spec: c.spec,
      macs: graphCost(graph).macs,
      peakSramBytes: run.peakSramBytes,
      flashBytes: run.flashBytes,
      fits: run.fitsSram && run.flashBytes <= flashLimit,
    };
    measured.push(m);
    options.onMeasure?.(m);
    if (m.fits) return { best: m, measured, skipped };
    if (!run.fitsSram) sramFloor.set(c.group, Math.min(floor ?? Infinity, c.resolution));
    // More than 2% over: no resolution of this group will bring the Flash under the budget.
    if (run.flashBytes > 1.02 * flashLimit) flashOut.add(c);
  }
  return { measured, skipped };
}

/**
 * `deno task accuracy:pick --budget 16k-64k [--family mbv2,mbv2-depth,...] [--flash-margin 0.1]`:
 * one JSON line per family (the margin default keeps 10% of the Flash for trained weights).
 */
async function main(args: string[]): Promise<void> {
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const budget = getBudget(flag("--budget") ?? "16k-64k");
  const names = (flag("--family") ?? Object.keys(SCALED_FAMILIES).join(",")).split(",");
  const board = budgetBoard(budget);
  const flashMargin = Number(flag("--flash-margin") ?? 0.1);
  if (!(flashMargin >= 0 && flashMargin < 1)) {
    throw new RangeError(`Cannot pick with --flash-margin ${flag("--flash-margin")}: use [0, 1)`);
  }
  for (const name of names) {
    const family = SCALED_FAMILIES[name];
    if (!family) {
      throw new RangeError(
        `Unknown family '${name}': known families are ${Object.keys(SCALED_FAMILIES).join(", ")}`,
      );
    }
    const started = performance.now();
    const result = await bestThatFits(family, board, {
      head: { classes: FASHION_MNIST.classes, inputChannels: FASHION_MNIST.channels },
      cacheDir: ".cache/firmware",
      flashMargin,
      onMeasure: (m) =>
        console.error(
          `  ${m.spec}: ${m.peakSramBytes} B SRAM, ${m.flashBytes} B Flash, ${
            m.fits ? "fits" : "does not fit"
          }`,
        ),
    });
    console.log(JSON.stringify({
      budget: budget.name,
      family: name,
      flashMargin,
      best: result.best ?? null,
      builds: result.measured.length,
      skipped: result.skipped,
      seconds: Math.round((performance.now() - started) / 1000),
    }));
  }
}

if (import.meta.main) await main(Deno.args);
