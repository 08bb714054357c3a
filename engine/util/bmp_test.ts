import assert from "node:assert/strict";
import { BmpFormatError, readBmp, toInt8 } from "./bmp.ts";

function bmp(width: number, height: number, bits: 8 | 24, rows: number[][], topDown = false) {
  const rowBytes = Math.ceil((width * bits) / 32) * 4;
  const palette = bits === 8 ? 1024 : 0;
  const offset = 54 + palette;
  const out = new Uint8Array(offset + rowBytes * height);
  const v = new DataView(out.buffer);
  out.set([0x42, 0x4d]);
  v.setUint32(2, out.length, true);
  v.setUint32(10, offset, true);
  v.setUint32(14, 40, true);
  v.setInt32(18, width, true);
  v.setInt32(22, topDown ? -height : height, true);
  v.setUint16(26, 1, true);
  v.setUint16(28, bits, true);
  if (bits === 8) { for (let i = 0; i < 256; i++) out.set([i, i, i, 0], 54 + 4 * i); }
  rows.forEach((row, y) => {
    const fileRow = topDown ? y : height - 1 - y;
    out.set(row, offset + fileRow * rowBytes);
  });
  return out;
}

Deno.test("readBmp() reads a bottom-up 8-bit grayscale image top row first", () => {
  const img = readBmp(bmp(3, 2, 8, [[1, 2, 3], [4, 5, 6]]));
  assert.equal(img.channels, 1);
  assert.deepEqual(Array.from(img.pixels), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(Array.from(img.indices!), [1, 2, 3, 4, 5, 6]);
});

Deno.test("readBmp() reads top-down 24-bit BGR images", () => {
  const img = readBmp(bmp(1, 2, 24, [[30, 20, 10], [7, 7, 7]], true));
  assert.equal(img.channels, 3);
  assert.deepEqual(Array.from(img.pixels), [10, 20, 30, 7, 7, 7]);
});

Deno.test("readBmp() rejects files that are not BMPs", () => {
  assert.throws(() => readBmp(new Uint8Array(60)), BmpFormatError);
});

Deno.test("toInt8() offsets or reinterprets pixels", () => {
  assert.deepEqual(Array.from(toInt8(new Uint8Array([0, 128, 255]), "offset")), [-128, 0, 127]);
  assert.deepEqual(Array.from(toInt8(new Uint8Array([0, 128, 255]), "reinterpret")), [0, -128, -1]);
});
