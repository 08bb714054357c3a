/**
 * Map an `MbconvArch` (e.g. a published MCUNet network read by engine/builders'
 * `loadMcunetConfig`) back to a point of a search space, which shows that those networks are
 * points of it.
 *
 * @module
 */
import {
  type Arch,
  archViolation,
  type MbconvArch,
  type MbconvBlock,
  type SearchSpace,
  slotCount,
  type StageGene,
  stageWidths,
} from "./space.ts";

/** Width multipliers tried when inferring a network's width (grid first, then 0.05 steps). */
function candidateWidths(space: SearchSpace): number[] {
  const extra: number[] = [];
  for (let w = 0.05; w <= 2.0001; w += 0.05) extra.push(Math.round(w * 100) / 100);
  return [...space.widths, ...extra.filter((w) => !space.widths.includes(w))];
}

/**
 * The point of `space` an `MbconvArch` is, or a RangeError saying why it is not one. The width
 * multiplier is inferred from the channel counts (make-divisible); inactive slots get the space's
 * first choices. Off-grid widths (the int4 MCUNet models use 0.9 and 1.5) are accepted.
 *
 * @example
 * ```ts ignore
 * import { loadMcunetConfig } from "../engine/builders/mod.ts";
 * import { archFromMbconv } from "./from_mbconv.ts";
 * import { MCUNET_SPACE } from "./space.ts";
 * const arch = archFromMbconv(MCUNET_SPACE, loadMcunetConfig("mcunet-320kb").arch); // w0.5, r176
 * ```
 */
export function archFromMbconv(space: SearchSpace, net: MbconvArch): Arch {
  const fail = (why: string) =>
    new RangeError(`Cannot map the network to space '${space.name}': ${why}`);
  if (net.featureMix) throw fail("it has a feature-mix layer the space does not have");
  const [first, ...rest] = net.blocks;
  if (
    !first || first.kernel !== space.firstBlock.kernel ||
    first.expand !== space.firstBlock.expand ||
    first.stride !== space.firstBlock.stride
  ) {
    throw fail("its first block is not the fixed first block");
  }
  // A new stage starts where the output channels change or the stride is not 1.
  const groups: MbconvBlock[][] = [];
  for (const b of rest) {
    const last = groups[groups.length - 1];
    if (last && last[0]?.outChannels === b.outChannels && b.stride === 1) last.push(b);
    else groups.push([b]);
  }
  if (groups.length !== space.stages.length) {
    throw fail(`it has ${groups.length} stages, the space has ${space.stages.length}`);
  }
  const channels = [
    net.firstConv.outChannels,
    first.outChannels,
    ...groups.map((g) => g[0]?.outChannels),
  ];
  const width = candidateWidths(space).find((w) =>
    stageWidths(space, w).every((c, i) => c === channels[i])
  );
  if (width === undefined) throw fail(`no width multiplier gives channels ${channels.join(",")}`);
  let inC = first.outChannels;
  const stages = groups.map((g, si): StageGene => {
    const spec = space.stages[si];
    if (!spec) throw fail(`stage ${si} does not exist`);
    if (g[0]?.stride !== spec.stride) throw fail(`stage ${si} has stride ${g[0]?.stride}`);
    for (const b of g) {
      if (b.midChannels !== undefined && b.midChannels !== Math.round(inC * b.expand)) {
        throw fail(`a block of stage ${si} has ${b.midChannels} middle channels`);
      }
      inC = b.outChannels;
    }
    const n = slotCount(spec);
    const kernels = g.map((b) => b.kernel);
    const expands = g.map((b) => b.expand);
    while (kernels.length < n) kernels.push(space.kernels[0] as number);
    while (expands.length < n) expands.push(space.expands[0] as number);
    return { depth: g.length, kernels, expands };
  });
  const arch: Arch = { width, resolution: net.resolution, stages };
  const why = archViolation(space, arch, { onGrid: false });
  if (why) throw fail(why);
  return arch;
}
