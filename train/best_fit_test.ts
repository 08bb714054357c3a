import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { bestThatFits, SCALED_FAMILIES, type ScaledFamily } from "./best_fit.ts";
import { budgetBoard, getBudget } from "./budgets.ts";

const head = { classes: 10, inputChannels: 1 };

Deno.test("bestThatFits measures in decreasing MACs and returns the first member that fits", async () => {
  // Under 16 KiB / 64 KiB, MobileNetV2 at width 0.05 and half depth fits at resolution 40 and
  // not at 48 (measured SRAM); full depth never fits the Flash.
  const family: ScaledFamily = {
    ...SCALED_FAMILIES["mbv2-depth"]!,
    widths: [0.05],
    depths: [1, 0.5],
  };
  const seen: string[] = [];
  const result = await bestThatFits(family, budgetBoard(getBudget("16k-64k")), {
    head,
    resolutions: [28, 40, 48],
    onMeasure: (m) => seen.push(m.spec),
  });
  strictEqual(result.best?.spec, "mbv2-w0.05-d0.5-r40");
  ok(result.best!.peakSramBytes <= 16384 && result.best!.flashBytes <= 65536);
  // Every measured candidate before the answer has more MACs and does not fit.
  for (const m of result.measured.slice(0, -1)) {
    ok(!m.fits && m.macs >= result.best!.macs, m.spec);
  }
  deepStrictEqual(seen, result.measured.map((m) => m.spec));
  // Full depth at 40 is measured and fails the Flash; its lower resolution is then skipped.
  ok(seen.includes("mbv2-w0.05-r40"));
  ok(!seen.includes("mbv2-w0.05-r28"));
  ok(result.skipped > 0);
});

Deno.test("bestThatFits reports no member when none fits", async () => {
  const family: ScaledFamily = { ...SCALED_FAMILIES.mbv2!, widths: [0.05] };
  const result = await bestThatFits(family, budgetBoard(getBudget("16k-64k")), {
    head,
    resolutions: [28],
  });
  strictEqual(result.best, undefined);
  strictEqual(result.measured.length, 1);
  ok(result.measured[0]!.flashBytes > 65536);
});
