/**
 * Where the training data lives: Debian's `dataset-fashion-mnist` (IDX files, gzip) under
 * `/usr/share/datasets/fashion-mnist/`, or the folder named by `MCU_FASHION_MNIST_DIR`.
 *
 * @module
 */

/** Data sets `mcu train` knows. */
export const DATASETS: readonly string[] = ["fashion-mnist"];

/** The IDX files a Fashion-MNIST folder must hold. */
export const FASHION_MNIST_FILES: readonly string[] = [
  "train-images-idx3-ubyte.gz",
  "train-labels-idx1-ubyte.gz",
  "t10k-images-idx3-ubyte.gz",
  "t10k-labels-idx1-ubyte.gz",
];

/** Fashion-MNIST's shape: 28x28 grayscale, 10 classes, 60k training and 10k test images. */
export const FASHION_MNIST = {
  resolution: 28,
  channels: 1,
  classes: 10,
  trainImages: 60000,
  testImages: 10000,
} as const;

/** The data set cannot be used (unknown name, missing files). */
export class DatasetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DatasetError";
  }
}

/**
 * The Fashion-MNIST folder: `MCU_FASHION_MNIST_DIR`, else Debian's install location.
 *
 * @example
 * ```ts
 * import { fashionMnistDir } from "./dataset.ts";
 * const dir = fashionMnistDir(); // "/usr/share/datasets/fashion-mnist" by default
 * ```
 */
export function fashionMnistDir(): string {
  let env: string | undefined;
  try {
    env = Deno.env.get("MCU_FASHION_MNIST_DIR") || undefined;
  } catch {
    env = undefined;
  }
  return env ?? "/usr/share/datasets/fashion-mnist";
}

/**
 * The folder of a named data set, checked: a DatasetError names the missing files and how to
 * install them.
 *
 * @example
 * ```ts ignore
 * const dir = resolveDataset("fashion-mnist");
 * ```
 */
export function resolveDataset(name: string, dir: string = fashionMnistDir()): string {
  if (!DATASETS.includes(name)) {
    throw new DatasetError(
      `Cannot train on data set '${name}': known data sets are ${DATASETS.join(", ")}`,
    );
  }
  const missing = FASHION_MNIST_FILES.filter((f) => {
    try {
      return !Deno.statSync(`${dir}/${f}`).isFile;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) {
    throw new DatasetError(
      `Cannot train on fashion-mnist: ${dir} lacks ${missing.join(", ")}; install it with ` +
        "`deno task setup` (Debian package dataset-fashion-mnist) or set MCU_FASHION_MNIST_DIR",
    );
  }
  return dir;
}
