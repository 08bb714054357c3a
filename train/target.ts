/**
 * What `mcu train` trains: an architecture of the search space (its key string, e.g.
 * `w0.3-r28|k3e3,k5e4|...`, or a search `arch.json`), an `MbconvArch` JSON file, or a built-in
 * MBConv model name (`mbv2-w0.35-r28`, `proxyless-w0.3-r32`, `mcunet-320kb-r64`), with the
 * data set's input channels and classes.
 *
 * @module
 */
import type { MbconvArch } from "../engine/builders/mod.ts";
import { validateMbconvArch } from "../engine/builders/mod.ts";
import { modelArch } from "../engine/builders/mod.ts";
import {
  type Arch,
  archViolation,
  type SearchSpace,
  slotCount,
  SPACES,
  type StageGene,
  toMbconvArch,
} from "../search/mod.ts";

/** A network to train, with a name for reports and files. */
export interface TrainTarget {
  readonly name: string;
  readonly arch: MbconvArch;
}

/** The data set's input shape a target is built for. */
export interface DataHead {
  readonly classes: number;
  readonly inputChannels: number;
}

/**
 * Parse a search-space key (`archKey`'s format): `w<width>-r<res>` then one `|`-separated group
 * per stage of comma-separated `k<kernel>e<expand>` blocks.
 *
 * @example
 * ```ts
 * import { parseArchKey } from "./target.ts";
 * import { MCUNET_SPACE } from "../search/mod.ts";
 * const arch = parseArchKey(MCUNET_SPACE, "w0.3-r28|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3|k3e3");
 * if (arch.resolution !== 28) throw new Error("unexpected");
 * ```
 */
export function parseArchKey(space: SearchSpace, key: string): Arch {
  const fail = (why: string) => new RangeError(`Cannot read architecture key '${key}': ${why}`);
  const [head, ...groups] = key.split("|");
  const m = /^w(\d*\.?\d+)-r(\d+)$/.exec(head ?? "");
  if (!m) throw fail("it must start with w<width>-r<resolution>");
  if (groups.length !== space.stages.length) {
    throw fail(`it has ${groups.length} stages, space '${space.name}' has ${space.stages.length}`);
  }
  const stages = groups.map((g, si): StageGene => {
    const blocks = g.split(",").map((b) => {
      const bm = /^k(\d+)e(\d+)$/.exec(b);
      if (!bm) throw fail(`block '${b}' of stage ${si} is not k<kernel>e<expand>`);
      return { kernel: Number(bm[1]), expand: Number(bm[2]) };
    });
    const n = slotCount(space.stages[si]!);
    const kernels = blocks.map((b) => b.kernel);
    const expands = blocks.map((b) => b.expand);
    while (kernels.length < n) kernels.push(space.kernels[0]!);
    while (expands.length < n) expands.push(space.expands[0]!);
    return { depth: blocks.length, kernels, expands };
  });
  const arch: Arch = { width: Number(m[1]), resolution: Number(m[2]), stages };
  const why = archViolation(space, arch, { onGrid: false });
  if (why) throw fail(why);
  return arch;
}

function fromJson(spec: string, head: DataHead): MbconvArch {
  let data: unknown;
  try {
    data = JSON.parse(Deno.readTextFileSync(spec));
  } catch (e) {
    throw new RangeError(
      `Cannot read architecture file ${spec}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const rec = data as Record<string, unknown>;
  if (rec && typeof rec === "object") {
    // A search result's arch.json carries the lowered network.
    if (rec.mbconvArch && typeof rec.mbconvArch === "object") {
      return { ...(rec.mbconvArch as MbconvArch), ...head };
    }
    if (Array.isArray(rec.blocks)) return { ...(rec as unknown as MbconvArch), ...head };
    if (Array.isArray(rec.stages)) {
      return toMbconvArch(spaceWithStages(rec.stages.length), rec as unknown as Arch, head);
    }
  }
  // Published ProxylessNAS-style configs (engine/builders reads them).
  const arch = modelArch(spec);
  if (arch) return { ...arch, ...head };
  throw new RangeError(
    `Cannot read architecture file ${spec}: it is neither an MbconvArch, a search arch.json nor a point of the space`,
  );
}

/**
 * The space a search point with `stages` stage groups belongs to: `tiny` points have 5 (four
 * searchable stages and the last block), `mcunet` points 6; the error names the counts.
 */
function spaceWithStages(stages: number): SearchSpace {
  const space = Object.values(SPACES).find((s) => s.stages.length === stages);
  if (!space) {
    const known = Object.values(SPACES).map((s) => `${s.name}: ${s.stages.length}`).join(", ");
    throw new RangeError(
      `Cannot read the architecture: it has ${stages} stages, and no search space has that many (${known})`,
    );
  }
  return space;
}

/**
 * The network named by `spec`, built for `head` (channels and classes of the data set).
 *
 * @example
 * ```ts
 * import { resolveTrainTarget } from "./target.ts";
 * const t = resolveTrainTarget("mbv2-w0.35-r28", { classes: 10, inputChannels: 1 });
 * if (t.arch.inputChannels !== 1) throw new Error("unexpected");
 * ```
 */
export function resolveTrainTarget(spec: string, head: DataHead): TrainTarget {
  let arch: MbconvArch;
  if (spec.includes("|")) {
    const space = spaceWithStages(spec.split("|").length - 1);
    arch = toMbconvArch(space, parseArchKey(space, spec), head);
  } else if (spec.endsWith(".json")) {
    arch = fromJson(spec, head);
  } else {
    const built = modelArch(spec);
    if (!built) {
      throw new RangeError(
        `Cannot train '${spec}': only MBConv networks (mbv2-*, proxyless-*, published configs, search points) can be trained`,
      );
    }
    arch = { ...built, ...head };
  }
  validateMbconvArch(arch);
  const name = spec.includes("|") || spec.endsWith(".json")
    ? `${
      spec.endsWith(".json") ? spec.replace(/^.*\//, "").replace(/\.json$/, "") : "tinynas"
    }-r${arch.resolution}`
    : spec;
  return { name, arch };
}
