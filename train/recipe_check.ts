/**
 * The recipe re-check (`deno task accuracy:recipe`): one small network trained with each
 * candidate recipe over a few seeds (float test accuracy on all 10k test images), so the recipe
 * every accuracy-table row uses is chosen by measurement over seeds, not by one run. Only the
 * PyTorch worker runs (no quantization or firmware): the recipe is a float-training choice.
 *
 * Usage: `deno task accuracy:recipe [--net SPEC] [--seeds 1,2] [--epochs 3] [--train-images 20000]
 * [--out reports/accuracy/recipe.json]`.
 *
 * @module
 */
// deno-lint-ignore-file no-console
import { FASHION_MNIST, resolveDataset } from "./dataset.ts";
import { CANDIDATE_RECIPES } from "./recipe.ts";
import { resolveTrainTarget } from "./target.ts";
import { runTrainingWorker } from "./worker.ts";

/** The default network: the smallest point of the TinyNAS space at width 0.1, resolution 32. */
const DEFAULT_NET = "w0.1-r32|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3|k3e3";

async function main(args: string[]): Promise<void> {
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const net = flag("--net") ?? DEFAULT_NET;
  const seeds = (flag("--seeds") ?? "1,2").split(",").map(Number);
  const epochs = Number(flag("--epochs") ?? 3);
  const trainImages = Number(flag("--train-images") ?? 20000);
  const out = flag("--out") ?? "reports/accuracy/recipe.json";
  if (![epochs, trainImages, ...seeds].every((n) => Number.isInteger(n) && n > 0)) {
    throw new RangeError(
      "Cannot check recipes: --epochs, --train-images and --seeds must be positive integers",
    );
  }
  const target = resolveTrainTarget(net, {
    classes: FASHION_MNIST.classes,
    inputChannels: FASHION_MNIST.channels,
  });
  const dataDir = resolveDataset("fashion-mnist");
  const runs: { recipe: string; seed: number; floatTestAccuracy: number; wallSeconds: number }[] =
    [];
  for (const [name, recipe] of Object.entries(CANDIDATE_RECIPES)) {
    for (const seed of seeds) {
      const outDir = await Deno.makeTempDir({ prefix: "recipe-check-" });
      const started = performance.now();
      const { result } = await runTrainingWorker({
        arch: target.arch,
        recipe: { ...recipe, epochs },
        seed,
        splitSeed: 0,
        threads: 2,
        dataDir,
        outDir,
        trainImages,
        validationImages: 5000,
        calibrationImages: 500,
      });
      await Deno.remove(outDir, { recursive: true });
      const wallSeconds = (performance.now() - started) / 1000;
      runs.push({ recipe: name, seed, floatTestAccuracy: result.floatTestAccuracy, wallSeconds });
      console.error(
        `${name} seed ${seed}: float test ${(100 * result.floatTestAccuracy).toFixed(2)}% (${
          wallSeconds.toFixed(0)
        } s)`,
      );
    }
  }
  const summary = Object.keys(CANDIDATE_RECIPES).map((name) => {
    const accs = runs.filter((r) => r.recipe === name).map((r) => r.floatTestAccuracy);
    return {
      recipe: name,
      mean: accs.reduce((a, b) => a + b, 0) / accs.length,
      spread: Math.max(...accs) - Math.min(...accs),
    };
  });
  const report = { net, seeds, epochs, trainImages, recipes: CANDIDATE_RECIPES, runs, summary };
  await Deno.mkdir(out.replace(/\/[^/]*$/, "") || ".", { recursive: true });
  await Deno.writeTextFile(out, JSON.stringify(report, null, 1) + "\n");
  for (const s of summary) {
    console.log(
      `${s.recipe}: mean ${(100 * s.mean).toFixed(2)}% spread ${(100 * s.spread).toFixed(2)}`,
    );
  }
}

if (import.meta.main) await main(Deno.args);
