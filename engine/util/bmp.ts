/**
 * A small Windows BMP reader (BITMAPFILEHEADER + BITMAPINFOHEADER or later), enough for the
 * TF-Lite Micro example images: uncompressed 8-bit paletted and 24/32-bit BGR, bottom-up or
 * top-down rows. Pixels come out as 8-bit grayscale (or RGB), top row first.
 *
 * @module
 */

/** A decoded image, rows top-down, channels interleaved. */
export interface BmpImage {
  readonly width: number;
  readonly height: number;
  /** 1 when every pixel is gray (R = G = B), else 3 (RGB order). */
  readonly channels: 1 | 3;
  /** `height * width * channels` bytes. */
  readonly pixels: Uint8Array;
  /**
   * For paletted images, the palette index of each pixel (what PIL's `tobytes()` returns and
   * what TF-Lite Micro's `generate_cc_arrays.py` embeds); `undefined` for true-colour images.
   */
  readonly indices?: Uint8Array;
}

/** A file that is not a BMP this reader understands. */
export class BmpFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BmpFormatError";
  }
}

/**
 * Decode a BMP file.
 *
 * @throws {BmpFormatError} for a bad signature, a compressed or unsupported bit depth, or a
 *   truncated file.
 *
 * @example
 * ```ts
 * import { readBmp } from "./bmp.ts";
 * // const img = readBmp(Deno.readFileSync("person.bmp")); // { width: 96, height: 96, channels: 1, ... }
 * ```
 */
export function readBmp(bytes: Uint8Array): BmpImage {
  if (bytes.byteLength < 54 || bytes[0] !== 0x42 || bytes[1] !== 0x4d) {
    throw new BmpFormatError("Cannot read BMP: the file does not start with 'BM'");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dataOffset = view.getUint32(10, true);
  const headerSize = view.getUint32(14, true);
  if (headerSize < 40) {
    throw new BmpFormatError(
      `Cannot read BMP: info header of ${headerSize} bytes is not supported`,
    );
  }
  const width = view.getInt32(18, true);
  const rawHeight = view.getInt32(22, true);
  const bitCount = view.getUint16(28, true);
  const compression = view.getUint32(30, true);
  const colorsUsed = view.getUint32(46, true);
  if (width <= 0 || rawHeight === 0) {
    throw new BmpFormatError(`Cannot read BMP: bad size ${width}x${rawHeight}`);
  }
  if (compression !== 0 && !(compression === 3 && bitCount === 32)) {
    throw new BmpFormatError(`Cannot read BMP: compression ${compression} is not supported`);
  }
  const bottomUp = rawHeight > 0;
  const height = Math.abs(rawHeight);
  const rowBytes = Math.ceil((width * bitCount) / 32) * 4;
  if (dataOffset + rowBytes * height > bytes.byteLength) {
    throw new BmpFormatError(
      `Cannot read BMP: pixel data needs ${
        dataOffset + rowBytes * height
      } bytes, file has ${bytes.byteLength}`,
    );
  }
  const rowStart = (y: number) => dataOffset + (bottomUp ? height - 1 - y : y) * rowBytes;
  if (bitCount === 8) {
    const paletteStart = 14 + headerSize;
    const paletteCount = colorsUsed === 0 ? 256 : colorsUsed;
    const palette: [number, number, number][] = [];
    for (let i = 0; i < paletteCount; i++) {
      const o = paletteStart + 4 * i;
      palette.push([bytes[o + 2] ?? 0, bytes[o + 1] ?? 0, bytes[o] ?? 0]);
    }
    const gray = palette.every(([r, g, b]) => r === g && g === b);
    const channels = gray ? 1 : 3;
    const indices = new Uint8Array(width * height);
    const pixels = new Uint8Array(width * height * channels);
    for (let y = 0; y < height; y++) {
      const row = rowStart(y);
      for (let x = 0; x < width; x++) {
        const index = bytes[row + x]!;
        indices[y * width + x] = index;
        const [r, g, b] = palette[index] ?? [0, 0, 0];
        if (channels === 1) pixels[y * width + x] = r;
        else pixels.set([r, g, b], (y * width + x) * 3);
      }
    }
    return { width, height, channels, pixels, indices };
  }
  if (bitCount === 24 || bitCount === 32) {
    const step = bitCount / 8;
    const rgb = new Uint8Array(width * height * 3);
    let gray = true;
    for (let y = 0; y < height; y++) {
      const row = rowStart(y);
      for (let x = 0; x < width; x++) {
        const o = row + x * step;
        const b = bytes[o]!, g = bytes[o + 1]!, r = bytes[o + 2]!;
        if (r !== g || g !== b) gray = false;
        rgb.set([r, g, b], (y * width + x) * 3);
      }
    }
    if (!gray) return { width, height, channels: 3, pixels: rgb };
    const pixels = new Uint8Array(width * height);
    for (let i = 0; i < pixels.length; i++) pixels[i] = rgb[i * 3]!;
    return { width, height, channels: 1, pixels };
  }
  throw new BmpFormatError(`Cannot read BMP: ${bitCount}-bit pixels are not supported`);
}

/** How 8-bit pixels become int8 model input. */
export type Int8Conversion =
  /** `value = pixel - 128` (the usual uint8 -> int8 shift for a zero point of -128). */
  | "offset"
  /** The raw bytes reinterpreted as int8 (what TFLM's `memcpy` of the generated array does). */
  | "reinterpret";

/**
 * Convert an image's bytes to int8 model input.
 *
 * @example
 * ```ts
 * import { toInt8 } from "./bmp.ts";
 * toInt8(new Uint8Array([0, 128, 255]), "offset"); // Int8Array [-128, 0, 127]
 * toInt8(new Uint8Array([0, 128, 255]), "reinterpret"); // Int8Array [0, -128, -1]
 * ```
 */
export function toInt8(pixels: Uint8Array, conversion: Int8Conversion): Int8Array {
  const out = new Int8Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) {
    out[i] = conversion === "offset" ? pixels[i]! - 128 : pixels[i]!;
  }
  return out;
}
